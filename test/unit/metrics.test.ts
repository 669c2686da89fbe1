import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  macroAcc,
  macroStderr,
  meanStderr,
  microAcc,
  pooledStderr,
  subtaskStat,
} from '../../src/core/report/metrics.ts';
import { buildResults } from '../../src/core/report/results.ts';
import { validateResults } from '../../src/core/report/validate.ts';
import type { EvalSettings, Sample } from '../../src/core/evaluate.ts';

const close = (a: number | null, b: number, what: string) =>
  assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

// Hand computation (see comments) for two subjects: A = [1,0,1,1], B = [0,0,1].
//  A: mean .75, sample var ((3*.25^2)+.75^2)/3 = .25, se = .5/sqrt(4) = .25
//  B: mean 1/3, sample var (2/9 + 4/9)/2 = 1/3, se = sqrt(1/3)/sqrt(3) = 1/3
//  micro = 4/7; pooled var = (3*.0625*4 + 2*(1/9)*3)/(7-2) = 0.28333..., se = sqrt(0.28333.../7)
//  macro = (.75 + 1/3)/2; macro se = sqrt(.0625 + 1/9)/2
test('subject and group statistics equal hand-computed values', () => {
  const A = subtaskStat([1, 0, 1, 1]);
  const B = subtaskStat([0, 0, 1]);
  close(A.acc, 0.75, 'acc A');
  close(A.stderr, 0.25, 'se A');
  close(B.acc, 1 / 3, 'acc B');
  close(B.stderr, 1 / 3, 'se B');
  close(microAcc([A, B]), 4 / 7, 'micro');
  close(pooledStderr([A, B]), Math.sqrt((0.75 + 2 / 3) / 5 / 7), 'pooled se');
  assert.equal(pooledStderr([A, B])!.toFixed(7), '0.2011870');
  close(macroAcc([A, B]), 0.5416666666666666, 'macro');
  close(macroStderr([A, B]), Math.sqrt(0.0625 + 1 / 9) / 2, 'macro se');
  assert.equal(meanStderr([1]), null);
});

function sample(subject: string, docId: number, acc: 0 | 1): Sample {
  return {
    subject,
    doc_id: docId,
    target: 0,
    context: 'Q?\nAnswer:',
    continuations: [' A', ' B', ' C', ' D'],
    loglikelihoods: [-1, -2, -3, -4],
    is_greedy: [false, false, false, false],
    pred: acc ? 0 : 1,
    acc,
    input_tokens: 10,
    truncated: false,
    shots_used: 0,
  };
}

test('results.json: lm-eval keys, groups weighted by size, paper categories, schema-valid', () => {
  // anatomy: lm-eval "stem", paper "other"; formal_logic: humanities in both; virology: other in both.
  const samples = [
    ...[1, 0, 1, 1].map((a, i) => sample('anatomy', i, a as 0 | 1)),
    ...[0, 0, 1].map((a, i) => sample('formal_logic', i, a as 0 | 1)),
    ...[1, 1].map((a, i) => sample('virology', i, a as 0 | 1)),
  ];
  const settings: EvalSettings = {
    subjects: ['anatomy', 'formal_logic', 'virology'],
    split: 'test',
    shots: 0,
    template: 'lm-eval',
    bos: 'tokenizer',
    scorer: 'naive',
  };
  const r = buildResults(settings, samples, {
    model: { id: 'm', revision: 'local', source: 'local', maxLength: 512 },
    dtype: 'fp32',
    device: 'cpu',
    data: 'x',
    batchSize: 1,
    graphRewrites: [],
    loadSeconds: 0,
    evalSeconds: 1,
    promptTokens: 90,
    truncatedCount: 0,
    date: new Date(0).toISOString(),
  }) as Record<string, Record<string, Record<string, number | null>>>;
  validateResults(r);
  close(r.results!.mmlu_anatomy!['acc,none']!, 0.75, 'anatomy');
  close(r.results!.mmlu_anatomy!['acc_stderr,none']!, 0.25, 'anatomy se');
  close(r.groups!.mmlu!['acc,none']!, 6 / 9, 'mmlu micro');
  close(r.groups!.mmlu!['acc_macro,none']!, (0.75 + 1 / 3 + 1) / 3, 'mmlu macro');
  close(r.groups!.mmlu_stem!['acc,none']!, 0.75, 'stem = anatomy');
  close(r.groups!.mmlu_other!['acc,none']!, 1, 'other = virology');
  assert.equal(r.groups!.mmlu_social_sciences, undefined);
  const cats = (r.pagebench as unknown as { categories: Record<string, Record<string, number>> }).categories;
  close(cats['other (business, health, misc.)']!['acc,none']!, 5 / 6, 'paper "other" = anatomy + virology');
  // virology is all correct: its stderr is 0, and the pooled group stderr still follows lm-eval
  close(r.groups!.mmlu_other!['acc_stderr,none']!, 0, 'se of [1,1]');
  assert.deepEqual((r.group_subtasks as unknown as Record<string, string[]>).mmlu, [
    'mmlu_stem',
    'mmlu_humanities',
    'mmlu_other',
  ]);
  assert.equal((r['n-shot'] as unknown as Record<string, number>).mmlu_formal_logic, 0);
  assert.throws(
    () => validateResults({ ...r, config: { ...r.config, dtype: 'fp64' } }),
    /results\.json does not match its schema: \/config\/dtype/,
  );
});
