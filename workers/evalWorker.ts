/// <reference lib="webworker" />
// Inference off the UI thread: model and dataset downloads into IndexedDB, evaluation, and every
// finished question written to IndexedDB as it completes. Exposed to the page with comlink.
import * as Comlink from 'comlink';
import { env } from '@huggingface/transformers';
import { evaluate, type EvalSettings, type Progress, type Sample } from '../src/core/evaluate.ts';
import { loadRunData, RunSession } from '../src/core/session.ts';
import { hubRowSource } from '../src/core/benchmarks/rows.ts';
import type { DataSources } from '../src/core/benchmarks/types.ts';
import { settingsFromConfig } from '../src/core/report/runConfig.ts';
import { linkedPicks, type LinkedPick } from '../src/core/share/open.ts';
import type { SharePayload } from '../src/core/share/payload.ts';
import { planRun, type RunPlan } from '../src/core/plan.ts';
import { planStudy, type StudyPlan } from '../src/core/study/planStudy.ts';
import { runStudy } from '../src/core/study/runStudy.ts';
import { chatApplier } from '../src/core/templates/chat.ts';
import type { Variant } from '../src/core/study/axes.ts';
import { makeEncoder, resolveBos } from '../src/core/scoring/requests.ts';
import { getTemplate } from '../src/core/templates/presets.ts';
import { explainFailure } from '../src/ui/errors.ts';
import { hubSource } from '../src/core/benchmarks/mmlu/source.ts';
import { CausalLM } from '../src/core/runtime/causalLm.ts';
import {
  configureWebRuntime,
  webgpuDevice,
  webRuntimeInfo,
  type GpuDeviceLike,
} from '../src/core/runtime/webRuntime.ts';
import { dataHash, templateHash, type Fingerprint } from '../src/core/report/fingerprint.ts';
import { runTemplate } from '../src/core/templates/presets.ts';
import type { TemplateSpec } from '../src/core/templates/template.ts';
import type { SubjectData } from '../src/core/benchmarks/doc.ts';
import {
  addSample,
  deleteRun,
  openStore,
  runSamples,
  updateRun,
  studySamples,
  variantRunId,
  type ModelSpec,
  type PagebenchDB,
  type RunRecord,
  type StoredFile,
} from '../src/storage/db.ts';
import { cachedFetch, modelFileCache, verifiedFetch, type Expected } from '../src/storage/fileCache.ts';
import { withDownloadLock, withRunLock } from '../src/storage/locks.ts';
import { repoManifest, type ListedFile } from '../src/core/runtime/hubSizes.ts';
import { storedDataSource, storedRowSource } from '../src/storage/localData.ts';
import { installTrustedTypes } from '../src/ui/csp.ts';

export interface FileProgress {
  file: string;
  loaded: number;
  total: number;
}

export type WorkerEvent =
  | { type: 'phase'; phase: 'start' | 'repository' | 'model' | 'load' | 'data' | 'eval'; message: string }
  | { type: 'file'; progress: FileProgress }
  /** Something the user should know about a download: resumed, restarted, evicted, waiting for another tab. */
  | { type: 'note'; message: string }
  | { type: 'progress'; progress: Progress; done: number; total: number }
  | { type: 'sample'; subject: string; docId: number; acc: number; variant?: string };

/** The WebGPU adapter as the browser describes it (GPUAdapterInfo), and whether it is software. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  /** A CPU emulation (SwiftShader, llvmpipe, a fallback adapter): far slower than WASM. */
  software: boolean;
}

export interface Capabilities {
  webgpu: boolean;
  shaderF16: boolean;
  adapter: AdapterInfo | null;
  threads: number;
  crossOriginIsolated: boolean;
}

/** Timings of the first questions of a planned run on the chosen model and device. */
export interface Calibration {
  /** Seconds per question, in order (the first includes the subject's few-shot prefix). */
  questionSeconds: number[];
  loadSeconds: number;
}

// Before ONNX Runtime starts its thread workers (the worker's own policy comes with its headers).
installTrustedTypes();

let db: PagebenchDB;
let loaded: { key: string; model: CausalLM; files: Record<string, string> } | null = null;

/** The model files (path → verified sha256) served to the load in progress, for config.model_files. */
let servedFiles: Record<string, string> | null = null;
let threads = 1;

