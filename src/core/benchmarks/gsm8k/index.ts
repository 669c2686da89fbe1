import type { Benchmark } from '../types.ts';
import { loadSubset, str, type ToDoc } from '../load.ts';

/**
 * GSM8K (openai/gsm8k, main) as lm-eval v0.4.12's gsm8k task (version 3.0): generation scored by
 * exact_match under two filters (the template in templates/presets.ts, extraction in extract.ts).
 * The worked answer is the document's one "choice", so a shot is its question, " " and that answer.
 */
const toDoc: ToDoc = (row) => {
  if (!str(row.question) || row.question === '') return 'question missing';
  if (!str(row.answer) || row.answer === '') return 'answer missing';
  return { question: row.question, choices: [row.answer], answer: 0 };
};

export const gsm8k: Benchmark = {
  id: 'gsm8k',
  label: 'GSM8K',
  dataset: 'openai/gsm8k',
  subsets: ['gsm8k'],
  splits: ['test'],
  // lm_eval/tasks/gsm8k/gsm8k.yaml, v0.4.12: fewshot_split train != test_split test (k drawn)
  lmEvalSplits: { training: 'train', validation: null, test: 'test', fewshot: 'train' },
  fewshot: { sampler: 'random', seed: 1234 },
  templates: ['gsm8k', 'gsm8k-v1'],
  defaultTemplate: 'gsm8k',
  defaultSubsets: ['gsm8k'],
  load: (src, subset, split, shots) =>
    loadSubset(
      src.rows,
      { dataset: 'openai/gsm8k', config: 'main', split, fewshotSplit: 'train', subject: subset, shots },
      toDoc,
    ),
  subsetName: () => 'GSM8K',
  describeData: (src) => `${src.rows.description} (openai/gsm8k main)`,
  datasetName: () => 'main',
  splitName: (split) => split,
  taskName: () => 'gsm8k',
  groups: () => [],
};
