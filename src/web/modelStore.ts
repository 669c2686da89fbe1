/// <reference lib="webworker" />
import { env } from '@huggingface/transformers';
import { CausalLM, type TokenizerOnly } from '../core/runtime/causalLm.ts';
import { repoManifest, type ListedFile } from '../core/runtime/hubSizes.ts';
import type { ModelSpec, PagebenchDB, StoredFile } from '../storage/db.ts';
import { modelFileCache, verifiedFetch, type Expected } from '../storage/fileCache.ts';
import { withDownloadLock } from '../storage/locks.ts';
import type { GpuWatch } from './gpu.ts';
import type { Hang } from './hang.ts';
import type { Emit } from './protocol.ts';

const repoKey = (hubUrl: string, id: string) => `${hubUrl.replace(/\/+$/, '')}/${id}`;
const filePath = (url: string) => url.replace(/^.*\/resolve\/[^/]+\//, '');

/** Storage kind and group of a file transformers.js caches: a model's owner/name, or the runtime. */
function classify(url: string): { kind: 'model' | 'runtime'; group: string } {
  const model = /\/([^/]+\/[^/]+)\/resolve\//.exec(url)?.[1];
  return model ? { kind: 'model', group: model } : { kind: 'runtime', group: 'ONNX Runtime (wasm)' };
}

/**
 * The worker's model: downloaded through transformers.js into IndexedDB (each file verified
 * against the hub's listing), loaded once and kept while the next run or calibration uses the same
 * model, dtype and device.
 */
export class ModelStore {
  /** The model in memory and the files (path → verified sha256) it was loaded from. */
  loaded: { key: string; model: CausalLM; files: Record<string, string> } | null = null;
  /**
   * The hub's file listing of each model repo used (tree API: sizes, and sha256 for LFS files),
   * fetched before anything of the repo is downloaded: every downloaded model file is checked
   * against it (fileCache.ts) and refused when it differs or is not listed.
   */
  private readonly manifests = new Map<string, Map<string, ListedFile>>();
  /** Where the verified fetch reports download progress and notes (the model load in progress). */
  private downloadEvents: Emit | null = null;
  /** The model files (path → verified sha256) served to the load in progress, for config.model_files. */
  private servedFiles: Record<string, string> | null = null;
  /** Model loads one at a time: a run started while a calibration is loading the same model waits for it. */
  private loading: Promise<unknown> = Promise.resolve();
  /** Runs and calibrations use the model one at a time (a Start during a calibration waits for it). */
  private inUse: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: PagebenchDB,
    private readonly gpu: GpuWatch,
    private readonly hang: Hang,
  ) {}

  /** Routes transformers.js's downloads and cache through IndexedDB, verified against the listings. */
  install(): void {
    env.useCustomCache = true;
    const served = (f: StoredFile) => {
      if (this.servedFiles && f.kind === 'model' && f.sha256) this.servedFiles[filePath(f.url)] = f.sha256;
    };
    env.customCache = modelFileCache(this.db, classify, {
      onServe: served,
      onEvicted: (url) =>
        this.downloadEvents?.({
          type: 'note',
          message: `${filePath(url)} was listed as stored but its data is gone (evicted by the browser?): downloading it again`,
        }),
    });
    env.fetch = verifiedFetch(
      this.db,
      classify,
      (url) => this.expectedFor(url),
      served,
      (url) => ({
        onProgress: (loaded, total) =>
          this.downloadEvents?.({ type: 'file', progress: { file: filePath(url), loaded, total } }),
        onNote: (message) => this.downloadEvents?.({ type: 'note', message }),
      }),
    );
    env.useBrowserCache = false;
  }

  async ensureManifest(spec: Pick<ModelSpec, 'hubUrl' | 'id'>): Promise<void> {
    if (spec.id.startsWith('local/') || this.manifests.has(repoKey(spec.hubUrl, spec.id))) return;
    // Not answering leaves no listing: then any download of the repo is refused (cannot be verified).
    const m = await repoManifest(spec.hubUrl, spec.id).catch(() => null);
    if (m) this.manifests.set(repoKey(spec.hubUrl, spec.id), m);
  }

  /** The file as its repository's listing has it; null when the listing has no such file; undefined without a listing. */
  private expectedFor(url: string): Expected | null | undefined {
    const m = /^(.*)\/resolve\/[^/]+\/(.+)$/.exec(url);
    const listing = m ? this.manifests.get(m[1]!) : undefined;
    return listing ? (listing.get(decodeURIComponent(m![2]!)) ?? null) : undefined;
  }

  /** The model (loaded, or downloaded and loaded, reporting each step and file). */
  get(spec: ModelSpec, emit: Emit): Promise<CausalLM> {
    const next = this.loading.then(async () => {
      const key = JSON.stringify(spec);
      if (this.loaded?.key === key) return this.loaded.model;
      emit({ type: 'phase', phase: 'repository', message: `checking ${spec.id} on the hub` });
      await this.hang.at('repository');
      await this.ensureManifest(spec);
      if (this.loaded) await this.loaded.model.dispose();
      this.loaded = null;
      emit({ type: 'phase', phase: 'model', message: `loading ${spec.id} (${spec.dtype}, ${spec.device})` });
      const files: Record<string, string> = {};
      this.servedFiles = files;
      const model = await withDownloadLock(
        spec.hubUrl,
        spec.id,
        () => this.load(spec, emit),
        () =>
          emit({
            type: 'note',
            message: `another tab is downloading ${spec.id}: this one waits for it, then uses the stored files`,
          }),
      );
      this.servedFiles = null;
      this.loaded = { key, model, files };
      if (spec.device === 'webgpu') await this.gpu.watch(() => (this.loaded = null));
      return model;
    });
    this.loading = next.catch(() => {});
    return next;
  }

  /** The files a loaded model came from (path → sha256), where this store loaded it. */
  filesOf(model: CausalLM): Record<string, string> | undefined {
    return this.loaded?.model === model && Object.keys(this.loaded.files).length ? this.loaded.files : undefined;
  }

  /** The tokenizer alone (the loaded model's, when it is this one): what plans count with. */
  async tokenizer(spec: ModelSpec): Promise<{ tokenizer: CausalLM | TokenizerOnly; maxLength: number }> {
    await this.ensureManifest(spec);
    return this.loaded?.key === JSON.stringify(spec)
      ? { tokenizer: this.loaded.model, maxLength: this.loaded.model.maxLength }
      : CausalLM.loadTokenizer({ id: spec.id, hubUrl: spec.hubUrl });
  }

  /** Runs a task that uses the model, after any other one (runs and calibrations take turns). */
  use<T>(task: () => Promise<T>): Promise<T> {
    const next = this.inUse.then(task);
    this.inUse = next.catch(() => {});
    return next;
  }

  private async load(spec: ModelSpec, emit: Emit): Promise<CausalLM> {
    this.downloadEvents = emit;
    try {
      return await CausalLM.load(
        { id: spec.id, hubUrl: spec.hubUrl },
        {
          dtype: spec.dtype as never,
          device: spec.device,
          onProgress: (p) => {
            if (p.status === 'progress' && p.loaded !== undefined)
              emit({ type: 'file', progress: { file: p.file, loaded: p.loaded, total: p.total ?? 0 } });
            // After the graph's bytes, ONNX Runtime starts and builds its session: a step of its own.
            if (p.status === 'done' && /\.onnx(_data)?$/.test(p.file))
              emit({
                type: 'phase',
                phase: 'load',
                message: `preparing ${spec.id}: ONNX Runtime builds its session from the downloaded graph (a few seconds; nothing is downloading)`,
              });
          },
        },
      );
    } finally {
      this.downloadEvents = null;
    }
  }
}
