/// <reference lib="webworker" />
// Inference off the UI thread: model and dataset downloads into IndexedDB, evaluation, and every
// finished question written to IndexedDB as it completes. Exposed to the page with comlink.
import * as Comlink from 'comlink';
import { env } from '@huggingface/transformers';
import { evaluate, loadAll, type Progress } from '../src/core/evaluate.ts';
import { hubSource, type DataSource } from '../src/core/mmlu/source.ts';
import { CausalLM } from '../src/core/runtime/causalLm.ts';
import { configureWebRuntime } from '../src/core/runtime/webRuntime.ts';
import { openStore, runSamples, type ModelSpec, type PagebenchDB, type RunRecord } from '../src/storage/db.ts';
import { cachedFetch, modelFileCache } from '../src/storage/fileCache.ts';
import { storedDataSource } from '../src/storage/localData.ts';

export interface FileProgress {
  file: string;
  loaded: number;
  total: number;
}

export type WorkerEvent =
  | { type: 'phase'; phase: 'model' | 'data' | 'eval'; message: string }
  | { type: 'file'; progress: FileProgress }
  | { type: 'progress'; progress: Progress; done: number; total: number }
  | { type: 'sample'; subject: string; docId: number; acc: number };

export interface Capabilities {
  webgpu: boolean;
  shaderF16: boolean;
  threads: number;
  crossOriginIsolated: boolean;
}

let db: PagebenchDB;
let loaded: { key: string; model: CausalLM } | null = null;
let threads = 1;

/** Storage kind and group of a file transformers.js caches: a model's owner/name, or the runtime. */
function classify(url: string): { kind: 'model' | 'runtime'; group: string } {
  const model = /\/([^/]+\/[^/]+)\/resolve\//.exec(url)?.[1];
  return model ? { kind: 'model', group: model } : { kind: 'runtime', group: 'ONNX Runtime (wasm)' };
}

async function capabilities(): Promise<Capabilities> {
  let webgpu = false;
  let shaderF16 = false;
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu;
  if (gpu) {
    const adapter = await gpu.requestAdapter().catch(() => null);
    webgpu = !!adapter;
    shaderF16 = !!adapter?.features.has('shader-f16');
  }
  return { webgpu, shaderF16, threads, crossOriginIsolated: self.crossOriginIsolated };
}

async function getModel(spec: ModelSpec, emit: (e: WorkerEvent) => void): Promise<CausalLM> {
  const key = JSON.stringify(spec);
  if (loaded?.key === key) return loaded.model;
  if (loaded) await loaded.model.dispose();
  loaded = null;
  emit({ type: 'phase', phase: 'model', message: `loading ${spec.id} (${spec.dtype}, ${spec.device})` });
  const model = await loadModel(spec, emit);
  loaded = { key, model };
  return model;
}

/** Loads through transformers.js; a failed or cut-short download gets a message that says so. */
async function loadModel(spec: ModelSpec, emit: (e: WorkerEvent) => void): Promise<CausalLM> {
  try {
    return await loadModelRaw(spec, emit);
  } catch (e) {
    const msg = String((e as Error)?.message ?? e);
    if (/network error|failed to fetch|incomplete download|interrupted/i.test(msg))
      throw new Error(
        `downloading ${spec.id} failed or was cut short (${msg.split(': ').at(-1)}); nothing partial was stored — try again`,
      );
    throw e;
  }
}

function loadModelRaw(spec: ModelSpec, emit: (e: WorkerEvent) => void): Promise<CausalLM> {
  return CausalLM.load(
    { id: spec.id, hubUrl: spec.hubUrl },
    {
      dtype: spec.dtype as never,
      device: spec.device,
      onProgress: (p) => {
        if (p.status === 'progress' && p.loaded !== undefined)
          emit({ type: 'file', progress: { file: p.file, loaded: p.loaded, total: p.total ?? 0 } });
      },
    },
  );
}

function dataSource(run: RunRecord, emit: (e: WorkerEvent) => void): DataSource {
  if (run.data.source === 'local') return storedDataSource(db, run.data.group);
  return hubSource({
    baseUrl: run.data.hubUrl,
    fetchImpl: cachedFetch(db, 'cais/mmlu', (file, l, t) =>
      emit({ type: 'file', progress: { file, loaded: l, total: t } }),
    ),
  });
}

const api = {
  async init(ortBaseUrl: string, wantThreads?: number): Promise<Capabilities> {
    threads = wantThreads ?? (self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency)) : 1);
    configureWebRuntime({ ortBaseUrl, threads });
    db = await openStore();
    env.useCustomCache = true;
    env.customCache = modelFileCache(db, classify);
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
    const run = (await db.get('runs', runId))!;
    try {
      const model = await getModel(run.model, emit);
      emit({ type: 'phase', phase: 'data', message: `loading ${run.settings.subjects.length} subject(s)` });
      const data = await loadAll(dataSource(run, emit), run.settings.subjects, run.settings.split);
      const done = new Set((await runSamples(db, runId)).map((s) => `${s.subject}#${s.doc_id}`));
      const total = data.reduce((a, d) => a + Math.min(d.questions.length, run.settings.limit ?? Infinity), 0);
      Object.assign(run, { status: 'running', total, done: done.size, updatedAt: Date.now() });
      await db.put('runs', run);
      emit({ type: 'phase', phase: 'eval', message: `evaluating ${total - done.size} question(s)` });
      const result = await evaluate(model, data, run.settings, {
        skip: (s, d) => done.has(`${s}#${d}`),
        onSample: async (s) => {
          await db.put('samples', { ...s, runId });
          run.done++;
          emit({ type: 'sample', subject: s.subject, docId: s.doc_id, acc: s.acc });
        },
        onProgress: (p) => emit({ type: 'progress', progress: p, done: run.done, total }),
      });
      const prev = run.facts;
      run.facts = {
        revision: 'main',
        maxLength: model.maxLength,
        threads,
        graphRewrites: model.graphRewrites,
        batchSize: result.batchSize,
        loadSeconds: model.loadSeconds,
        evalSeconds: (prev?.evalSeconds ?? 0) + result.seconds,
        promptTokens: (prev?.promptTokens ?? 0) + result.promptTokens,
        truncatedCount: (prev?.truncatedCount ?? 0) + result.truncatedCount,
        itemsPerSecond: result.samples.length / result.seconds,
        tokensPerSecond: result.promptTokens / result.seconds,
      };
      run.status = run.done >= total ? 'complete' : 'stopped';
    } catch (e) {
      run.status = 'failed';
      run.error = String((e as Error)?.message ?? e);
    }
    run.updatedAt = Date.now();
    await db.put('runs', run);
    return run;
  },

  capabilities,
};

export type WorkerApi = typeof api;
Comlink.expose(api);
