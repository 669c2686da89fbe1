import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'fflate';
import QRCode from 'qrcode';
import { validateResults } from '../../src/core/report/validate.ts';
import { payloadScoreboard, resultsFromPayload } from '../../src/core/share/open.ts';
import { fromBase64Url, packValues, toBase64Url, unpackValues } from '../../src/core/share/bits.ts';
import {
  buildPayload,
  decodePayload,
  encodePayload,
  ShareError,
  type SharePayload,
} from '../../src/core/share/payload.ts';
import { readSamples, runCli, storiesCli } from '../support/cli.ts';
import { fuzzLinks } from '../support/fuzzLinks.ts';
import { SHARED_MMLU } from '../support/paths.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const json = (f: string) =>
  JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown> & { config: Record<string, unknown> };

const run = tmp('pb-share-run-');
const cloze = tmp('pb-share-cloze-');
const gen = tmp('pb-share-gen-');
const made = [
  storiesCli('run', ['--subjects', 'stem', '--limit', '12', '--shots', '1', '--output-dir', run]),
  storiesCli('run', ['--subjects', 'anatomy,virology', '--limit', '15', '--template', 'cloze', '--output-dir', cloze]),
  storiesCli('run', ['--subjects', 'anatomy', '--limit', '10', '--template', 'generate', '--output-dir', gen]),
];

const withoutLinkMark = (r: Record<string, unknown> & { config: Record<string, unknown> }) => {
  const config = { ...r.config };
  delete config.shared_link;
  return { ...r, config };
};

test('bits: values packed at 1-4 bits round-trip; base64url round-trips any bytes', () => {
  for (const bits of [1, 2, 3, 4]) {
    const values = Array.from({ length: 1001 }, (_, i) => (i * 7 + 3) % (1 << bits));
    assert.deepEqual(unpackValues(packValues(values, bits), bits, values.length), values);
  }
  // 2 bits per MMLU question: all of the test split in 3,511 bytes before compression.
  assert.equal(packValues(new Array(14042).fill(3), 2).length, 3511);
  const bytes = Uint8Array.from({ length: 777 }, (_, i) => (i * 131) & 255);
  assert.deepEqual(fromBase64Url(toBase64Url(bytes)), bytes);
  assert.throws(() => packValues([4], 2));
});

test('summary and full links reopen with identical numbers; the full link gives back every pick', () => {
  for (const r of made) assert.equal(r.code, 0, r.stderr);
  for (const dir of [run, cloze, gen]) {
    const summary = runCli('share', dir);
    assert.equal(summary.code, 0, summary.stderr);
    const full = runCli('share', dir, '--full', '--base-url', 'https://example.org/pagebench/');
    assert.match(full.stdout, /^https:\/\/example\.org\/pagebench\/#\/share\/v1\.[A-Za-z0-9_-]+\n$/);
    const original = json(join(dir, 'results.json'));
    const fromSummary = tmp('pb-open-');
    const o1 = runCli('open', summary.stdout.trim(), '--output-dir', fromSummary);
    assert.equal(o1.code, 0, o1.stderr);
    const reopened = json(join(fromSummary, 'results.json'));
    validateResults(reopened);
    assert.deepEqual(reopened.config.shared_link, { version: 1, kind: 'summary' });
    assert.deepEqual(withoutLinkMark(reopened), original, dir);
    const fromFull = tmp('pb-open-');
    const o2 = runCli('open', full.stdout.trim(), '--data', SHARED_MMLU, '--output-dir', fromFull);
    assert.equal(o2.code, 0, o2.stderr);
    assert.deepEqual(withoutLinkMark(json(join(fromFull, 'results.json'))), original);
    const picks = readSamples(fromFull);
    const samples = readSamples(dir);
    assert.equal(picks.size, samples.size);
    for (const [k, s] of samples) {
      const p = picks.get(k)!;
      assert.equal(p.pred, s.pred, k);
      assert.equal(p.target, s.target, k);
      assert.equal(p.context, s.context, k);
      assert.deepEqual(p.continuations, s.continuations, k);
      if (s.pred_norm !== undefined) assert.equal(p.pred_norm, s.pred_norm, k);
    }
  }
});

test('a full link opened against other data says so instead of showing wrong rows', () => {
  const full = runCli('share', gen, '--full').stdout.trim();
  const data = tmp('pb-otherdata-');
  cpSync(SHARED_MMLU, data, { recursive: true });
  const f = join(data, 'test', 'anatomy_test.csv');
  const text = readFileSync(f, 'utf8');
  writeFileSync(f, text.replace('A lesion causing', 'A lesion that causes'));
  assert.notEqual(readFileSync(f, 'utf8'), text);
  const r = runCli('open', full, '--data', data, '--output-dir', tmp('pb-open-'));
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^pagebench: error: the link's questions: the dataset here differs from the one the run used \(data hash [0-9a-f]{12}… vs [0-9a-f]{12}…\): its questions are not shown\n$/,
  );
});

