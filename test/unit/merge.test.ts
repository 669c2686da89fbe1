import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePart, partRange } from '../../src/core/parts.ts';
import { validateResults } from '../../src/core/report/validate.ts';
import { readSamples, runCli, storiesCli } from '../support/cli.ts';
import { SHARED_MMLU } from '../support/paths.ts';
import { mergeLinkParts } from '../../src/core/share/mergeLinks.ts';
import { resultsFromPayload } from '../../src/core/share/open.ts';
import { buildPayload, decodePayload, encodePayload } from '../../src/core/share/payload.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const json = (f: string) =>
  JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown> & { config: Record<string, unknown> };
// Three subjects with uneven lengths, so part boundaries fall inside subjects; 2 shots keep the prefix in play.
const SETUP = ['--subjects', 'anatomy,astronomy,virology', '--limit', '17', '--shots', '2'];

const root = tmp('pb-parts-');
const whole = join(root, 'whole');
const parts = [1, 2, 3].map((i) => join(root, `p${i}`));
const runs = [
  storiesCli('run', [...SETUP, '--output-dir', whole]),
  ...parts.map((dir, i) => storiesCli('run', [...SETUP, '--part', `${i + 1}/3`, '--output-dir', dir])),
];

test('parts: i/n parsed strictly; slices are contiguous, near-equal and cover the run', () => {
  assert.deepEqual(parsePart('2/3'), { index: 2, count: 3 });
  for (const bad of ['0/3', '4/3', '1/0', '1-3', 'a/b', '1/1001']) assert.throws(() => parsePart(bad));
  for (const total of [0, 1, 7, 51, 1000])
    for (const count of [1, 2, 3, 7]) {
      const ranges = Array.from({ length: count }, (_, i) => partRange(total, { index: i + 1, count }));
      assert.equal(ranges[0]!.start, 0);
      assert.equal(ranges.at(-1)!.end, total);
      for (let i = 1; i < count; i++) assert.equal(ranges[i]!.start, ranges[i - 1]!.end);
      const sizes = ranges.map((r) => r.end - r.start);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    }
});

test('a run split into 3 parts and merged equals the single run: results.json numbers and every sample', () => {
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const sizes = parts.map((d) => json(join(d, 'results.json')).config.part as { start: number; end: number });
  assert.deepEqual(
    sizes.map((p) => [p.start, p.end]),
    [
      [0, 17],
      [17, 34],
      [34, 51],
    ],
  );
  const merged = join(root, 'merged');
  const m = runCli('merge', ...parts.reverse(), '--output-dir', merged);
  parts.reverse();
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stderr, /merged 3 parts, 51 questions/);
  const a = json(join(whole, 'results.json'));
  const b = json(join(merged, 'results.json'));
  validateResults(b);
  for (const k of Object.keys(a).filter((k) => k !== 'config')) assert.deepEqual(b[k], a[k], k);
  for (const k of ['model', 'dtype', 'template', 'num_fewshot', 'subjects', 'limit', 'bos_resolved', 'fingerprint'])
    assert.deepEqual(b.config[k], a.config[k], k);
  assert.equal(b.config.prompt_tokens, a.config.prompt_tokens);
  assert.equal(b.config.truncated_count, a.config.truncated_count);
  assert.equal(b.config.part, undefined);
  assert.deepEqual(b.config.environment_differs, []);
  assert.equal((b.config.parts as unknown[]).length, 3);
  const sa = readSamples(whole);
  const sb = readSamples(merged);
  assert.equal(sb.size, 51);
  for (const [k, s] of sa) {
    assert.deepEqual(sb.get(k)!.loglikelihoods, s.loglikelihoods, k);
    assert.equal(sb.get(k)!.context, s.context, k);
  }
});

/** A copy of a part folder with its results.json config edited (the edit stands for a part made elsewhere). */
function editedPart(src: string, edit: (c: Record<string, unknown>) => void): string {
  const dir = tmp('pb-part-edit-');
  cpSync(src, dir, { recursive: true });
  const r = json(join(dir, 'results.json'));
  edit(r.config);
  writeFileSync(join(dir, 'results.json'), JSON.stringify(r));
  return dir;
}