/**
 * The hub's file listing of each model repo used (tree API: sizes, and sha256 for LFS files),
 * fetched before anything of the repo is downloaded: every downloaded model file is checked
 * against it (fileCache.ts) and refused when it differs or is not listed.
 */
const manifests = new Map<string, Map<string, ListedFile>>();
const repoKey = (hubUrl: string, id: string) => `${hubUrl.replace(/\/+$/, '')}/${id}`;

async function ensureManifest(spec: Pick<ModelSpec, 'hubUrl' | 'id'>): Promise<void> {
  if (spec.id.startsWith('local/') || manifests.has(repoKey(spec.hubUrl, spec.id))) return;
  // Not answering leaves no listing: then any download of the repo is refused (cannot be verified).
  const m = await repoManifest(spec.hubUrl, spec.id).catch(() => null);
  if (m) manifests.set(repoKey(spec.hubUrl, spec.id), m);
}

/** Where the verified fetch reports download progress and notes (the model load in progress). */
let downloadEvents: ((e: WorkerEvent) => void) | null = null;

const filePath = (url: string) => url.replace(/^.*\/resolve\/[^/]+\//, '');

/** The file as its repository's listing has it; null when the listing has no such file; undefined without a listing. */
function expectedFor(url: string): Expected | null | undefined {
  const m = /^(.*)\/resolve\/[^/]+\/(.+)$/.exec(url);
  const listing = m ? manifests.get(m[1]!) : undefined;
  return listing ? (listing.get(decodeURIComponent(m![2]!)) ?? null) : undefined;
}

/** Storage kind and group of a file transformers.js caches: a model's owner/name, or the runtime. */
function classify(url: string): { kind: 'model' | 'runtime'; group: string } {
  const model = /\/([^/]+\/[^/]+)\/resolve\//.exec(url)?.[1];
  return model ? { kind: 'model', group: model } : { kind: 'runtime', group: 'ONNX Runtime (wasm)' };
}

interface GpuAdapterLike {
  features: Set<string>;
  info?: Partial<Omit<AdapterInfo, 'software'>>;
  isFallbackAdapter?: boolean;
}

async function capabilities(): Promise<Capabilities> {
  let adapter: AdapterInfo | null = null;
  let shaderF16 = false;
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  const a = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (a) {
    shaderF16 = a.features.has('shader-f16');
    const info = a.info ?? {};
    const isFallbackAdapter = !!(info.isFallbackAdapter ?? a.isFallbackAdapter);
    const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`;
    adapter = {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      description: info.description ?? '',
      isFallbackAdapter,
      software: isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i.test(text),
    };
  }
  return { webgpu: !!a, shaderF16, adapter, threads, crossOriginIsolated: self.crossOriginIsolated };
}

/**
 * Why the WebGPU device was lost (driver reset, GPU removed, the browser reclaiming it), once it
 * is: a run that fails then is stopped, not failed, and can resume on WASM.
 */
let gpuLost: string | null = null;

async function watchGpu(): Promise<void> {
  const device = await webgpuDevice();
  if (!device) return;
  gpuLost = null;
  // The handle lets the fault-injection tests lose the device for real (device.destroy()).
  (self as unknown as { pagebenchGpuDevice?: GpuDeviceLike }).pagebenchGpuDevice = device;
  void device.lost.then((info) => {
    gpuLost = info.message || info.reason || 'lost';
    loaded = null; // its sessions are unusable now
  });
}

/**
 * A step at which the worker stops forever (`?hang=<step>`, for the tests of the page's stall
 * messages: worker, repository, load, data, first-question, calibration); null normally.
 */
let hangStep: string | null = null;
const hangAt = (step: string): Promise<void> => (hangStep === step ? new Promise<void>(() => {}) : Promise.resolve());

/** Model loads one at a time: a run started while a calibration is loading the same model waits for it. */
let loading: Promise<unknown> = Promise.resolve();

function getModel(spec: ModelSpec, emit: (e: WorkerEvent) => void): Promise<CausalLM> {
  const next = loading.then(async () => {
    const key = JSON.stringify(spec);
    if (loaded?.key === key) return loaded.model;
    emit({ type: 'phase', phase: 'repository', message: `checking ${spec.id} on the hub` });
    await hangAt('repository');
    await ensureManifest(spec);
    if (loaded) await loaded.model.dispose();
    loaded = null;
    emit({ type: 'phase', phase: 'model', message: `loading ${spec.id} (${spec.dtype}, ${spec.device})` });
    const files: Record<string, string> = {};
    servedFiles = files;
    const model = await withDownloadLock(
      spec.hubUrl,
      spec.id,
      () => loadModel(spec, emit),
      () =>
        emit({
          type: 'note',
          message: `another tab is downloading ${spec.id}: this one waits for it, then uses the stored files`,
        }),
    );
    servedFiles = null;
    loaded = { key, model, files };
    if (spec.device === 'webgpu') await watchGpu();
    return model;
  });
  loading = next.catch(() => {});
  return next;
}

/** Runs and calibrations use the model one at a time (a Start during a calibration waits for it). */
let modelInUse: Promise<unknown> = Promise.resolve();
function exclusive<T>(task: () => Promise<T>): Promise<T> {
  const next = modelInUse.then(task);
  modelInUse = next.catch(() => {});
  return next;
}

const CALIBRATION_QUESTIONS = 8;
/** The run id a calibration's timed samples are stored under while it runs (no run record). */
const CALIBRATION_RUN = '__calibration__';

async function loadModel(spec: ModelSpec, emit: (e: WorkerEvent) => void): Promise<CausalLM> {
  downloadEvents = emit;
  try {
    return await loadModelFiles(spec, emit);
  } finally {
    downloadEvents = null;
  }
}

function loadModelFiles(spec: ModelSpec, emit: (e: WorkerEvent) => void): Promise<CausalLM> {
  return CausalLM.load(
    { id: spec.id, hubUrl: spec.hubUrl },
    {
      dtype: spec.dtype as never,
      device: spec.device,
      onProgress: (p) => {
        if (p.status === 'progress' && p.loaded !== undefined)
          emit({ type: 'file', progress: { file: p.file, loaded: p.loaded, total: p.total ?? 0 } });
        // After the graph's bytes, ONNX Runtime starts and builds its session: a step of its own.
        if (p.status === 'done' && /\.onnx(_data)?$/.test(p.file))
          emit({ type: 'phase', phase: 'load', message: `starting ONNX Runtime with ${spec.id}` });
      },
    },
  );
}

/** A run's data: MMLU shards by their resolve URLs, other datasets through the hub's parquet listing; cached in IndexedDB. */
function dataSource(data: RunRecord['data'], emit: (e: WorkerEvent) => void = () => {}): DataSources {
  const onFile = (file: string, loaded: number, total: number) =>
    emit({ type: 'file', progress: { file, loaded, total } });
  if (data.source === 'local')
    return {
      // MMLU's own files (also MMLU-Redux's shots), and other datasets' files in the hub's layouts
      mmlu: storedDataSource(db, data.group.startsWith('local-rows:') ? 'local-mmlu' : data.group),
      rows: storedRowSource(db),
    };
  return {
    mmlu: hubSource({ baseUrl: data.hubUrl, fetchImpl: cachedFetch(db, 'cais/mmlu', onFile) }),
    rows: hubRowSource(
      data.hubUrl,
      cachedFetch(db, (url) => /\/api\/datasets\/([^/]+\/[^/]+)\//.exec(url)?.[1] ?? 'datasets', onFile),
    ),
  };
}

/** What a finished (or resumed) run records about its model and time, its earlier sessions' time added. */
function modelFacts(run: RunRecord, model: CausalLM, result: { seconds: number; promptTokens: number }) {
  const prev = run.facts;
  return {
    revision: 'main',
    maxLength: model.maxLength,
    threads,
    graphRewrites: model.graphRewrites,
    bosResolved: resolveBos(run.settings.bos, model.modelType, run.settings.lmEval),
    loadSeconds: model.loadSeconds,
    ...(loaded?.model === model && Object.keys(loaded.files).length ? { modelFiles: loaded.files } : {}),
    evalSeconds: (prev?.evalSeconds ?? 0) + result.seconds,
    promptTokens: (prev?.promptTokens ?? 0) + result.promptTokens,
  };
}

/** The page's side of a run's fingerprint: browser, runtime versions, threads, the WebGPU adapter used. */
async function pageFingerprint(run: RunRecord, t: TemplateSpec, data: SubjectData[]): Promise<Fingerprint> {
  const caps = run.model.device === 'webgpu' ? await capabilities() : null;
  return {
    ...webRuntimeInfo(),
    threads: run.model.device === 'wasm' ? threads : null,
    ...(caps
      ? {
          webgpu_adapter: caps.adapter && {
            vendor: caps.adapter.vendor,
            architecture: caps.adapter.architecture,
            is_fallback_adapter: caps.adapter.isFallbackAdapter,
            shader_f16: caps.shaderF16,
          },
        }
      : {}),
    template_sha256: await templateHash(t),
    data_sha256: await dataHash(data, run.settings.limit),
  };
}

/**
 * Runs `work` on a stored run (it sets the run's facts and status), then stores how the run ended;
 * a failure is stored as 'failed' with its reason in words.
 */
async function settleRun(run: RunRecord, work: () => Promise<void>): Promise<RunRecord> {
  try {
    await work();
  } catch (e) {
    Object.assign(run, await db.get('runs', run.id));
    // The device-lost promise may settle just after the failed call it caused.
    if (run.model.device === 'webgpu' && !gpuLost) await new Promise((r) => setTimeout(r, 200));
    if (run.model.device === 'webgpu' && gpuLost) {
      run.status = 'stopped';
      run.error = `the GPU device was lost (${gpuLost})`;
      run.gpuLost = true;
    } else {
      run.status = 'failed';
      run.error = explainFailure(e);
    }
  }
  const { facts, status, error, gpuLost: lost } = run;
  return (await updateRun(db, run.id, (r) => Object.assign(r, { facts, status, error, gpuLost: lost })))!;
}

/** Runs (or resumes) a stored run to completion, writing each sample to IndexedDB as it finishes. */
async function runStored(runId: string, emit: (e: WorkerEvent) => void): Promise<RunRecord> {
  const run = (await db.get('runs', runId))!;
  if (run.study) return runStoredStudy(run, emit);
  return settleRun(run, async () => {
    const model = await getModel(run.model, emit);
    await hangAt('load');
    emit({ type: 'phase', phase: 'data', message: `loading ${run.settings.subjects.length} subject(s)` });
    await hangAt('data');
    const session = new RunSession(run.settings, dataSource(run.data, emit));
    const total = await session.total();
    const done = new Set((await runSamples(db, runId)).map((s) => `${s.subject}#${s.doc_id}`));
    await updateRun(db, runId, (r) => Object.assign(r, { status: 'running', total, done: done.size }));
    emit({ type: 'phase', phase: 'eval', message: `evaluating ${total - done.size} question(s)` });
    await hangAt('first-question');
    const metric = getTemplate(run.settings.template).headline;
    let doneNow = done.size;
    const result = await session.run(model, {
      skip: (s, d) => done.has(`${s}#${d}`),
      onSample: async (s) => {
        doneNow = (await addSample(db, { ...s, runId }, Number(s[metric as keyof Sample] ?? 0))).done;
        emit({ type: 'sample', subject: s.subject, docId: s.doc_id, acc: s.acc });
      },
      onProgress: (p) => emit({ type: 'progress', progress: p, done: doneNow, total }),
    });
    Object.assign(run, await db.get('runs', runId));
    const prev = run.facts;
    run.facts = {
      ...modelFacts(run, model, result),
      fingerprint: await pageFingerprint(run, runTemplate(run.settings), await session.load()),
      batchSize: result.batchSize,
      truncatedCount: (prev?.truncatedCount ?? 0) + result.truncatedCount,
      itemsPerSecond: result.samples.length / result.seconds,
      tokensPerSecond: result.promptTokens / result.seconds,
      ...(run.settings.part ? { part: (await session.partRange())! } : {}),
    };
    run.status = run.done >= total ? 'complete' : 'stopped';
  });
}

