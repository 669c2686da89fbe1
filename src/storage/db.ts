import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { EvalSettings, Sample } from '../core/evaluate.ts';

/** A downloaded (or dropped-in) file, stored only once complete and checked. */
export interface StoredFile {
  url: string;
  /** 'model' files are grouped by model id, 'dataset' files by dataset; 'runtime': ONNX Runtime's wasm. */
  kind: 'model' | 'dataset' | 'runtime';
  group: string;
  size: number;
  bytes: ArrayBuffer;
  storedAt: number;
  sha256?: string;
}

export interface ModelSpec {
  id: string;
  hubUrl: string;
  dtype: string;
  device: 'wasm' | 'webgpu';
}

export interface RunRecord {
  id: string;
  createdAt: number;
  updatedAt: number;
  status: 'running' | 'stopped' | 'complete' | 'failed';
  model: ModelSpec;
  data: { source: 'hub'; hubUrl: string } | { source: 'local'; group: string };
  settings: EvalSettings;
  total: number;
  done: number;
  error?: string;
  facts?: {
    revision: string;
    maxLength: number;
    threads: number;
    graphRewrites?: string[];
    /** Questions per forward pass used (chosen by probing when settings.batchSize is 'auto'). */
    batchSize?: number;
    loadSeconds: number;
    evalSeconds: number;
    promptTokens: number;
    truncatedCount: number;
    itemsPerSecond?: number;
    tokensPerSecond?: number;
  };
}

export interface StoredSample extends Sample {
  runId: string;
}

interface Schema extends DBSchema {
  files: { key: string; value: StoredFile; indexes: { byGroup: string } };
  runs: { key: string; value: RunRecord };
  samples: { key: [string, string, number]; value: StoredSample; indexes: { byRun: string } };
}

export type PagebenchDB = IDBPDatabase<Schema>;

export function openStore(name = 'pagebench'): Promise<PagebenchDB> {
  return openDB<Schema>(name, 1, {
    upgrade(db) {
      db.createObjectStore('files', { keyPath: 'url' }).createIndex('byGroup', 'group');
      db.createObjectStore('runs', { keyPath: 'id' });
      db.createObjectStore('samples', { keyPath: ['runId', 'subject', 'doc_id'] }).createIndex('byRun', 'runId');
    },
  });
}

export async function runSamples(db: PagebenchDB, runId: string): Promise<StoredSample[]> {
  return db.getAllFromIndex('samples', 'byRun', runId);
}

export async function deleteRun(db: PagebenchDB, runId: string): Promise<void> {
  const tx = db.transaction(['runs', 'samples'], 'readwrite');
  let cursor = await tx.objectStore('samples').index('byRun').openCursor(runId);
  while (cursor) {
    await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.objectStore('runs').delete(runId);
  await tx.done;
}

export async function deleteGroup(db: PagebenchDB, group: string): Promise<void> {
  const tx = db.transaction('files', 'readwrite');
  let cursor = await tx.store.index('byGroup').openCursor(group);
  while (cursor) {
    await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}

export interface StorageGroup {
  kind: StoredFile['kind'];
  group: string;
  files: number;
  bytes: number;
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
  return [...groups.values()];
}
