import type { PagebenchDB, StoredFile } from './db.ts';

export class IncompleteDownloadError extends Error {
  override name = 'IncompleteDownloadError';
}

type Progress = (p: { progress: number; loaded: number; total: number }) => void;

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A download whose bytes are not the file the hub lists (wrong size or sha256): never stored, never used. */
export class VerificationError extends Error {
  override name = 'VerificationError';
}

/** What a file must be, from the hub's tree listing (report/hubSizes.ts repoManifest). */
export interface Expected {
  path: string;
  size: number;
  sha256?: string;
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
 * transformers.js' env.customCache backed by IndexedDB (match/put of the Cache API). It receives
 * model files and, since wasmPaths is set, ONNX Runtime's wasm files too.
 */
export function modelFileCache(
  db: PagebenchDB,
  classify: (url: string) => Pick<StoredFile, 'kind' | 'group'>,
  /** What a model file must be (from the hub's listing); a model file without one is refused. */
  expectedFor: (url: string) => Expected | undefined = () => undefined,
) {
  return {
    async match(request: string): Promise<Response | undefined> {
      const f = await db.get('files', request);
      if (!f) return undefined;
      return new Response(f.bytes, { headers: { 'content-length': String(f.size) } });
    },
    async put(request: string, response: Response, progress?: Progress): Promise<void> {
      const where = classify(request);
      const expected = where.kind === 'model' ? expectedFor(request) : undefined;
      if (where.kind === 'model' && !expected)
        throw new VerificationError(
          `${request.replace(/^.*\/resolve\/[^/]+\//, '')} of ${where.group} is not in the hub's file listing, so it cannot be verified; nothing was stored`,
        );
      const { bytes, sha256 } = await readChecked(request, response, progress, expected);
      const rec: StoredFile = {
        url: request,
        ...where,
        size: bytes.byteLength,
        bytes,
        storedAt: Date.now(),
        sha256,
      };
      await db.put('files', rec);
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
    if (hit) return new Response(hit.bytes, { headers: { 'content-length': String(hit.size) } });
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
 * A fetch for transformers.js (env.fetch) that hands over a model file only once it is complete and
 * checked against the hub's listing: transformers.js uses what fetch returns even when storing it
 * in the cache fails, so the check has to be here. Other requests pass through.
 */
export function verifiedFetch(
  isModelFile: (url: string) => boolean,
  expectedFor: (url: string) => Expected | undefined,
  onProgress?: (url: string, loaded: number, total: number) => void,
): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const res = await fetch(input, init);
    // A Range request (transformers.js probes a file's size with bytes=0-0) is not the file itself.
    const ranged = res.status === 206 || new Headers(init?.headers).has('range');
    if (!res.ok || ranged || !isModelFile(url) || (init?.method ?? 'GET') !== 'GET') return res;
    const expected = expectedFor(url);
    const path = url.replace(/^.*\/resolve\/[^/]+\//, '');
    if (!expected)
      throw new VerificationError(
        `${path} is not in the hub's file listing (or the listing did not answer), so it cannot be verified; nothing was stored`,
      );
    const { bytes } = await readChecked(url, res, (p) => onProgress?.(url, p.loaded, p.total), expected);
    return new Response(bytes, { status: 200, headers: { 'content-length': String(bytes.byteLength) } });
  };
}