/** A stored study: every variant scored on the same questions, each finished variant-question stored at once. */
async function runStoredStudy(run: RunRecord, emit: (e: WorkerEvent) => void): Promise<RunRecord> {
  const runId = run.id;
  const study = run.study!;
  return settleRun(run, async () => {
    const model = await getModel(run.model, emit);
    emit({ type: 'phase', phase: 'data', message: `loading ${run.settings.subjects.length} subject(s)` });
    const maxShots = Math.max(...study.variants.map((v) => Number(v.axes.shots)));
    const data = await loadRunData(dataSource(run.data, emit), { ...run.settings, shots: maxShots });
    const perVariant = data.reduce((a, d) => a + Math.min(d.questions.length, run.settings.limit ?? Infinity), 0);
    const total = perVariant * study.variants.length;
    const stored = await studySamples(db, run);
    const done = new Set([...stored].flatMap(([v, xs]) => xs.map((s) => `${v}#${s.subject}#${s.doc_id}`)));
    await updateRun(db, runId, (r) => Object.assign(r, { status: 'running', total, done: done.size }));
    emit({ type: 'phase', phase: 'eval', message: `evaluating ${study.variants.length} prompt variants` });
    let doneNow = done.size;
    const t0 = performance.now();
    const result = await runStudy(
      model,
      data,
      run.settings,
      study.variants as Variant[],
      {
        skip: (v, s, d) => done.has(`${v}#${s}#${d}`),
        onSample: async (s) => {
          doneNow = (await addSample(db, { ...s, runId: variantRunId(runId, s.variant) }, s.acc, runId)).done;
          emit({ type: 'sample', subject: s.subject, docId: s.doc_id, acc: s.acc, variant: s.variant });
        },
        onProgress: (p) => {
          const elapsed = (performance.now() - t0) / 1000;
          const rate = (doneNow - done.size) / elapsed;
          emit({
            type: 'progress',
            progress: {
              done: p.done,
              total: p.total,
              subject: p.subject,
              elapsedSeconds: elapsed,
              itemsPerSecond: rate,
              promptTokensPerSecond: 0,
              etaSeconds: (total - doneNow) / rate,
            },
            done: doneNow,
            total,
          });
        },
      },
      study.system,
    );
    Object.assign(run, await db.get('runs', runId));
    run.facts = {
      ...modelFacts(run, model, result),
      batchSize: 1,
      truncatedCount: 0,
      itemsPerSecond: (doneNow - done.size) / result.seconds,
    };
    run.status = run.done >= total ? 'complete' : 'stopped';
  });
}

