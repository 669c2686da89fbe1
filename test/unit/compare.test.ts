import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompareRow as Row } from '../../src/core/compare/compare.ts';
import { LM_EVAL_RESULTS } from '../fixtures/lmEvalResults.ts';
import { readSamples, runCli, storiesCli } from '../support/cli.ts';
import { SHARED_MMLU } from '../support/paths.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const json = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

const zero = tmp('pb-cmp-0-');
const one = tmp('pb-cmp-1-');
const made = [
  storiesCli('run', ['--subjects', 'anatomy,astronomy', '--output-dir', zero]),
  storiesCli('run', ['--subjects', 'anatomy,astronomy', '--shots', '1', '--output-dir', one]),
];

test("compare: a pagebench run against lm-evaluation-harness' own results.json, numbers from both files, N/A as no stderr", () => {
  for (const r of made) assert.equal(r.code, 0, r.stderr);
  const lmEval = join(tmp('pb-lmeval-'), 'results_2026-11-25T10-00-00.json');
  writeFileSync(lmEval, JSON.stringify(LM_EVAL_RESULTS, null, 2));
  const r = runCli('compare', zero, lmEval, '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { rows: Row[]; paired: unknown; warnings: string[] };
  assert.deepEqual(Object.keys(out), ['rows', 'paired', 'warnings']);
  const mine = json(join(zero, 'results.json')).results;
  const row = (task: string, metric = 'acc,none') => out.rows.find((x) => x.task === task && x.metric === metric)!;
  for (const task of ['mmlu_anatomy', 'mmlu_astronomy']) {
    const x = row(task);
    const theirs = LM_EVAL_RESULTS.results[task as 'mmlu_anatomy'];
    assert.equal(x.a, mine[task]['acc,none']);
    assert.equal(x.a_stderr, mine[task]['acc_stderr,none']);
    assert.equal(x.b, theirs['acc,none']);
    assert.equal(x.b_stderr, theirs['acc_stderr,none']);
    assert.equal(x.diff, theirs['acc,none'] - mine[task]['acc,none']);
  }
  const stem = row('mmlu_stem');
  assert.equal(stem.b, 0.4);
  assert.equal(stem.b_stderr, null); // "N/A"
  assert.equal(row('mmlu_stem', 'acc_macro,none').b, null); // lm-eval has no macro
  assert.equal(out.paired, null);
  assert.ok(
    out.warnings.some((w) => /^only .* has mmlu$/.test(w)),
    out.warnings.join('\n'),
  );
  assert.ok(out.warnings.some((w) => /comes from lm-evaluation-harness/.test(w)));
  const table = runCli('compare', zero, lmEval);
  assert.match(table.stdout, /mmlu_anatomy +acc,none +0\.\d{4} +0\.\d{4} +0\.4519 +0\.0430 +[+-]0\.\d{4}/);
});

test('compare: two pagebench runs on the same questions get paired statistics and flips; other shots are a warning', () => {
  const r = runCli('compare', zero, one, '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const a = readSamples(zero);
  const b = readSamples(one);
  let aOnly = 0;
  let bOnly = 0;
  let same = 0;
  for (const [k, s] of a) {
    const t = b.get(k)!;
    if (s.acc && !t.acc) aOnly++;
    if (!s.acc && t.acc) bOnly++;
    if (s.pred === t.pred) same++;
  }
  assert.equal(out.paired.n, a.size);
  assert.equal(out.paired.a_only, aOnly);
  assert.equal(out.paired.b_only, bOnly);
  assert.equal(out.paired.flips.length, aOnly + bOnly);
  assert.equal(out.paired.agreement, same / a.size);
  assert.ok(Math.abs(out.paired.diff - (bOnly - aOnly) / a.size) < 1e-15);
  assert.ok(out.paired.diff_ci[0] <= out.paired.diff && out.paired.diff <= out.paired.diff_ci[1]);
  assert.ok(out.warnings.some((w: string) => /different few-shot counts/.test(w)));
  assert.ok(out.warnings.some((w: string) => /num_fewshot: 0 vs 1/.test(w)));
  // A full link with the dataset is a side with picks too: the same paired numbers.
  const link = runCli('share', one, '--full').stdout.trim();
  const viaLink = JSON.parse(runCli('compare', zero, link, '--json', '--data', SHARED_MMLU).stdout);
  assert.deepEqual(viaLink.paired, out.paired);
  const bad = runCli('compare', zero, join(zero, 'nothing.json'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^pagebench: error: .*nothing\.json: no such file or folder\n$/);
});
