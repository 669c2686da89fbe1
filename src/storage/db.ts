import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { EvalSettings, Sample } from '../core/records.ts';
import type { PartRange } from '../core/parts.ts';
import type { Fingerprint } from '../core/report/fingerprint.ts';
import { LEGACY_LM_EVAL } from '../core/lmEvalReleases.ts';
import { sampleValue } from '../core/report/scoreboard.ts';
import type { Quiz } from '../core/quiz/quiz.ts';

/** A downloaded (or dropped-in) file, stored only once complete and checked. */
export interface StoredFile {
  url: string;
  /** 'model' files are grouped by model id, 'dataset' files by dataset; 'runtime': ONNX Runtime's wasm. */
  kind: 'model' | 'dataset' | 'runtime';
  group: string;
  size: number;
  /** The bytes of a small file (datasets, dropped-in files, the runtime's wasm)… */
  bytes?: ArrayBuffer;
  /** …or, for a streamed download (model files), how many records of the `parts` store hold them. */
  parts?: number;
  storedAt: number;
  sha256?: string;
}

/** One piece of a streamed download, in order: [url, index]. */
export interface FilePart {
  url: string;
  index: number;
  bytes: Uint8Array;
}

/** A download under way or interrupted: its first `received` bytes are in `parts` records. */
export interface PartialFile {
  url: string;
  kind: StoredFile['kind'];
  group: string;
  /** What the finished file must be (the hub's listing it was started for). */
  size: number;
  sha256?: string;
  received: number;
  parts: number;
  updatedAt: number;
}

export interface ModelSpec {
  id: string;
  hubUrl: string;
  dtype: string;
  device: 'wasm' | 'webgpu';
}

/** A prompt-sensitivity study stored as one record: its variants' samples live under variantRunId(). */
export interface StudySpec {
  vary: [string, string[]][];
  variants: { id: string; axes: Record<string, string> }[];
  system?: string;
}

/** The sample key of one variant of a study. */
export const variantRunId = (studyId: string, variant: string) => `${studyId}::${variant}`;

export interface RunRecord {
  id: string;
  /** A name the user gave the run (shown in the run list). */
  name?: string;
  createdAt: number;
  updatedAt: number;
  status: 'running' | 'stopped' | 'complete' | 'failed';
  model: ModelSpec;
  data: { source: 'hub'; hubUrl: string } | { source: 'local'; group: string };
  settings: EvalSettings;
  /** Set for a study: `total` and `done` then count variant-questions. */
  study?: StudySpec;
  /** One task of a suite run (core/suites.ts): the suite run's id, which suite, its fidelity, the task's index. */
  suite?: { id: string; suite: string; fidelity: 'lm-eval' | 'leaderboard-v1'; index: number };
  total: number;
  /** Questions scored so far: always the number of the run's stored samples (updated with each). */
  done: number;
  /** Sum of the template's headline metric over the stored samples (accuracy = scoreSum / done). */
  scoreSum?: number;
  error?: string;
  /** Stopped because the page went away mid-run (a reload, a crash, a closed tab), not by the user. */
  interrupted?: boolean;
  /** The WebGPU device was lost during the run (it stopped; it can resume on WASM). */
  gpuLost?: boolean;
  /** The run moved to another device part way (after a lost GPU): from which, after how many questions. */
  switchedFrom?: { device: string; atQuestion: number };
  facts?: {
    revision: string;
    maxLength: number;
    threads: number;
    graphRewrites?: string[];
    /** Runtime, versions and hashes (report/fingerprint.ts). */
    fingerprint?: Fingerprint;
    /** The BOS policy applied ('lm-eval' resolved for the model's type). */
    bosResolved?: string;
    /** Questions per forward pass used (chosen by probing when settings.batchSize is 'auto'). */
    batchSize?: number;
    loadSeconds: number;
    /** The model files the run loaded (path → sha256, each verified against the hub's listing). */
    modelFiles?: Record<string, string>;
    evalSeconds: number;
    promptTokens: number;
    truncatedCount: number;
    itemsPerSecond?: number;
    tokensPerSecond?: number;
    /** A part of a split run (settings.part): the slice of the run's questions it scores. */
    part?: PartRange;
  };
}