test('merge refuses a dtype difference naming the field, and accepts a device difference with a flag', () => {
  // No quantized stories260K exists here (issue 12 makes them), so the q8 part is a real part with
  // its recorded dtype changed: the refusal under test reads only the config.
  const q8 = editedPart(parts[1]!, (c) => (c.dtype = 'q8'));
  const r = runCli('merge', parts[0]!, q8, parts[2]!, '--output-dir', tmp('pb-m-'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^pagebench: error: cannot merge: .* is not the same setup as .*: dtype: fp32 vs q8\n$/);
  // A part from a browser: WASM device, Chromium runtime, 2 threads (the page records these).
  const browser = editedPart(parts[1]!, (c) => {
    c.device = 'wasm';
    c.threads = 2;
    (c.fingerprint as Record<string, unknown>).runtime = 'Chromium 142';
  });
  const out = tmp('pb-m-');
  const ok = runCli('merge', parts[0]!, browser, parts[2]!, '--output-dir', out);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /parts differ in environment \(device, threads, fingerprint\.runtime\)/);
  const res = json(join(out, 'results.json'));
  assert.deepEqual(res.config.environment_differs, ['device', 'threads', 'fingerprint.runtime']);
  const listed = res.config.parts as { index: number; environment: Record<string, unknown> }[];
  assert.deepEqual(
    listed.map((p) => p.environment.device),
    ['cpu', 'wasm', 'cpu'],
  );
  assert.deepEqual(res.results, json(join(whole, 'results.json')).results);
});

