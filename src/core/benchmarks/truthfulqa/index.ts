import type { Benchmark } from '../types.ts';
import { DataError, type Doc, type SubjectData } from '../doc.ts';
import { loadDocs, str, type ToDoc } from '../load.ts';
import { decodeUtf8 } from '../../util/utf8.ts';
import { mcTaskRows, rowProblem, type McTargets, type TruthfulQaRow } from './data.ts';

/**
 * TruthfulQA's multiple-choice tasks as lm-eval v0.4.12 runs them (truthfulqa_mc1.yaml, version
 * 2.0; truthfulqa_mc2.yaml, version 3.0): the primer prompt (prompt.ts), mc1 scores mc1_targets
 * with choice 0 the answer, mc2 scores mc2_targets and reports the probability mass on the true
 * choices (mc2.ts). Data: the hub's truthfulqa/truthful_qa multiple_choice validation rows, or the
 * original release's mc_task.json in a --data folder (the file the hub's rows are built from).
 */
const DATASET = 'truthfulqa/truthful_qa';

function hubTargets(v: unknown, name: string): McTargets | string {
  const t = v as { choices?: unknown; labels?: unknown } | null;
  const choices = Array.isArray(t?.choices) ? t.choices : null;
  const labels = Array.isArray(t?.labels) ? t.labels.map((l) => (typeof l === 'bigint' ? Number(l) : l)) : null;
  if (!choices || !labels || choices.length !== labels.length || choices.length < 2 || !choices.every(str))
    return `${name} must be {choices: [...], labels: [...]} of equal length (at least 2)`;
  const bad = labels.findIndex((l) => l !== 0 && l !== 1);
  if (bad >= 0) return `${name}: label ${bad + 1} is ${String(labels[bad])}, not 0 or 1`;
  return { choices: choices as string[], labels: labels as number[] };
}

function asDoc(row: TruthfulQaRow, which: 'mc1' | 'mc2'): Omit<Doc, 'subject' | 'split' | 'docId'> {
  const t = which === 'mc1' ? row.mc1_targets : row.mc2_targets;
  return {
    question: row.question,
    choices: t.choices,
    answer: 0,
    ...(which === 'mc2' ? { labels: t.labels } : {}),
    content: JSON.stringify([row.question, row.mc1_targets, row.mc2_targets]),
  };
}

const toDoc =
  (which: 'mc1' | 'mc2'): ToDoc =>
  (row) => {
    if (!str(row.question) || row.question === '') return 'question missing';
    const mc1 = hubTargets(row.mc1_targets, 'mc1_targets');
    if (typeof mc1 === 'string') return mc1;
    const mc2 = hubTargets(row.mc2_targets, 'mc2_targets');
    if (typeof mc2 === 'string') return mc2;
    const problem = rowProblem(mc1, mc2);
    if (problem) return problem;
    return asDoc({ question: row.question, mc1_targets: mc1, mc2_targets: mc2 }, which);
  };

async function load(
  src: Parameters<Benchmark['load']>[0],
  which: 'mc1' | 'mc2',
  subset: string,
  split: string,
): Promise<Doc[]> {
  if (split !== 'validation') throw new DataError(`TruthfulQA has only the validation split (asked for ${split})`);
  const release = await src.rows.raw?.('mc_task.json');
  if (release)
    return mcTaskRows(decodeUtf8(release.bytes, release.name), release.name).map((r, i) => ({
      ...asDoc(r, which),
      subject: subset,
      split,
      docId: i,
    }));
  return loadDocs(src.rows, DATASET, 'multiple_choice', split, subset, toDoc(which));
}

function truthfulqa(which: 'mc1' | 'mc2'): Benchmark {
  const id = `truthfulqa_${which}`;
  const template = which === 'mc1' ? 'truthfulqa' : 'truthfulqa-mc2';
  return {
    id,
    label: `TruthfulQA ${which}`,
    dataset: DATASET,
    subsets: [id],
    splits: ['validation'],
    // truthfulqa_mc1.yaml (mc2 includes it), v0.4.12: only validation_split; num_fewshot 0
    lmEvalSplits: { training: null, validation: 'validation', test: null, fewshot: null },
    fewshot: { sampler: 'random', seed: 1234 },
    templates: [template],
    defaultTemplate: template,
    defaultSubsets: [id],
    async load(src, subset, split, shots): Promise<SubjectData> {
      const questions = await load(src, which, subset, split);
      return { subject: subset, questions, dev: shots > 0 ? questions : [] };
    },
    subsetName: () => `TruthfulQA ${which}`,
    describeData: (src) => `${src.rows.description} (${DATASET} multiple_choice)`,
    datasetName: () => 'multiple_choice',
    splitName: (split) => split,
    taskName: () => id,
    groups: () => [],
  };
}

export const truthfulqaMc1 = truthfulqa('mc1');
export const truthfulqaMc2 = truthfulqa('mc2');
