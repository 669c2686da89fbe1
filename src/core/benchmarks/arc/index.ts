import type { Benchmark } from '../types.ts';
import { loadSubset, str, type ToDoc } from '../load.ts';

/**
 * AI2 ARC (allenai/ai2_arc) as lm-evaluation-harness' arc_easy / arc_challenge tasks (version 1.0):
 * `Question: {{question}}\nAnswer:`, the choice texts as continuations, gold =
 * choices.label.index(answerKey); few-shot examples from train by lm-eval's default sampler.
 */
const toDoc: ToDoc = (row) => {
  const choices = row.choices as { text?: unknown; label?: unknown } | null;
  const text = Array.isArray(choices?.text) ? choices.text : null;
  const label = Array.isArray(choices?.label) ? choices.label : null;
  if (!str(row.question) || row.question === '') return 'empty question';
  if (!text || !label || text.length !== label.length || text.length < 2 || !text.every(str) || !label.every(str))
    return 'choices must be {text: [...], label: [...]} of equal length (at least 2)';
  if (!str(row.answerKey)) return 'answerKey missing';
  const answer = (label as string[]).indexOf(row.answerKey);
  if (answer < 0) return `answerKey "${row.answerKey}" is not one of the labels ${label.join(', ')}`;
  return { question: row.question, choices: text as string[], answer };
};

function arc(id: 'arc_easy' | 'arc_challenge', config: 'ARC-Easy' | 'ARC-Challenge', label: string): Benchmark {
  return {
    id,
    label,
    dataset: 'allenai/ai2_arc',
    subsets: [id],
    splits: ['test', 'validation'],
    // lm_eval/tasks/arc/arc_easy.yaml (arc_challenge includes it), v0.4.12
    lmEvalSplits: { training: 'train', validation: 'validation', test: 'test', fewshot: null },
    fewshot: { sampler: 'random', seed: 1234 },
    templates: ['arc'],
    defaultTemplate: 'arc',
    defaultSubsets: [id],
    load: (src, subset, split, shots) =>
      loadSubset(
        src.rows,
        { dataset: 'allenai/ai2_arc', config, split, fewshotSplit: 'train', subject: subset, shots },
        toDoc,
      ),
    subsetName: () => label,
    describeData: (src) => `${src.rows.description} (allenai/ai2_arc ${config})`,
    datasetName: () => config,
    splitName: (split) => split,
    taskName: () => id,
    groups: () => [],
  };
}

export const arcEasy = arc('arc_easy', 'ARC-Easy', 'ARC-Easy');
export const arcChallenge = arc('arc_challenge', 'ARC-Challenge', 'ARC-Challenge');
