/**
 * Every run's probability figures against a numpy re-implementation (test/support/calibration_ref.py,
 * Debian's python3): the MMLU paper's rms_calibration_error (calib_tools.rmsce's exact path), the
 * 10-bin ECE, the Brier score, the answer distribution and RStd — on a real run's stored samples
 * (stories260K, three real MMLU subjects, 389 questions: 3 adaptive bins) and on constructed
 * confidences that hit the edge cases (ties at p = 0.5, an edge index rounded half to even, fewer
 * than 100 questions: one bin).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmsCalibrationError } from '../../src/core/report/calibration.ts';
import { readSamples, storiesCli } from '../support/cli.ts';
import { REPO } from '../support/paths.ts';

type S = { loglikelihoods: number[]; target: number; pred: number; subject: string };

function reference(samples: S[], groups: Record<string, string[]> = {}) {
  const r = spawnSync('/usr/bin/python3', [join(REPO, 'test/support/calibration_ref.py')], {
    input: JSON.stringify({ samples, groups }),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('a real run: rms_calibration_error (overall and per group), ECE, Brier, answer distribution equal numpy', () => {
  const out = mkdtempSync(join(tmpdir(), 'pb-calib-'));
  const subjects = ['anatomy', 'astronomy', 'college_physics'];
  const r = storiesCli('run', ['--subjects', subjects.join(','), '--output-dir', out]);
  assert.equal(r.code, 0, r.stderr);
  const samples = [...readSamples(out).values()] as unknown as S[];
  assert.equal(samples.length, 135 + 152 + 102);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  const groups = Object.fromEntries(
    Object.keys(results.probabilities.rms_calibration_error_by_group).map((g) => [
      g,
      results.group_subtasks[g]
        .flatMap((t: string) => results.group_subtasks[t] ?? [t])
        .map((t: string) => t.replace(/^mmlu_/, '')),
    ]),
  );
  const ref = reference(samples, groups);
  const p = results.probabilities;
  near(p.rms_calibration_error, ref.rms_calibration_error, 'rms_calibration_error');
  near(p.ece, ref.ece, 'ece');
  near(p.brier, ref.brier, 'brier');
  assert.deepEqual(Object.keys(p.rms_calibration_error_by_group).sort(), ['mmlu', 'mmlu_stem']);
  for (const [g, v] of Object.entries(ref.rms_calibration_error_by_group))
    near(p.rms_calibration_error_by_group[g], v as number, `rms ${g}`);
  assert.deepEqual(p.answer_distribution.predicted, ref.answer_distribution.predicted);
  assert.deepEqual(p.answer_distribution.gold, ref.answer_distribution.gold);
  near(p.answer_distribution.rstd, ref.answer_distribution.rstd, 'rstd');
});

test('rms_calibration_error at its edges: p = 0.5 ties, half-to-even edge indices, fewer than 100 questions', () => {
  // Highest probability p on choice `pick`: log-likelihoods [log p, log((1 − p)/3) ×3] rotated.
  const make = (n: number, seed: number): S[] => {
    let x = seed;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    return Array.from({ length: n }, (_, i) => {
      const p = i % 7 === 0 ? 0.5 : 0.26 + 0.7 * rnd();
      const pick = i % 4;
      const lls = [0, 1, 2, 3].map((c) => Math.log(c === pick ? p : (1 - p) / 3));
      return { loglikelihoods: lls, pred: pick, target: rnd() < p ? pick : (pick + 1) % 4, subject: 's' };
    });
  };
  for (const [n, seed] of [
    [450, 1],
    [250, 2],
    [99, 3],
    [1000, 4],
  ] as const) {
    const xs = make(n, seed);
    near(rmsCalibrationError(xs)!, reference(xs).rms_calibration_error, `n=${n}`);
  }
});
