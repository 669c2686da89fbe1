import { pyCapitalize, pyStrip } from '../../util/pyStr.ts';
import type { Benchmark } from '../types.ts';
import { loadSubset, str, type ToDoc } from '../load.ts';

/**
 * lm-eval's hellaswag utils.preprocess, with Python's semantics: str.strip()'s whitespace set,
 * and `.` in `\[.*?\]` matching anything but "\n" (JavaScript's `.` also stops at \r, U+2028/9).
 */
export function preprocess(text: string): string {
  return pyStrip(text)
    .replaceAll(' [title]', '. ')
    .replace(/\[[^\n]*?\]/g, '')
    .replaceAll('  ', ' ');
}

/** lm-eval's hellaswag process_docs: ctx = ctx_a + " " + ctx_b.capitalize(); query = preprocess(activity_label + ": " + ctx). */
const toDoc: ToDoc = (row) => {
  for (const k of ['activity_label', 'ctx_a', 'ctx_b'] as const) if (!str(row[k])) return `${k} missing`;
  const endings = row.endings;
  if (!Array.isArray(endings) || endings.length < 2 || !endings.every(str)) return 'endings must be a list of strings';
  const label = typeof row.label === 'bigint' ? String(row.label) : row.label;
  if (!(str(label) || typeof label === 'number') || !/^\d+$/.test(String(label)))
    return `label "${String(label)}" is not a choice index`;
  const answer = Number(label);
  if (answer >= endings.length) return `label ${answer} but only ${endings.length} endings`;
  const ctx = `${row.ctx_a as string} ${pyCapitalize(row.ctx_b as string)}`;
  return {
    question: preprocess(`${row.activity_label as string}: ${ctx}`),
    choices: (endings as string[]).map(preprocess),
    answer,
  };
};

export const hellaswag: Benchmark = {
  id: 'hellaswag',
  label: 'HellaSwag',
  dataset: 'Rowan/hellaswag',
  subsets: ['hellaswag'],
  splits: ['validation'],
  // lm_eval/tasks/hellaswag/hellaswag.yaml, v0.4.12: test_split null and no fewshot_split
  lmEvalSplits: { training: 'train', validation: 'validation', test: null, fewshot: null },
  fewshot: { sampler: 'random', seed: 1234 },
  templates: ['hellaswag'],
  defaultTemplate: 'hellaswag',
  defaultSubsets: ['hellaswag'],
  load: (src, subset, split, shots) =>
    loadSubset(
      src.rows,
      { dataset: 'Rowan/hellaswag', config: 'default', split, fewshotSplit: 'train', subject: subset, shots },
      toDoc,
    ),
  subsetName: () => 'HellaSwag',
  describeData: (src) => `${src.rows.description} (Rowan/hellaswag)`,
  datasetName: () => null,
  splitName: (split) => split,
  taskName: () => 'hellaswag',
  groups: () => [],
};