test('bad links: one error line naming the problem, never a stack trace', () => {
  const good = runCli('share', run).stdout.trim();
  const payload = good.slice(good.indexOf('#/share/') + 8);
  const cases: [string, RegExp][] = [
    ['https://x/#/share/hello', /no version mark/],
    ['v2.' + payload.slice(3), /format v2; this pagebench reads v1/],
    [good.slice(0, good.length - 40), /damaged|malformed|not JSON/],
    ['v1.' + toBase64Url(deflateSync(new TextEncoder().encode('{"v":1}'))), /malformed/],
    ['v1.' + toBase64Url(deflateSync(new Uint8Array(2_000_000).fill(32))), /larger than 1048576 bytes/],
    ['v1.***', /damaged/],
    [
      encodePayload({ ...decodePayload(good), config: { ...decodePayload(good).config, lm_eval_version: '0.4.02' } }),
      /names lm-eval 0\.4\.02, not a release pagebench reproduces \(0\.4\.12, 0\.4\.9\.1, leaderboard-v1\)/,
    ],
  ];
  for (const [link, msg] of cases) {
    const r = runCli('open', link, '--output-dir', tmp('pb-open-'));
    assert.equal(r.code, 1, link.slice(0, 40));
    assert.match(r.stderr, /^pagebench: error: the link: /);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('a summary link of all 57 MMLU subjects fits a QR code', () => {
  const all = tmp('pb-share-all-');
  assert.equal(storiesCli('run', ['--subjects', 'all', '--limit', '2', '--output-dir', all]).code, 0);
  const link = runCli('share', all, '--base-url', 'https://pagebench.example/').stdout.trim();
  assert.ok(link.length < 2900, `${link.length} characters`);
  const qr = QRCode.create(link, { errorCorrectionLevel: 'L' });
  assert.ok(qr.version <= 40);
});

test('fuzz: 10,000 random and mutated links through the decoder and the result they render: each renders or is refused with a message', () => {
  const base = buildPayload(json(join(run, 'results.json')) as never, [...readSamples(run).values()] as never);
  const links = fuzzLinks(base, 10_000);
  let rendered = 0;
  let refused = 0;
  for (const link of links) {
    let p: SharePayload;
    try {
      p = decodePayload(link);
    } catch (e) {
      assert.ok(e instanceof ShareError, `not a ShareError: ${String(e)} for ${link.slice(0, 80)}`);
      assert.ok((e as Error).message.length > 10);
      refused++;
      continue;
    }
    // What the share view renders from: the scoreboard and the results.json it offers to download.
    const sb = payloadScoreboard(p);
    assert.ok(sb.tasks.length > 0);
    for (const t of sb.tasks) for (const m of Object.values(t.metrics)) assert.ok(m.value >= 0 && m.value <= 1);
    validateResults(resultsFromPayload(p));
    rendered++;
  }
  assert.equal(rendered + refused, 10_000);
  assert.ok(rendered > 300 && refused > 5000, `rendered ${rendered}, refused ${refused}`);
});
