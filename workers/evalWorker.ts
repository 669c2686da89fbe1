/// <reference lib="webworker" />
// Inference off the UI thread, exposed to the page with comlink: this file is only the surface;
// what each call does lives in src/web/ (model store, run and study executors, calibration, plans).
import * as Comlink from 'comlink';
import type { EvalSettings } from '../src/core/records.ts';
import { loadRunData } from '../src/core/session.ts';
import { benchmarkOf } from '../src/core/benchmarks/registry.ts';
import { quizOfDocs } from '../src/core/quiz/fromBenchmark.ts';
import type { Quiz } from '../src/core/quiz/quiz.ts';
import { settingsFromConfig } from '../src/core/report/runConfig.ts';
import { linkedPicks, type LinkedPick } from '../src/core/share/open.ts';
import type { SharePayload } from '../src/core/share/payload.ts';
import type { RunPlan } from '../src/core/plan.ts';
import type { StudyPlan } from '../src/core/study/planStudy.ts';
import type { Variant } from '../src/core/study/axes.ts';
import { configureWebRuntime } from '../src/core/runtime/webRuntime.ts';
import { openStore, type ModelSpec, type RunRecord } from '../src/storage/db.ts';
import { withRunLock } from '../src/storage/locks.ts';
import { loadQuizzes } from '../src/storage/quizzes.ts';
import { installTrustedTypes } from '../src/web/csp.ts';
import { explainFailure } from '../src/web/failures.ts';
import { capabilities } from '../src/web/gpu.ts';
import { WorkerHost } from '../src/web/host.ts';
import { dataSource } from '../src/web/dataSources.ts';
import { runStored } from '../src/web/runExecutor.ts';
import { runStoredStudy } from '../src/web/studyExecutor.ts';
import { calibrateRun, calibrateSuiteRun, clearCalibration } from '../src/web/calibration.ts';
import type { SuiteTimings } from '../src/core/suiteEstimate.ts';
import type { Fidelity } from '../src/core/suites.ts';
import { planStoredRun, planStoredStudy, unseenPrefix } from '../src/web/planner.ts';
import type { Calibration, Capabilities, Emit } from '../src/web/protocol.ts';
import { questionTokens, type ChoiceTokens } from '../src/core/inspect/questionTokens.ts';
import { makeEncoder } from '../src/core/scoring/requests.ts';
import { probeText, type ProbeOptions, type TextProbe } from '../src/core/inspect/textProbe.ts';

export type { AdapterInfo, Calibration, Capabilities, FileProgress, WorkerEvent } from '../src/web/protocol.ts';

// Before ONNX Runtime starts its thread workers (the worker's own policy comes with its headers).
installTrustedTypes();

let host: WorkerHost;

const api = {
  async init(ortBaseUrl: string, wantThreads?: number): Promise<Capabilities> {
    const threads =
      wantThreads ?? (self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency)) : 1);
    configureWebRuntime({ ortBaseUrl, threads });
    host = new WorkerHost(await openStore(), threads);
    await clearCalibration(host.db);
    host.models.install();
    return capabilities(threads);
  },

  /** Downloads (or finds in IndexedDB) a model and returns what the run needs to know about it. */
  async prepareModel(spec: ModelSpec, emit: Emit) {
    const m = await host.models.get(spec, emit);
    return { maxLength: m.maxLength, loadSeconds: m.loadSeconds };
  },

  /** Runs (or resumes) a stored run to completion, writing each sample to IndexedDB as it finishes. */
  async run(runId: string, emit: Emit): Promise<RunRecord> {
    await host.hang.at('worker');
    await loadQuizzes(host.db);
    emit({ type: 'phase', phase: 'start', message: 'starting' });
    return host.models.use(() =>
      withRunLock(runId, async () => {
        const run = (await host.db.get('runs', runId))!;
        return run.study ? runStoredStudy(host, run, emit) : runStored(host, run, emit);
      }),
    );
  },

  /** Tests: stop forever at this step (web/hang.ts). */
  hangAt(step: string | null): void {
    host.hang.step = step;
  },

  /** Counts what a run would send to the model (questions, prompt tokens, truncation) from the tokenizer alone. */
  async plan(spec: ModelSpec, data: RunRecord['data'], settings: EvalSettings): Promise<RunPlan> {
    await loadQuizzes(host.db);
    return planStoredRun(host, spec, data, settings);
  },

  /** How many leading characters of a scored prompt the model did not see (the explorer marks them). */
  unseenPrefix(
    spec: ModelSpec,
    settings: Pick<EvalSettings, 'bos' | 'lmEval'>,
    context: string,
    continuations: string[],
  ): Promise<number> {
    return unseenPrefix(host, spec, settings, context, continuations);
  },

  /** A study's cost beside one plain run (tokenizer and data only). */
  planStudy(
    spec: ModelSpec,
    data: RunRecord['data'],
    settings: EvalSettings,
    variants: Variant[],
    system?: string,
  ): Promise<StudyPlan> {
    return planStoredStudy(host, spec, data, settings, variants, system);
  },

  /** Loads the model and times the first questions of the run's first subject (web/calibration.ts). */
  async calibrate(spec: ModelSpec, data: RunRecord['data'], settings: EvalSettings, emit: Emit): Promise<Calibration> {
    await loadQuizzes(host.db);
    return host.models.use(() => calibrateRun(host, spec, data, settings, emit));
  },

  /** Loads the model and times the first questions of each task of a suite (web/calibration.ts). */
  calibrateSuite(
    spec: ModelSpec,
    data: RunRecord['data'],
    suite: string,
    fidelity: Fidelity,
    base: EvalSettings,
    emit: Emit,
  ): Promise<SuiteTimings> {
    return host.models.use(() => calibrateSuiteRun(host, spec, data, suite, fidelity, base, emit));
  },

  /** How the model reads a text: each token's log-probability, the perplexities, the next tokens (core/inspect). */
  probeText(spec: ModelSpec, text: string, opts: ProbeOptions, emit: Emit): Promise<TextProbe> {
    return host.models.use(async () => probeText(await host.models.get(spec, emit), text, opts));
  },

  /** A scored question's tokens and each choice's continuation log-probabilities (the explorer's token view). */
  questionTokens(
    spec: ModelSpec,
    settings: Pick<EvalSettings, 'bos' | 'lmEval'>,
    pairs: [string, string][],
    emit: Emit,
  ): Promise<ChoiceTokens[]> {
    return host.models.use(async () => {
      const model = await host.models.get(spec, emit);
      return questionTokens(model, makeEncoder(model, settings.bos, settings.lmEval), pairs);
    });
  },

  /** The first questions of a run's setup as a quiz (the class quiz from a benchmark subset). */
  async quizFromSetup(data: RunRecord['data'], settings: EvalSettings, count: number): Promise<Quiz> {
    const all = await loadRunData(dataSource(host.db, data), settings).catch((e: unknown) => {
      throw new Error(explainFailure(e));
    });
    return quizOfDocs(benchmarkOf(settings), all, count, settings.limit);
  },

  /** A full share link's picks joined to its questions, the dataset fetched (or found in IndexedDB) and hash-checked. */
  async linkedPicks(payload: SharePayload, data: RunRecord['data']): Promise<LinkedPick[]> {
    const all = await loadRunData(dataSource(host.db, data), settingsFromConfig(payload.config)).catch((e: unknown) => {
      throw new Error(explainFailure(e));
    });
    return linkedPicks(payload, all);
  },

  capabilities: () => capabilities(host.threads),
};

export type WorkerApi = typeof api;
Comlink.expose(api);