test('merge refuses missing, duplicate, overlapping and unfinished parts; --allow-partial marks the result', () => {
  const missing = runCli('merge', parts[0]!, parts[2]!, '--output-dir', tmp('pb-m-'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /missing part 2\/3 \(or merge with --allow-partial\)/);
  const dup = runCli('merge', parts[0]!, parts[1]!, parts[1]!, parts[2]!, '--output-dir', tmp('pb-m-'));
  assert.match(dup.stderr, /part 2\/3 is given twice/);
  const other = tmp('pb-p4-');
  assert.equal(storiesCli('run', [...SETUP, '--part', '1/4', '--output-dir', other]).code, 0);
  const overlap = runCli('merge', other, parts[1]!, parts[2]!, '--output-dir', tmp('pb-m-'));
  assert.match(overlap.stderr, /is part 2\/3 of 51 questions but .* is part 1\/4 of 51: the slices overlap/);
  const whole2 = runCli('merge', whole, parts[1]!, '--output-dir', tmp('pb-m-'));
  assert.match(whole2.stderr, /is not a part of a split run/);
  const stopped = editedPart(parts[1]!, (c) => (c.partial = { done: 3, total: 17 }));
  const unfinished = runCli('merge', parts[0]!, stopped, parts[2]!, '--output-dir', tmp('pb-m-'));
  assert.match(unfinished.stderr, /stopped after 3 of 17 questions: finish it first/);
  const out = tmp('pb-m-');
  const partial = runCli('merge', parts[0]!, parts[2]!, '--allow-partial', '--output-dir', out);
  assert.equal(partial.code, 0, partial.stderr);
  assert.match(partial.stderr, /PARTIAL: parts 2 missing/);
  assert.deepEqual(json(join(out, 'results.json')).config.partial, { done: 34, total: 51 });
  const bad = runCli('run', '--model', 'x', '--data', 'y', '--part', '4/3', '--output-dir', tmp('pb-m-'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--part: part 4\/3: the index must be 1 to 3/);
});

test("a classroom's part links merged equal the single run: every number, and the picks of full links", () => {
  const links = (full: boolean) =>
    parts.map((d) => decodePayload(runCli('share', d, ...(full ? ['--full'] : [])).stdout.trim()));
  const wholeResults = json(join(whole, 'results.json'));
  for (const full of [false, true]) {
    const merged = mergeLinkParts(links(full).map((payload, i) => ({ label: `part ${i + 1}`, payload })));
    assert.deepEqual(merged.missing, []);
    const r = resultsFromPayload(decodePayload(encodePayload(merged.payload)));
    validateResults(r);
    for (const k of ['results', 'groups', 'group_subtasks', 'n-samples', 'configs'])
      assert.deepEqual(r[k as keyof typeof r], wholeResults[k], k);
    if (full)
      assert.equal(
        merged.payload.picks!.pred,
        buildPayload(wholeResults as never, [...readSamples(whole).values()] as never).picks!.pred,
      );
    else assert.equal(merged.payload.picks, undefined);
  }
  // The same refusals as pagebench merge, from links.
  const [a, b, c] = links(false);
  assert.throws(
    () =>
      mergeLinkParts([
        { label: 'A', payload: a! },
        { label: 'B', payload: a! },
      ]),
    /part 1\/3 is given twice: A and B/,
  );
  assert.throws(
    () =>
      mergeLinkParts([
        { label: 'A', payload: a! },
        { label: 'C', payload: c! },
      ]),
    /missing part 2\/3/,
  );
  const q8 = structuredClone(b!);
  q8.config.dtype = 'q8';
  assert.throws(
    () => mergeLinkParts([a!, q8, c!].map((payload, i) => ({ label: `P${i + 1}`, payload }))),
    /P2 is not the same setup as P1: dtype: fp32 vs q8/,
  );
  const partial = mergeLinkParts(
    [
      { label: 'A', payload: a! },
      { label: 'C', payload: c! },
    ],
    { allowPartial: true },
  );
  assert.deepEqual(partial.missing, [2]);
  assert.deepEqual(partial.payload.config.partial, { done: 34, total: 51 });
});

test("a part's full link shows its questions: the data hash and positions count over the whole run's subjects (CLI share --full → open --data)", () => {
  // Part 1/3 scores anatomy and part of astronomy; part 3 only virology: each link must reopen with its questions.
  for (const [i, dir] of parts.entries()) {
    const part = json(join(dir, 'results.json')).config.part as { subjects?: string[] };
    assert.deepEqual(part.subjects, ['anatomy', 'astronomy', 'virology'], `part ${i + 1} names the run's subjects`);
    const link = runCli('share', dir, '--full').stdout.trim().split('\n').at(-1)!;
    const out = tmp('pb-part-open-');
    const r = runCli('open', link, '--data', SHARED_MMLU, '--output-dir', out);
    assert.equal(r.code, 0, r.stderr);
    // A part writes an empty samples file for a subject it did not reach.
    const picks = (d: string) =>
      new Map(
        readdirSync(d)
          .filter((f) => f.startsWith('samples_'))
          .flatMap((f) => readFileSync(join(d, f), 'utf8').split('\n').filter(Boolean))
          .map((l) => JSON.parse(l) as { subject: string; doc_id: number; pred: number })
          .map((x) => [`${x.subject}/${x.doc_id}`, x]),
      );
    const opened = picks(out);
    const own = picks(dir);
    assert.deepEqual([...opened.keys()].sort(), [...own.keys()].sort(), `part ${i + 1}: the same questions`);
    for (const [k, s] of own) assert.equal(opened.get(k)!.pred, s.pred, `part ${i + 1} ${k}: the same pick`);
  }
  // With other data the refusal is one line, ending in a newline.
  const link = runCli('share', parts[0]!, '--full').stdout.trim().split('\n').at(-1)!;
  const other = tmp('pb-other-mmlu-');
  for (const split of ['test', 'dev'])
    for (const subject of ['anatomy', 'astronomy', 'virology'])
      cpSync(join(SHARED_MMLU, split, `${subject}_${split}.csv`), join(other, split, `${subject}_${split}.csv`));
  writeFileSync(join(other, 'test/anatomy_test.csv'), 'Changed?,a,b,c,d,A\n');
  const bad = runCli('open', link, '--data', other, '--output-dir', tmp('pb-open-bad-'));
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /^pagebench: error: the link's questions: the dataset here differs from the one the run used \(data hash [0-9a-f]{12}… vs [0-9a-f]{12}…\): its questions are not shown\n$/,
  );
});
