import { DataError } from '../mmlu/question.ts';
import { loadSplit } from '../mmlu/source.ts';
import { LM_EVAL_GROUPS, SUBJECTS, subjectInfo } from '../mmlu/subjects.ts';
import { groupLabel, paperLabel } from '../mmlu/labels.ts';
import { mmluGroups, taskPrefix } from '../mmlu/index.ts';
import { loadDocs, str, type ToDoc } from '../load.ts';
import type { Benchmark } from '../types.ts';

/**
 * MMLU-Redux 2.0 (edinburgh-dawg/mmlu-redux-2.0): MMLU test questions re-annotated, each with an
 * error_type ("ok" when the original label stands). Scored with the MMLU templates and MMLU's dev
 * rows as shots, against the original label; reported on all questions (`acc`) and on the "ok"
 * ones (`acc_ok`), the corrected-label view the MMLU-Redux paper argues for.
 */
const toDoc: ToDoc = (row) => {
  if (!str(row.question) || row.question.trim() === '') return 'empty question';
  const choices = row.choices;
  if (!Array.isArray(choices) || choices.length !== 4 || !choices.every(str)) return 'expected 4 choices';
  const a = typeof row.answer === 'bigint' ? Number(row.answer) : row.answer;
  if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a > 3) return 'answer is not 0-3';
  if (!str(row.error_type)) return 'error_type missing';
  return { question: row.question, choices: choices as string[], answer: a, extra: { error_type: row.error_type } };
};

const DATASET = 'edinburgh-dawg/mmlu-redux-2.0';
const prefix = (template: string) => taskPrefix(template).replace(/^mmlu/, 'mmlu_redux');

export const mmluRedux: Benchmark = {
  id: 'mmlu_redux',
  label: 'MMLU-Redux 2.0',
  dataset: DATASET,
  subsets: SUBJECTS.map((s) => s.id),
  selections: Object.fromEntries(
    LM_EVAL_GROUPS.map((g) => [g, SUBJECTS.filter((s) => s.lmEvalGroup === g).map((s) => s.id)]),
  ),
  splits: ['test'],
  lmEvalSplits: { training: null, validation: null, test: 'test', fewshot: 'dev' },
  fewshot: { sampler: 'first_n', dataset: 'cais/mmlu' },
  templates: ['lm-eval', 'original', 'helm-prompt', 'cloze'],
  defaultTemplate: 'lm-eval',
  defaultSubsets: ['anatomy'],
  async load(src, subset, split, shots) {
    const questions = await loadDocs(src.rows, DATASET, subset, split, subset, toDoc);
    if (shots === 0) return { subject: subset, questions, dev: [] };
    const dev = await loadSplit(src.mmlu, subset, 'dev');
    if (dev.problems.length)
      throw new DataError(`malformed MMLU dev data for ${subset}: ${dev.problems[0]!.message}`, dev.problems);
    return { subject: subset, questions, dev: dev.questions };
  },
  subsetName: (s) => subjectInfo(s).name,
  subsetGroup: (s) => ({ group: subjectInfo(s).lmEvalGroup, secondary: paperLabel(s) }),
  groupLabel,
  describeData: (src) => `${src.rows.description} (${DATASET}); shots: ${src.mmlu.description}`,
  datasetName: (subset) => subset,
  splitName: (split) => split,
  taskName: (template, subset) => `${prefix(template)}_${subset}`,
  groups: (template, subjects) => mmluGroups(prefix(template), subjects),
  views: { ok: (s) => s.error_type === 'ok' },
};