export interface StoredSample extends Sample {
  runId: string;
}

interface Schema extends DBSchema {
  files: { key: string; value: StoredFile; indexes: { byGroup: string } };
  runs: { key: string; value: RunRecord };
  samples: { key: [string, string, number]; value: StoredSample; indexes: { byRun: string } };
  parts: { key: [string, number]; value: FilePart };
  partials: { key: string; value: PartialFile; indexes: { byGroup: string } };
  quizzes: { key: string; value: StoredQuiz };
}

/** A teacher's quiz kept in the page (its benchmark id names its content). */
export interface StoredQuiz {
  id: string;
  quiz: Quiz;
  savedAt: number;
}

export type PagebenchDB = IDBPDatabase<Schema>;

export function openStore(name = 'pagebench'): Promise<PagebenchDB> {
  return openDB<Schema>(name, 4, {
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        db.createObjectStore('files', { keyPath: 'url' }).createIndex('byGroup', 'group');
        db.createObjectStore('runs', { keyPath: 'id' });
        db.createObjectStore('samples', { keyPath: ['runId', 'subject', 'doc_id'] }).createIndex('byRun', 'runId');
      }
      if (oldVersion < 2) {
        db.createObjectStore('parts', { keyPath: ['url', 'index'] });
        db.createObjectStore('partials', { keyPath: 'url' }).createIndex('byGroup', 'group');
      }
      if (oldVersion >= 1 && oldVersion < 3) void markLegacyRuns(tx.objectStore('runs'));
      if (oldVersion < 4) db.createObjectStore('quizzes', { keyPath: 'id' });
    },
  });
}

/** Runs stored before settings named the lm-eval release followed 0.4.9.1's BOS default: say so. */
async function markLegacyRuns(store: {
  openCursor(): Promise<{ value: RunRecord; update(v: RunRecord): unknown; continue(): Promise<unknown> } | null>;
}): Promise<void> {
  let c = await store.openCursor();
  while (c) {
    if (c.value.settings.lmEval === undefined)
      void c.update({ ...c.value, settings: { ...c.value.settings, lmEval: LEGACY_LM_EVAL } });
    c = (await c.continue()) as typeof c;
  }
}

export async function runSamples(db: PagebenchDB, runId: string): Promise<StoredSample[]> {
  return db.getAllFromIndex('samples', 'byRun', runId);
}

/** Every stored sample of a run, or of every variant of a study. */
export async function recordSamples(db: PagebenchDB, r: RunRecord): Promise<StoredSample[]> {
  if (!r.study) return runSamples(db, r.id);
  const parts = await Promise.all(r.study.variants.map((v) => runSamples(db, variantRunId(r.id, v.id))));
  return parts.flat();
}

/** A study's samples by variant id. */
export async function studySamples(db: PagebenchDB, r: RunRecord): Promise<Map<string, StoredSample[]>> {
  const out = new Map<string, StoredSample[]>();
  for (const v of r.study?.variants ?? []) out.set(v.id, await runSamples(db, variantRunId(r.id, v.id)));
  return out;
}

/** Read-modify-write of a run record in one transaction (the page and the worker both write runs). */
export async function updateRun(
  db: PagebenchDB,
  id: string,
  change: (r: RunRecord) => void,
): Promise<RunRecord | undefined> {
  const tx = db.transaction('runs', 'readwrite');
  const r = await tx.store.get(id);
  if (r) {
    change(r);
    await tx.store.put(r);
  }
  await tx.done;
  return r;
}

/**
 * Stores a finished question and counts it in its run (for a study's variant: in the study's
 * record), atomically: `done` never disagrees with the samples.
 */
