import type { SubjectData } from './benchmarks/doc.ts';
import { SUITE_CALIBRATION_QUESTIONS, timeFirstQuestions, type TaskTiming } from './calibrate.ts';
import type { EvalSettings, Sample } from './evaluate.ts';
import type { CausalLM } from './runtime/causalLm.ts';
import { suiteTaskSettings, taskFor, type Fidelity, type Suite } from './suites.ts';
import { getTemplate } from './templates/presets.ts';
import { fromTaskTiming, suiteTime, type SuiteTime } from './timeEstimate.ts';

/** A suite's calibration: each task's timing, by benchmark id (a task already done is left out). */
export type SuiteTimings = Record<string, TaskTiming>;

/**
 * Times the first questions of each of a suite's tasks on one loaded model (the page; the CLI times
 * each task through `run --estimate`, loading the model as the task will).
 */
export async function calibrateSuite(
  model: CausalLM,
  suite: Suite,
  fidelity: Fidelity,
  base: Pick<EvalSettings, 'bos' | 'scorer' | 'batchSize' | 'limit'>,
  load: (settings: EvalSettings) => Promise<SubjectData[]>,
  hooks: { onTask?: (benchmark: string) => void; onSample?: (s: Sample) => Promise<void> } = {},
): Promise<SuiteTimings> {
  const out: SuiteTimings = {};
  for (const t of suite.tasks) {
    hooks.onTask?.(t.benchmark);
    const settings = suiteTaskSettings(t, fidelity, base);
    out[t.benchmark] = await timeFirstQuestions(
      model,
      await load(settings),
      settings,
      SUITE_CALIBRATION_QUESTIONS,
      hooks.onSample,
    );
  }
  return out;
}

/** The suite's time from its tasks' timings: each task's range, the total, and the task that dominates. */
export function estimateSuite(suite: Suite, fidelity: Fidelity, timings: SuiteTimings): SuiteTime | null {
  const basis = `measured: the first ${SUITE_CALIBRATION_QUESTIONS} questions of each task (and of MMLU's second subject) on this device, scaled by what each log-likelihood task computes`;
  const tasks = [];
  for (const t of suite.tasks) {
    const m = timings[t.benchmark];
    if (!m) continue;
    const range = fromTaskTiming(m, basis);
    if (!range) return null;
    const { template } = taskFor(t, fidelity);
    tasks.push({
      column: t.column,
      questions: m.questions,
      range,
      generates: getTemplate(template).scoring === 'generate',
    });
  }
  if (tasks.length === 0) return null;
  return suiteTime(tasks, basis);
}
