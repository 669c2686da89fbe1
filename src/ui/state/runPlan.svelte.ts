import { SUITES, suiteTaskSettings, type Fidelity } from '../../core/suites.ts';
import type { RunPlan } from '../../core/plan.ts';
import type { EvalSettings } from '../../core/records.ts';
import { baseAxes, expandVariants, parseVary, type Variant } from '../../core/study/axes.ts';
import type { StudyPlan } from '../../core/study/planStudy.ts';
import type { ModelSpec, RunRecord } from '../../storage/db.ts';
import { explainFailure } from '../../web/failures.ts';
import type { WorkerClient } from '../client.ts';
import type { SetupState } from './setup.svelte.ts';

// Plans kept for the page's lifetime (they depend only on the tokenizer and the data). Plain maps: an answer is copied into
// reactive state when it is read.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const plans = new Map<string, RunPlan>();

export interface StudySetup {
  vary: [string, string[]][];
  variants: Variant[];
  error: string;
}

/**
 * What a run (or a study) will do, before it starts: the study's variants as the CLI checks them,
 * and the count of questions and prompt tokens — from the model's tokenizer and the data, no
 * weights — and a study's token cost beside one run.
 */
export class RunPlanState {
  plan = $state.raw<RunPlan | null>(null);
  error = $state('');
  studyPlan = $state.raw<StudyPlan | null>(null);

  constructor(
    private readonly setup: SetupState,
    private readonly client: () => WorkerClient,
  ) {}

  /** A study when any prompt axis is ticked (and scoring is by log-likelihood): its variants, or why not. */
  study(settings: EvalSettings): StudySetup | null {
    const s = this.setup;
    const vary = s.vary;
    if (vary.length === 0 || s.scoring === 'generate') return null;
    try {
      const parsed = parseVary(
        vary.map(([a, vs]) => `${a}=${vs.join(',')}`),
        s.bench,
      );
      return {
        vary: parsed,
        variants: expandVariants(
          baseAxes(s.bench, settings.template, settings.shots, undefined, undefined, s.dtype),
          parsed,
        ),
        error: '',
      };
    } catch (e) {
      return { vary: [], variants: [], error: (e as Error).message };
    }
  }

  /** What identifies a plan: the model, the data and the prompt settings (not the device or dtype). */
  static key(spec: ModelSpec, data: RunRecord['data'], settings: EvalSettings): string {
    return JSON.stringify([
      spec.id,
      spec.hubUrl,
      data,
      settings.subjects,
      settings.split,
      settings.shots,
      settings.template,
      settings.limit,
      settings.bos,
      settings.lmEval,
      settings.description,
      settings.chat,
      settings.system,
    ]);
  }

  /**
   * Shows a remembered plan at once; otherwise, when `count` (the model is known to be one), counts
   * the run in the worker. Returns a cancel function.
   */
  request(
    spec: ModelSpec,
    data: RunRecord['data'],
    settings: EvalSettings,
    count: boolean,
    onPlanned: () => void,
    delayMs = 400,
  ) {
    const key = RunPlanState.key(spec, data, settings);
    const hit = plans.get(key);
    this.plan = hit ?? null;
    this.error = '';
    if (hit || !count) return () => {};
    let cancelled = false;
    const timer = setTimeout(() => {
      this.client()
        .api.plan(spec, data, settings)
        .then((p) => {
          plans.set(key, p);
          if (cancelled) return;
          this.plan = p;
          onPlanned();
        })
        .catch((e: unknown) => !cancelled && (this.error = explainFailure(e)));
    }, delayMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }

  /** A study's token cost beside one run; returns a cancel function. */
  requestStudy(spec: ModelSpec, data: RunRecord['data'], settings: EvalSettings, variants: Variant[], delayMs = 400) {
    this.studyPlan = null;
    let cancelled = false;
    const timer = setTimeout(() => {
      this.client()
        .api.planStudy(spec, data, settings, variants)
        .then((p) => !cancelled && (this.studyPlan = p))
        .catch((e: unknown) => !cancelled && (this.error = explainFailure(e)));
    }, delayMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }

  /** Files of the user's own were stored: every remembered plan may count other data now. */
  static forget(): void {
    plans.clear();
  }
}

/** The record a Start stores and runs: a plain run, or a study with its variants (one question at a time). */
/** The run of a suite's first task (each finished task starts the next: RunsState). */
export function newSuiteRun(a: {
  model: ModelSpec;
  data: RunRecord['data'];
  suite: string;
  fidelity: Fidelity;
  base: EvalSettings;
  now: number;
}): RunRecord {
  const id = `suite-${a.now.toString(36)}`;
  return {
    id: `${id}-0`,
    createdAt: a.now,
    updatedAt: a.now,
    status: 'running',
    model: a.model,
    data: a.data,
    settings: suiteTaskSettings(SUITES[a.suite]!.tasks[0]!, a.fidelity, a.base),
    suite: { id, suite: a.suite, fidelity: a.fidelity, index: 0 },
    total: 0,
    done: 0,
    scoreSum: 0,
  };
}

export function newRunRecord(a: {
  model: ModelSpec;
  data: RunRecord['data'];
  settings: EvalSettings;
  study: StudySetup | null;
  questions: number;
  now: number;
}): RunRecord {
  const common = {
    createdAt: a.now,
    updatedAt: a.now,
    status: 'running' as const,
    model: a.model,
    data: a.data,
    done: 0,
    scoreSum: 0,
  };
  if (a.study)
    return {
      ...common,
      id: `study-${a.now.toString(36)}`,
      settings: { ...a.settings, batchSize: 1 },
      study: { vary: a.study.vary, variants: a.study.variants },
      total: a.questions * a.study.variants.length,
    };
  return { ...common, id: `run-${a.now.toString(36)}`, settings: a.settings, total: a.questions };
}

/** The run of a suite's next task after `done`, or null after its last. */
export function nextSuiteTask(done: RunRecord, now: number): RunRecord | null {
  const s = done.suite!;
  const suite = SUITES[s.suite];
  const task = suite?.tasks[s.index + 1];
  if (!task) return null;
  return {
    id: `${s.id}-${s.index + 1}-${now.toString(36)}`,
    createdAt: now,
    updatedAt: now,
    status: 'running',
    model: done.model,
    data: done.data,
    settings: suiteTaskSettings(task, s.fidelity, done.settings),
    suite: { ...s, index: s.index + 1 },
    total: 0,
    done: 0,
    scoreSum: 0,
  };
}