async function calibrateRun(
  spec: ModelSpec,
  data: RunRecord['data'],
  settings: EvalSettings,
  emit: (e: WorkerEvent) => void,
): Promise<Calibration> {
  try {
    await hangAt('calibration');
    const model = await getModel(spec, emit);
    const [first] = await loadRunData(dataSource(data), { ...settings, subjects: settings.subjects.slice(0, 1) });
    const questionSeconds: number[] = [];
    let last = 0;
    // Each timed question is stored as a run stores it (then removed), so the estimate includes that cost.
    try {
      await evaluate(
        model,
        [first!],
        { ...settings, limit: CALIBRATION_QUESTIONS, batchSize: 1 },
        {
          onSample: async (s) => void (await db.put('samples', { ...s, runId: CALIBRATION_RUN })),
          onProgress: (p) => {
            questionSeconds.push(p.elapsedSeconds - last);
            last = p.elapsedSeconds;
          },
        },
      );
    } finally {
      await deleteRun(db, CALIBRATION_RUN);
    }
    return { questionSeconds, loadSeconds: model.loadSeconds };
  } catch (e) {
    throw new Error(explainFailure(e));
  }
}

const api = {
  async init(ortBaseUrl: string, wantThreads?: number): Promise<Capabilities> {
    threads = wantThreads ?? (self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency)) : 1);
    configureWebRuntime({ ortBaseUrl, threads });
    db = await openStore();
    // A calibration cut short by a reload leaves its samples behind.
    await deleteRun(db, CALIBRATION_RUN);
    env.useCustomCache = true;
    const served = (f: StoredFile) => {
      if (servedFiles && f.kind === 'model' && f.sha256) servedFiles[filePath(f.url)] = f.sha256;
    };
    env.customCache = modelFileCache(db, classify, {
      onServe: served,
      onEvicted: (url) =>
        downloadEvents?.({
          type: 'note',
          message: `${filePath(url)} was listed as stored but its data is gone (evicted by the browser?): downloading it again`,
        }),
    });
    env.fetch = verifiedFetch(db, classify, expectedFor, served, (url) => ({
      onProgress: (loaded, total) =>
        downloadEvents?.({ type: 'file', progress: { file: filePath(url), loaded, total } }),
      onNote: (message) => downloadEvents?.({ type: 'note', message }),
    }));
    env.useBrowserCache = false;
    return capabilities();
  },

  /** Downloads (or finds in IndexedDB) a model and returns what the run needs to know about it. */
  async prepareModel(spec: ModelSpec, emit: (e: WorkerEvent) => void) {
    const m = await getModel(spec, emit);
    return { maxLength: m.maxLength, loadSeconds: m.loadSeconds };
  },

  /** Runs (or resumes) a stored run to completion, writing each sample to IndexedDB as it finishes. */
  async run(runId: string, emit: (e: WorkerEvent) => void): Promise<RunRecord> {
    await hangAt('worker');
    emit({ type: 'phase', phase: 'start', message: 'starting' });
    return exclusive(() => withRunLock(runId, () => runStored(runId, emit)));
  },

  /** Tests: stop forever at this step (see hangAt). */
  hangAt(step: string | null): void {
    hangStep = step;
  },

  /** Counts what a run would send to the model (questions, prompt tokens, truncation) from the tokenizer alone. */
  async plan(spec: ModelSpec, data: RunRecord['data'], settings: EvalSettings): Promise<RunPlan> {
    await ensureManifest(spec);
    const [{ tokenizer, maxLength }, subjects] = await Promise.all([
      loaded?.key === JSON.stringify(spec)
        ? { tokenizer: loaded.model, maxLength: loaded.model.maxLength }
        : CausalLM.loadTokenizer({ id: spec.id, hubUrl: spec.hubUrl }),
      loadRunData(dataSource(data), settings),
    ]).catch((e: unknown) => {
      throw new Error(explainFailure(e));
    });
    const chat =
      settings.chat && settings.chat !== 'none'
        ? { mode: settings.chat, apply: chatApplier(tokenizer.tokenizer, spec.id), system: settings.system }
        : undefined;
    try {
      return planRun(makeEncoder(tokenizer, settings.bos, settings.lmEval), maxLength, subjects, settings, chat);
    } catch (e) {
      throw new Error(explainFailure(e));
    }
  },

  /** A study's cost beside one plain run (tokenizer and data only). */
  async planStudy(
    spec: ModelSpec,
    data: RunRecord['data'],
    settings: EvalSettings,
    variants: Variant[],
    system?: string,
  ): Promise<StudyPlan> {
    const maxShots = Math.max(...variants.map((v) => Number(v.axes.shots)));
    await ensureManifest(spec);
    const [{ tokenizer, maxLength }, subjects] = await Promise.all([
      loaded?.key === JSON.stringify(spec)
        ? { tokenizer: loaded.model, maxLength: loaded.model.maxLength }
        : CausalLM.loadTokenizer({ id: spec.id, hubUrl: spec.hubUrl }),
      loadRunData(dataSource(data), { ...settings, shots: maxShots }),
    ]).catch((e: unknown) => {
      throw new Error(explainFailure(e));
    });
    const chat = variants.some((v) => v.axes.chat !== 'none')
      ? { apply: chatApplier(tokenizer.tokenizer, spec.id), system }
      : {};
    try {
      return planStudy(
        makeEncoder(tokenizer, settings.bos, settings.lmEval),
        maxLength,
        subjects,
        settings.limit,
        variants,
        chat,
      );
    } catch (e) {
      throw new Error(explainFailure(e));
    }
  },

  /**
   * Loads the model (downloading it if needed: the run reuses it) and times the first questions
   * of the run's first subject, one at a time.
   */
  calibrate(
    spec: ModelSpec,
    data: RunRecord['data'],
    settings: EvalSettings,
    emit: (e: WorkerEvent) => void,
  ): Promise<Calibration> {
    return exclusive(() => calibrateRun(spec, data, settings, emit));
  },

  /** A full share link's picks joined to its questions, the dataset fetched (or found in IndexedDB) and hash-checked. */
  async linkedPicks(payload: SharePayload, data: RunRecord['data']): Promise<LinkedPick[]> {
    const all = await loadRunData(dataSource(data), settingsFromConfig(payload.config)).catch((e: unknown) => {
      throw new Error(explainFailure(e));
    });
    return linkedPicks(payload, all);
  },

  capabilities,
};

export type WorkerApi = typeof api;
Comlink.expose(api);
