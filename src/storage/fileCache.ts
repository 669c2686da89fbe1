import type { PagebenchDB, StoredFile } from './db.ts';

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
 * Content-Length (or the hub's X-Linked-Size), and its sha256 the hub's X-Linked-ETag when given.
 * Throws IncompleteDownloadError otherwise, so a partial file is never stored as complete.
 */
export async function readChecked(
  url: string,
  response: Response,
  onProgress?: Progress,
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
export function modelFileCache(db: PagebenchDB, classify: (url: string) => Pick<StoredFile, 'kind' | 'group'>) {
  return {
    async match(request: string): Promise<Response | undefined> {
      const f = await db.get('files', request);
      if (!f) return undefined;
      return new Response(f.bytes, { headers: { 'content-length': String(f.size) } });
    },
    async put(request: string, response: Response, progress?: Progress): Promise<void> {
      const { bytes, sha256 } = await readChecked(request, response, progress);
      const rec: StoredFile = {
        url: request,
        ...classify(request),
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
