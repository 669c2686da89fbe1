import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompareRow as Row } from '../../src/core/compare/compare.ts';
import { LM_EVAL_RESULTS } from '../fixtures/lmEvalResults.ts';
import { readSamples, runCli, storiesCli } from '../support/cli.ts';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';
import { makeQuantizedVariants, SYSTEM_PYTHON } from '../support/syntheticModel.ts';
import { execFileSync } from 'node:child_process';

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
  const out = JSON.parse(r.stdout) as {
    rows: Row[];
    paired: unknown;
    warnings: string[];
    not_like_for_like: string | null;
  };
  assert.deepEqual(Object.keys(out), ['rows', 'paired', 'warnings', 'not_like_for_like']);
  // The same subjects and counts: as far as pagebench can check, like for like (lm-eval's own config
  // cannot be checked: that is a warning, not a verdict).
  assert.equal(out.not_like_for_like, null);
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
  assert.match(out.not_like_for_like, /different few-shot counts/);
  // A full link with the dataset is a side with picks too: the same paired numbers.
  const link = runCli('share', one, '--full').stdout.trim();
  const viaLink = JSON.parse(runCli('compare', zero, link, '--json', '--data', SHARED_MMLU).stdout);
  // (a link carries picks, not log-likelihoods: no |ΔLL| there)
  assert.equal(viaLink.paired.loglikelihood_distance, null);
  assert.deepEqual({ ...viaLink.paired, loglikelihood_distance: 0 }, { ...out.paired, loglikelihood_distance: 0 });
  const bad = runCli('compare', zero, join(zero, 'nothing.json'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^pagebench: error: .*nothing\.json: no such file or folder\n$/);
});

test('compare: the same model in two dtypes (fp32 vs q8): the |ΔLL| distribution beside the paired statistics', () => {
  const dir = makeQuantizedVariants(STORIES, 'q8');
  const fp32 = tmp('pb-cmp-fp32-');
  const q8 = tmp('pb-cmp-q8-');
  for (const [dtype, out] of [
    ['fp32', fp32],
    ['q8', q8],
  ] as const)
    assert.equal(storiesCli('run', ['--subjects', 'anatomy', '--dtype', dtype, '--output-dir', out], dir).code, 0);
  const r = runCli('compare', fp32, q8, '--json');
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout).paired.loglikelihood_distance as {
    n: number;
    median: number;
    p95: number;
    max: number;
  };
  // Expected: numpy's percentile (method "higher") over every choice's |ΔLL|, computed in Python.
  const a = readSamples(fp32);
  const b = readSamples(q8);
  const diffs = [...a].flatMap(([k, s]) =>
    (s.loglikelihoods as number[]).map((v, j) => Math.abs(v - (b.get(k)!.loglikelihoods as number[])[j]!)),
  );
  const expected = JSON.parse(
    execFileSync(
      SYSTEM_PYTHON,
      [
        '-c',
        'import json, sys, numpy as np; d = np.array(json.load(sys.stdin)); print(json.dumps([len(d), float(np.percentile(d, 50, method="higher")), float(np.percentile(d, 95, method="higher")), float(d.max())]))',
      ],
      { input: JSON.stringify(diffs), encoding: 'utf8' },
    ),
  ) as number[];
  assert.deepEqual([d.n, d.median, d.p95, d.max], expected);
  assert.ok(d.max > 0, 'q8 moves the numbers');
  assert.match(runCli('compare', fp32, q8).stdout, /log-likelihoods \|B−A\| over \d+ choices: median /);
});

test('compare: two runs that share no question (other subjects, other shots) get no like-for-like difference, said in words', () => {
  const other = tmp('pb-cmp-other-');
  const made2 = storiesCli('run', ['--subjects', 'abstract_algebra', '--shots', '1', '--output-dir', other]);
  assert.equal(made2.code, 0, made2.stderr);
  const out = JSON.parse(runCli('compare', zero, other, '--json').stdout);
  // The MMLU group is in both, so a group difference exists; it is not a finding.
  assert.ok(out.rows.some((r: Row) => r.task === 'mmlu' && r.diff !== null));
  assert.equal(out.paired, null);
  assert.match(out.not_like_for_like, /^no question in common; /);
  const table = runCli('compare', zero, other).stdout;
  assert.match(table, /\nB − A is not a like-for-like difference: no question in common; .*\n$/);
});
