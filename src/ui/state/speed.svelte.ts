import type { RunPlan } from '../../core/plan.ts';
import type { EvalSettings } from '../../core/records.ts';
import type { StudyPlan } from '../../core/study/planStudy.ts';
import type { ModelSpec, RunRecord } from '../../storage/db.ts';
import { explainFailure } from '../../web/failures.ts';
import * as Comlink from 'comlink';
import type { WorkerClient } from '../client.ts';
import { fromCalibration, fromEarlierRuns, type SuiteTime, type TimeRange } from '../../core/timeEstimate.ts';
import { estimateSuite, type SuiteTimings } from '../../core/suiteEstimate.ts';
import { SUITES, type Fidelity } from '../../core/suites.ts';
import { StallWatch } from './stallWatch.svelte.ts';

/**
 * How long a run will take on this device: from earlier complete runs of the same setup, else from
 * a calibration (the first questions timed on this device); a study scales one run's time by its
 * token count.
 */
export class SpeedEstimate {
  /** Seconds per question measured by calibrations, by setup key. */
  calibrations = $state<Record<string, number[]>>({});
  /** A suite's timings (each task's first questions), by suite key. */
  suiteTimings = $state<Record<string, SuiteTimings>>({});
  calibrating = $state(false);
  problem = $state('');
  readonly watch = new StallWatch();

  static key(spec: ModelSpec, data: RunRecord['data'], settings: EvalSettings): string {
    return JSON.stringify([spec, data, settings.subjects[0], settings.split, settings.shots, settings.template]);
  }

  /** Loads the model (downloading it if needed) and times the first questions in the worker. */
  async calibrate(client: WorkerClient, spec: ModelSpec, data: RunRecord['data'], settings: EvalSettings) {
    const key = SpeedEstimate.key(spec, data, settings);
    this.calibrating = true;
    this.problem = '';
    this.watch.start('calibration');
    try {
      const c = await client.api.calibrate(
        spec,
        data,
        settings,
        Comlink.proxy(() => this.watch.touch()),
      );
      this.calibrations[key] = c.questionSeconds;
    } catch (e) {
      this.calibrations[key] = [];
      this.problem = explainFailure(e);
    } finally {
      this.watch.stop();
      this.calibrating = false;
    }
  }

  /** What a suite's estimate depends on: the model, the data, the suite and fidelity, and the options every task takes. */
  static suiteKey(spec: ModelSpec, data: RunRecord['data'], suite: string, fidelity: Fidelity, s: EvalSettings) {
    return JSON.stringify([spec, data, suite, fidelity, s.limit, s.bos, s.scorer, s.batchSize]);
  }

  /** Loads the model and times the first questions of each task of the suite (their data downloaded if needed). */
  async calibrateSuite(
    client: WorkerClient,
    spec: ModelSpec,
    data: RunRecord['data'],
    suite: string,
    fidelity: Fidelity,
    base: EvalSettings,
  ) {
    const key = SpeedEstimate.suiteKey(spec, data, suite, fidelity, base);
    this.calibrating = true;
    this.problem = '';
    this.watch.start('calibration');
    try {
      this.suiteTimings[key] = await client.api.calibrateSuite(
        spec,
        data,
        suite,
        fidelity,
        base,
        Comlink.proxy(() => this.watch.touch()),
      );
    } catch (e) {
      this.problem = explainFailure(e);
    } finally {
      this.watch.stop();
      this.calibrating = false;
    }
  }

  /** A suite's time, task by task, once its tasks are timed. */
  suiteEstimate(
    spec: ModelSpec,
    data: RunRecord['data'],
    suite: string,
    fidelity: Fidelity,
    base: EvalSettings,
  ): SuiteTime | null {
    const t = this.suiteTimings[SpeedEstimate.suiteKey(spec, data, suite, fidelity, base)];
    return t ? estimateSuite(SUITES[suite]!, fidelity, t) : null;
  }

  measured(spec: ModelSpec, data: RunRecord['data'], settings: EvalSettings): boolean {
    return !!this.calibrations[SpeedEstimate.key(spec, data, settings)];
  }

  /** The time range of a planned run (or study), or null while nothing is measured. */
  estimate(args: {
    plan: RunPlan | null;
    runs: readonly RunRecord[];
    spec: ModelSpec;
    data: RunRecord['data'];
    settings: EvalSettings;
    benchmark: string;
    variants: number;
    studyPlan: StudyPlan | null;
  }): TimeRange | null {
    const { plan, spec, settings } = args;
    if (!plan) return null;
    // Earlier runs of this setup measured the whole pipeline; a calibration its first questions.
    const same = args.runs.filter(
      (r) =>
        r.status === 'complete' &&
        r.model.id === spec.id &&
        r.model.dtype === spec.dtype &&
        r.model.device === spec.device &&
        (r.settings.benchmark ?? 'mmlu') === args.benchmark &&
        r.settings.template === settings.template &&
        r.settings.shots === settings.shots,
    );
    const cal = this.calibrations[SpeedEstimate.key(spec, args.data, settings)];
    const plain =
      fromEarlierRuns(
        same.filter((r) => !r.study).map((r) => r.facts?.itemsPerSecond ?? NaN),
        plan.questions,
      ) ?? (cal ? fromCalibration(cal, plan.questions, settings.subjects.length) : null);
    if (!plain || args.variants < 2) return plain;
    if (!args.studyPlan) return null;
    // A study: one plain run's measured time, times the study's token count over the plain run's.
    const r = args.studyPlan.tokenRatio;
    return {
      lo: plain.lo * r,
      hi: plain.hi * r,
      basis: `${plain.basis} × ${r.toFixed(2)} (the study's tokens over one run's)`,
    };
  }
}
