import type { PagebenchDB, StoredFile } from './db.ts';
import { downloadFile, VerificationError, type DownloadEvents, type Expected } from './download.ts';
import { indexedDbParts, storedIntact, storedResponse } from './partStore.ts';

export { VerificationError, type Expected } from './download.ts';

export class IncompleteDownloadError extends Error {
  override name = 'IncompleteDownloadError';
}

type Progress = (p: { progress: number; loaded: number; total: number }) => void;

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Reads a response body completely, reporting progress, and checks it: its length must equal the
 * Content-Length (or the hub's X-Linked-Size), and — when the hub's tree listing is given — the
 * listed size and, for LFS files, the listed sha256; without a listing, the X-Linked-ETag when the
 * response carries one. Throws (IncompleteDownloadError, VerificationError) otherwise, so a
 * partial or corrupt file is never stored as complete.
 */
export async function readChecked(
  url: string,
  response: Response,
  onProgress?: Progress,
  expected?: Expected,
): Promise<{ bytes: ArrayBuffer; sha256?: string }> {
  if (!response.ok) throw new IncompleteDownloadError(`${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('x-linked-size') ?? response.headers.get('content-length') ?? NaN);
  const encoded = response.headers.get('content-encoding');
  const total = Number.isFinite(declared) ? declared : 0;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onProgress?.({ progress: total ? (100 * loaded) / total : 0, loaded, total });
    }
  } catch (e) {
    throw new IncompleteDownloadError(`${url}: download interrupted after ${loaded} bytes (${(e as Error).message})`);
  }
  if (Number.isFinite(declared) && !encoded && loaded !== declared)
    throw new IncompleteDownloadError(`${url}: incomplete download, ${loaded} of ${declared} bytes`);
  const bytes = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.byteLength;
  }
  if (expected) {
    if (loaded !== expected.size)
      throw new VerificationError(
        `${expected.path}: downloaded ${loaded} bytes but the hub lists ${expected.size}; nothing was stored`,
      );
    if (expected.sha256) {
      const sha256 = await sha256Hex(bytes.buffer);
      if (sha256 !== expected.sha256)
        throw new VerificationError(
          `${expected.path} is corrupt: its sha256 ${sha256.slice(0, 12)}… is not the hub's ${expected.sha256.slice(0, 12)}…; nothing was stored`,
        );
      return { bytes: bytes.buffer, sha256 };
    }
  }
  const etag = response.headers.get('x-linked-etag')?.replaceAll('"', '');
  let sha256: string | undefined;
  if (etag && /^[0-9a-f]{64}$/.test(etag)) {
    sha256 = await sha256Hex(bytes.buffer);
    if (sha256 !== etag) throw new IncompleteDownloadError(`${url}: sha256 ${sha256} does not match the hub's ${etag}`);
  }
  return { bytes: bytes.buffer, sha256 };
}

/**
 * transformers.js' env.customCache backed by IndexedDB (match/put of the Cache API). Model files
 * are stored by verifiedFetch as they stream in; put receives ONNX Runtime's wasm files (wasmPaths
 * is set). A stored file whose parts are gone (evicted) is reported and counts as not stored, so
 * it is downloaded again.
 */
export function modelFileCache(
  db: PagebenchDB,
  classify: (url: string) => Pick<StoredFile, 'kind' | 'group'>,
  hooks: { onServe?: (f: StoredFile) => void; onEvicted?: (url: string) => void } = {},
) {
  return {
    async match(request: string): Promise<Response | undefined> {
      const f = await db.get('files', request);
      if (!f) return undefined;
      if (!(await storedIntact(db, f))) {
        hooks.onEvicted?.(request);
        return undefined;
      }
      hooks.onServe?.(f);
      return storedResponse(db, f);
    },
    async put(request: string, response: Response, progress?: Progress): Promise<void> {
      const where = classify(request);
      // Model files are stored (verified) by verifiedFetch before transformers.js sees them.
      if (where.kind === 'model') return;
      const { bytes, sha256 } = await readChecked(request, response, progress);
      // The runtime's own files are served by the site: a full disk only means they are fetched again.
      await db
        .put('files', { url: request, ...where, size: bytes.byteLength, bytes, storedAt: Date.now(), sha256 })
        .catch((e: unknown) => {
          if ((e as { name?: string })?.name !== 'QuotaExceededError') throw e;
        });
    },
  };
}

/** A fetch for dataset shards that serves from IndexedDB and stores complete, checked downloads. */
export function cachedFetch(
  db: PagebenchDB,
  group: string | ((url: string) => string),
  onFile?: (url: string, loaded: number, total: number) => void,
): typeof fetch {
  return async (input: RequestInfo | URL) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const hit = await db.get('files', url);
    if (hit && (await storedIntact(db, hit))) return storedResponse(db, hit);
    const res = await fetch(url);
    if (!res.ok) return res;
    const { bytes, sha256 } = await readChecked(url, res, (p) => onFile?.(url, p.loaded, p.total));
    const g = typeof group === 'string' ? group : group(url);
    await db.put('files', {
      url,
      kind: 'dataset',
      group: g,
      size: bytes.byteLength,
      bytes,
      storedAt: Date.now(),
      sha256,
    });
    return new Response(bytes, { headers: { 'content-length': String(bytes.byteLength) } });
  };
}

/**
 * A fetch for transformers.js (env.fetch) that hands over a model file only once it is stored
 * complete and verified against the hub's listing: it streams the file into IndexedDB
 * (download.ts: bounded memory, incremental sha256, Range resume) and answers from there.
 * transformers.js uses what fetch returns even when caching it fails, so the check has to be here.
 * A file the listing does not have is answered 404, as the hub answers. Other requests, and Range
 * probes (transformers.js asks for bytes=0-0 to learn a size), pass through.
 */
export function verifiedFetch(
  db: PagebenchDB,
  classify: (url: string) => Pick<StoredFile, 'kind' | 'group'>,
  /** The file as the hub lists it; null: the listing has no such file; undefined: no listing. */
  expectedFor: (url: string) => Expected | null | undefined,
  /** Told of each model file handed to transformers.js (its record carries the verified sha256). */
  onServe: (f: StoredFile) => void,
  events: (url: string) => DownloadEvents = () => ({}),
): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const where = classify(url);
    const ranged = new Headers(init?.headers).has('range');
    if (where.kind !== 'model' || ranged || (init?.method ?? 'GET') !== 'GET') return fetch(input, init);
    const stored = await db.get('files', url);
    if (stored && (await storedIntact(db, stored))) {
      onServe(stored);
      return storedResponse(db, stored);
    }
    const expected = expectedFor(url);
    // Not in the repository (e.g. an optional generation_config.json): answered as the hub would.
    if (expected === null) return new Response(null, { status: 404, statusText: 'Not Found' });
    if (!expected)
      throw new VerificationError(
        `${url.replace(/^.*\/resolve\/[^/]+\//, '')} is not in the hub's file listing (or the listing did not answer), so it cannot be verified; nothing was stored`,
      );
    await downloadFile(url, expected, indexedDbParts(db, url, where, expected), events(url));
    const fresh = (await db.get('files', url))!;
    onServe(fresh);
    return storedResponse(db, fresh);
  };
}
