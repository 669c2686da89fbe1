import { loadSubjectData } from './data.ts';
import type { Split } from './question.ts';
import { CATEGORIES, LM_EVAL_GROUPS, SUBJECTS, subjectInfo, type Category } from './subjects.ts';
import type { Benchmark, GroupSpec } from '../types.ts';
import { groupLabel, paperLabel } from './labels.ts';

/** lm-eval task names: mmlu_<subject> for the default template, mmlu_<template>_<subject> otherwise. */
export function taskPrefix(template: string): string {
  return template === 'lm-eval'
    ? 'mmlu'
    : template === 'cloze'
      ? 'mmlu_continuation'
      : template === 'generate'
        ? 'mmlu_generative'
        : `mmlu_${template}`;
}

/** lm-eval's mmlu group holding its four subgroups (weight_by_size), over the subjects run. */
export function mmluGroups(prefix: string, subjects: string[]): GroupSpec[] {
  const children = LM_EVAL_GROUPS.map((g) => ({
    name: `${prefix}_${g}`,
    alias: ` - ${g}`,
    subsets: subjects.filter((s) => subjectInfo(s).lmEvalGroup === g),
  })).filter((g) => g.subsets.length > 0);
  return [{ name: prefix, alias: prefix, subsets: subjects, children }];
}

/** The original release's 4 categories and 17 subcategories (Hendrycks et al., categories.py). */
function paperGroups(subjects: string[]): Record<string, GroupSpec[]> {
  const categories: GroupSpec[] = [];
  const subcategories: GroupSpec[] = [];
  for (const cat of Object.keys(CATEGORIES) as Category[]) {
    categories.push({ name: cat, alias: cat, subsets: subjects.filter((s) => subjectInfo(s).category === cat) });
    for (const sub of CATEGORIES[cat])
      subcategories.push({
        name: sub,
        alias: sub,
        subsets: subjects.filter((s) => subjectInfo(s).subcategory === sub),
      });
  }
  return { categories, subcategories };
}

/**
 * MMLU (cais/mmlu, or the original release's CSVs): the subjects, splits and templates live in
 * src/core/mmlu and src/core/templates; its results.json is lm-eval's exactly (report/results.ts).
 */
export const mmlu: Benchmark = {
  id: 'mmlu',
  label: 'MMLU',
  dataset: 'cais/mmlu',
  subsets: SUBJECTS.map((s) => s.id),
  selections: Object.fromEntries(
    LM_EVAL_GROUPS.map((g) => [g, SUBJECTS.filter((s) => s.lmEvalGroup === g).map((s) => s.id)]),
  ),
  splits: ['test', 'val'],
  // lm_eval/tasks/mmlu/default/_default_template_yaml, v0.4.12
  lmEvalSplits: { training: null, validation: null, test: 'test', fewshot: 'dev' },
  fewshot: { sampler: 'first_n' },
  templates: ['lm-eval', 'original', 'helm', 'helm-prompt', 'cloze', 'generate'],
  defaultTemplate: 'lm-eval',
  defaultSubsets: ['anatomy'],
  load: (src, subset, split) => loadSubjectData(src.mmlu, subset, split as Split),
  subsetName: (s) => subjectInfo(s).name,
  subsetGroup: (s) => ({ group: subjectInfo(s).lmEvalGroup, secondary: paperLabel(s) }),
  groupLabel,
  describeData: (src) => src.mmlu.description,
  datasetName: (subset) => subset,
  splitName: (split) => (split === 'val' ? 'validation' : split),
  reportGroups: paperGroups,
  taskName: (template, subset) => `${taskPrefix(template)}_${subset}`,
  groups: (template, subjects) => mmluGroups(taskPrefix(template), subjects),
};