export async function addSample(
  db: PagebenchDB,
  sample: StoredSample,
  score: number,
  recordId = sample.runId,
): Promise<RunRecord> {
  const tx = db.transaction(['samples', 'runs'], 'readwrite');
  const runs = tx.objectStore('runs');
  const known = await tx.objectStore('samples').getKey([sample.runId, sample.subject, sample.doc_id]);
  await tx.objectStore('samples').put(sample);
  const r = (await runs.get(recordId))!;
  if (known === undefined) {
    r.done++;
    r.scoreSum = (r.scoreSum ?? 0) + score;
  }
  r.updatedAt = Date.now();
  await runs.put(r);
  await tx.done;
  return r;
}

/**
 * Runs left 'running' by a page that went away (reload, crash, closed tab) become 'stopped', with
 * `done` and `scoreSum` recounted from the stored samples, marked interrupted. Returns their ids.
 */
export async function settleInterruptedRuns(
  db: PagebenchDB,
  headline: (r: RunRecord) => string,
  /** Runs still being scored (in another tab): left as they are. */
  live: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const settled: string[] = [];
  for (const r of await db.getAll('runs')) {
    if (r.status !== 'running' || live.has(r.id)) continue;
    const samples = await recordSamples(db, r);
    const metric = r.study ? 'acc' : headline(r);
    await updateRun(db, r.id, (x) => {
      x.status = 'stopped';
      x.interrupted = true;
      x.done = samples.length;
      x.scoreSum = samples.reduce((a, s) => a + sampleValue(s, metric), 0);
    });
    settled.push(r.id);
  }
  return settled;
}

export async function deleteRun(db: PagebenchDB, runId: string): Promise<void> {
  const record = await db.get('runs', runId);
  const keys = record?.study ? record.study.variants.map((v) => variantRunId(runId, v.id)) : [runId];
  const tx = db.transaction(['runs', 'samples'], 'readwrite');
  for (const key of keys) {
    let cursor = await tx.objectStore('samples').index('byRun').openCursor(key);
    while (cursor) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
  }
  await tx.objectStore('runs').delete(runId);
  await tx.done;
}

/** The key range of every part of one file. */
export const partsOf = (url: string) => IDBKeyRange.bound([url, 0], [url, Infinity]);

/** A model's or dataset's files, complete and partial, with their parts. */
export async function deleteGroup(db: PagebenchDB, group: string): Promise<void> {
  const tx = db.transaction(['files', 'partials', 'parts'], 'readwrite');
  for (const name of ['files', 'partials'] as const) {
    let cursor = await tx.objectStore(name).index('byGroup').openCursor(group);
    while (cursor) {
      await tx.objectStore('parts').delete(partsOf(cursor.value.url));
      await cursor.delete();
      cursor = await cursor.continue();
    }
  }
  await tx.done;
}

export interface StorageGroup {
  kind: StoredFile['kind'];
  group: string;
  files: number;
  bytes: number;
  /** Downloads that did not finish (they resume on the next start): how many, and the bytes they hold. */
  partialFiles?: number;
  partialBytes?: number;
}

/** What is stored, grouped by model / dataset (sizes without loading the bytes into memory twice). */
export async function listGroups(db: PagebenchDB): Promise<StorageGroup[]> {
  const groups = new Map<string, StorageGroup>();
  let cursor = await db.transaction('files').store.openCursor();
  while (cursor) {
    const f = cursor.value;
    const g = groups.get(f.group) ?? { kind: f.kind, group: f.group, files: 0, bytes: 0 };
    g.files++;
    g.bytes += f.size;
    groups.set(f.group, g);
    cursor = await cursor.continue();
  }
  for (const p of await db.getAll('partials')) {
    const g = groups.get(p.group) ?? { kind: p.kind, group: p.group, files: 0, bytes: 0 };
    g.partialFiles = (g.partialFiles ?? 0) + 1;
    g.partialBytes = (g.partialBytes ?? 0) + p.received;
    groups.set(p.group, g);
  }
  return [...groups.values()];
}
