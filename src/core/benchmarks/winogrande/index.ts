import type { Benchmark } from '../types.ts';
import { loadSubset, str, type ToDoc } from '../load.ts';
import { winograndeDoc } from './prompt.ts';

/**
 * Winogrande (allenai/winogrande, winogrande_xl) as lm-eval v0.4.12's winogrande task (version
 * 1.0): partial scoring (prompt.ts; the template in templates/presets.ts). Rows carry no id, so
 * lm-eval's sampler compares them by content when it drops the evaluated document.
 */
const toDoc: ToDoc = (row) => {
  for (const k of ['sentence', 'option1', 'option2', 'answer'] as const) if (!str(row[k])) return `${k} missing`;
  const r = { sentence: row.sentence, option1: row.option1, option2: row.option2, answer: row.answer } as {
    sentence: string;
    option1: string;
    option2: string;
    answer: string;
  };
  const doc = winograndeDoc(r);
  if (typeof doc === 'string') return doc;
  return {
    question: r.sentence,
    choices: [r.option1, r.option2],
    answer: doc.gold,
    content: JSON.stringify(
      Object.keys(row)
        .sort()
        .map((k) => [k, row[k]]),
      (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v),
    ),
  };
};

export const winogrande: Benchmark = {
  id: 'winogrande',
  label: 'Winogrande',
  dataset: 'allenai/winogrande',
  subsets: ['winogrande'],
  splits: ['validation'],
  // lm_eval/tasks/winogrande/default.yaml, v0.4.12: no test_split and no fewshot_split (k+1 drawn)
  lmEvalSplits: { training: 'train', validation: 'validation', test: null, fewshot: null },
  fewshot: { sampler: 'random', seed: 1234 },
  templates: ['winogrande'],
  defaultTemplate: 'winogrande',
  defaultSubsets: ['winogrande'],
  load: (src, subset, split, shots) =>
    loadSubset(
      src.rows,
      { dataset: 'allenai/winogrande', config: 'winogrande_xl', split, fewshotSplit: 'train', subject: subset, shots },
      toDoc,
    ),
  subsetName: () => 'Winogrande',
  describeData: (src) => `${src.rows.description} (allenai/winogrande winogrande_xl)`,
  datasetName: () => 'winogrande_xl',
  splitName: (split) => split,
  taskName: () => 'winogrande',
  groups: () => [],
};
