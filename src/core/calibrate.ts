import type { SubjectData } from './benchmarks/doc.ts';
import { evaluate, type EvalSettings, type Sample } from './evaluate.ts';
import { runPrompts, type PromptItem } from './prompts.ts';
import type { CausalLM } from './runtime/causalLm.ts';
import { getTemplate } from './templates/presets.ts';

/** Questions a calibration times: of a run before it starts, and of each task of a suite (per subset timed). */
export const RUN_CALIBRATION_QUESTIONS = 8;
export const SUITE_CALIBRATION_QUESTIONS = 3;

/** What a calibration measured of one run: its first questions timed, and the run's size. */
export interface TaskTiming {
  /** Seconds per timed question, in order: the first `n` of the run's first subset, then of its second (if any). */
  questionSeconds: number[];
  /** Where each timed subset starts in questionSeconds (its first question computes the subset's shared prefix). */
  subsetStarts: number[];
  /** Questions the whole run scores (the limit applied) and its subsets. */
  questions: number;
  subsets: number;
  /**
   * The whole run's mean question over the timed ones' (each subset's first left out, as its time is):
   * characters of a prompt past its subset's shared prefix and of its choices. A log-likelihood task's
   * time follows it; 1 for a generating task, whose time is its generated tokens'.
   */
  questionRatio: number;
  /** The run's mean shared prefix (characters) over the timed second subset's, or 1 with nothing to scale. */
  prefixRatio: number;
}

/** Characters a question adds past its subset's shared prefix (Winogrande: each choice's own context). */
function questionChars(p: { context: string; contexts?: string[]; continuations: string[] }, prefix: number): number {
  const contexts = p.contexts ?? [p.context];
  return contexts.reduce((a, c) => a + Math.max(0, c.length - prefix), 0) + p.continuations.join('').length;
}

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/**
 * Times the first `n` questions of a run's first subset (and of its second, whose first question
 * measures what a subset's shared prefix costs without the warm-up), one at a time, as a run scores
 * them (`onSample` stores each as the run would, so that cost is in the time), and measures the run.
 */
export async function timeFirstQuestions(
  model: CausalLM,
  data: SubjectData[],
  settings: EvalSettings,
  n: number,
  onSample?: (s: Sample) => Promise<void>,
): Promise<TaskTiming> {
  const questionSeconds: number[] = [];
  const subsetStarts: number[] = [];
  let last = 0;
  let subject = '';
  const timedData = data.slice(0, 2);
  await evaluate(
    model,
    timedData,
    { ...settings, limit: n, batchSize: 1 },
    {
      ...(onSample ? { onSample } : {}),
      onProgress: (p) => {
        if (p.subject !== subject) subsetStarts.push(questionSeconds.length);
        subject = p.subject;
        questionSeconds.push(p.elapsedSeconds - last);
        last = p.elapsedSeconds;
      },
    },
  );
  const all = runPrompts(settings, data);
  const timed = runPrompts({ ...settings, limit: n }, timedData);
  const chars = (it: PromptItem, prefixes: Map<string, string>) =>
    questionChars(it.prompt, prefixes.get(it.subject)?.length ?? 0);
  const later = timed.items.filter((_, i) => !subsetStarts.includes(i));
  const questionMean = mean(later.map((it) => chars(it, timed.prefixes)));
  const prefixLengths = [...all.prefixes.values()].map((p) => p.length);
  const second = timedData[1] ? (timed.prefixes.get(timedData[1].subject)?.length ?? 0) : 0;
  return {
    questionSeconds,
    subsetStarts,
    questions: all.items.length,
    subsets: data.length,
    questionRatio:
      getTemplate(settings.template).scoring !== 'generate' && questionMean > 0
        ? mean(all.items.map((it) => chars(it, all.prefixes))) / questionMean
        : 1,
    prefixRatio: second > 0 ? mean(prefixLengths) / second : 1,
  };
}
