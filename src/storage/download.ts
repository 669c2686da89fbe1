import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** What a file must be, from the hub's tree listing (runtime/hubSizes.ts repoManifest). */
export interface Expected {
  path: string;
  size: number;
  /** LFS files only (lfs.oid); other files are checked by size. */
  sha256?: string;
}

/** A download whose bytes are not the file the hub lists (wrong size or sha256): never stored, never used. */
export class VerificationError extends Error {
  override name = 'VerificationError';
}

/** A download that did not finish (connection, server); what arrived is kept and the next try resumes from it. */
export class DownloadInterruptedError extends Error {
  override name = 'DownloadInterruptedError';
}

/** The browser's storage refused more bytes (QuotaExceededError) part way through a file. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

/** How far a file's download got: its committed parts, in order, make up the first `received` bytes. */
export interface PartialState {
  received: number;
  parts: number;
}

/**
 * Where a download keeps its parts. The page's is IndexedDB (storage/partStore.ts); each commit
 * stores one part and the new state together, so a reload finds them consistent.
 */
export interface PartStore {
  /** The state of an earlier, unfinished download of this file made for the same listing, if any. */
  resume(): Promise<PartialState | null>;
  readPart(index: number): Promise<Uint8Array | undefined>;
  /** Stores a part (a copy: the caller fills the same buffer again once this resolves) and the new state. */
  commit(index: number, bytes: Uint8Array, state: PartialState): Promise<void>;
  /** The whole file arrived and was verified: it becomes a stored file of `parts` parts. */
  finish(parts: number, sha256: string): Promise<void>;
  /** Forget the parts (a restart, or a file that failed verification). */
  discard(): Promise<void>;
}

export interface DownloadEvents {
  onProgress?: (loaded: number, total: number) => void;
  /** Resumed, restarted, retrying: said to the user as it happens. */
  onNote?: (message: string) => void;
}

export interface DownloadOptions extends DownloadEvents {
  fetch?: typeof fetch;
  /** A part is committed when this many bytes have arrived… */
  partBytes?: number;
  /** …or when this long has passed since the last commit (a slow connection still saves progress). */
  commitMs?: number;
  /** Tries in a row that bring no new byte before giving up. */
  retries?: number;
  /** First wait between tries (doubles each time). */
  backoffMs?: number;
}

const MB = 1024 * 1024;

const isQuotaError = (e: unknown) =>
  (e as { name?: string })?.name === 'QuotaExceededError' ||
  /quota/i.test(String((e as Error)?.message ?? '')) ||
  (e as { inner?: { name?: string } })?.inner?.name === 'QuotaExceededError';

/**
 * A response body read chunk by chunk. Where the stream allows it (a byte stream: fetch in browsers),
 * one landing buffer is read into again and again (a BYOB reader), so a large download makes no
 * garbage for the collector to catch up with; elsewhere the stream's own chunks.
 */
function readBody(stream: ReadableStream<Uint8Array>): { next(): Promise<Uint8Array | null>; cancel(): Promise<void> } {
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    byob = null;
  }
  if (byob) {
    const reader = byob;
    let landing = new Uint8Array(256 * 1024);
    return {
      async next() {
        const { done, value } = await reader.read(landing);
        if (value) landing = new Uint8Array(value.buffer);
        return done ? null : value!;
      },
      cancel: () => reader.cancel().catch(() => {}),
    };
  }
  const reader = stream.getReader();
  return {
    async next() {
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

/** Lets go of a response's body unread (cancelling one already failed is no error). */
const dropBody = (res: Response) => res.body?.cancel().catch(() => {});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;

/**
 * Downloads one file into a PartStore with bounded memory: the body is read as a stream, hashed
 * incrementally (sha256) and committed in parts; a dropped connection is retried with an HTTP
 * Range request from the last committed byte (a server that answers 200 instead is read from the
 * start again), and so is a download a reload interrupted. The file counts as stored only once
 * its size and — for LFS files — its sha256 match the hub's listing; a mismatch discards it.
 */
export async function downloadFile(
  url: string,
  expected: Expected,
  store: PartStore,
  opts: DownloadOptions = {},
): Promise<{ sha256: string; parts: number }> {
  const doFetch = opts.fetch ?? fetch;
  const partBytes = opts.partBytes ?? 2 * MB;
  const commitMs = opts.commitMs ?? 1000;
  const retries = opts.retries ?? 4;
  const backoff = opts.backoffMs ?? 500;
  const total = expected.size;

  let hash = sha256.create();
  let received = 0;
  let parts = 0;
  const earlier = await store.resume();
  if (earlier && earlier.received <= total) {
    // The hash state is not stored: the committed parts are read back (one at a time) to rebuild it.
    let seen = 0;
    let intact = true;
    for (let i = 0; i < earlier.parts && intact; i++) {
      const part = await store.readPart(i);
      if (!part) intact = false;
      else {
        hash.update(part);
        seen += part.byteLength;
      }
    }
    if (intact && seen === earlier.received) {
      received = earlier.received;
      parts = earlier.parts;
      if (received > 0) opts.onNote?.(`${expected.path}: resuming at ${mb(received)} of ${mb(total)}`);
    } else {
      hash = sha256.create();
      await store.discard();
    }
  } else if (earlier) await store.discard();

  const restart = async (why: string) => {
    opts.onNote?.(`${expected.path}: ${why}; downloading it from the start`);
    await store.discard();
    hash = sha256.create();
    received = 0;
    parts = 0;
  };

  // The part being filled: one buffer for the whole download, reused after each commit (the store copies it).
  const buf = new Uint8Array(partBytes);
  let filled = 0;

  // A try counts as fruitless unless it gets further into the file than any before it.
  let fruitless = 0;
  let best = received;
  let lastError = '';
  const wrongSize = (size: number) =>
    new VerificationError(
      `${expected.path}: the server's file has ${size} bytes but the hub lists ${total}; nothing was stored`,
    );
  while (received < total) {
    if (fruitless > retries)
      throw new DownloadInterruptedError(
        `${expected.path}: download interrupted at ${mb(received)} of ${mb(total)} after ${fruitless} tries (${lastError}); what arrived is kept and the next start resumes from there`,
      );
    if (fruitless > 0) await sleep(backoff * 2 ** (fruitless - 1));
    let res: Response;
    try {
      res = await doFetch(url, {
        cache: 'no-store',
        ...(received > 0 ? { headers: { Range: `bytes=${received}-` } } : {}),
      });
    } catch (e) {
      lastError = (e as Error).message;
      fruitless++;
      continue;
    }
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
    if (res.status === 416) {
      await dropBody(res);
      const size = /^bytes \*\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1];
      if (size !== undefined && Number(size) !== total) {
        await store.discard();
        throw wrongSize(Number(size));
      }
      await restart('the server refused to resume (HTTP 416)');
      fruitless++;
      lastError = 'HTTP 416';
      continue;
    }
    if (!res.ok) {
      await dropBody(res);
      lastError = `HTTP ${res.status}`;
      // A client error will not change on retrying; a server error may.
      if (res.status < 500)
        throw new DownloadInterruptedError(`${expected.path}: the server answered HTTP ${res.status}`);
      fruitless++;
      continue;
    }
    // The server says how big its file is: a different size is refused before reading it.
    const length = res.headers.get('content-encoding') ? NaN : Number(res.headers.get('content-length') ?? NaN);
    const serverSize = res.status === 206 ? Number(range?.[3] ?? NaN) : length;
    if (Number.isFinite(serverSize) && serverSize !== total) {
      await dropBody(res);
      await store.discard();
      throw wrongSize(serverSize);
    }
    // A cross-origin server that does not expose Content-Range: the 206 answers the range asked for,
    // which its length confirms.
    const rangeStart = range ? Number(range[1]) : length === total - received ? received : NaN;
    if (received > 0 && res.status === 206 && rangeStart !== received) {
      await dropBody(res);
      await restart('the server answered a different range than asked');
      fruitless++;
      continue;
    } else if (received > 0 && res.status !== 206) await restart('the server cannot resume a download');

    let lastCommit = Date.now();
    const commit = async () => {
      if (!filled) return;
      const part = buf.subarray(0, filled);
      try {
        await store.commit(parts, part, { received: received + filled, parts: parts + 1 });
      } catch (e) {
        if (isQuotaError(e))
          throw new StorageFullError(
            `the browser's storage for this site is full after ${mb(received)} of ${expected.path} (${mb(total)}); the files already complete and this file's first ${mb(received)} are kept: free space under Storage, then start again to resume`,
          );
        throw e;
      }
      hash.update(part);
      received += filled;
      parts++;
      filled = 0;
      lastCommit = Date.now();
    };
    const take = async (bytes: Uint8Array) => {
      if (received + filled + bytes.byteLength > total) {
        await store.discard();
        throw new VerificationError(
          `${expected.path}: the server sent more than the ${total} bytes the hub lists; nothing was stored`,
        );
      }
      for (let off = 0; off < bytes.byteLength;) {
        const n = Math.min(bytes.byteLength - off, buf.byteLength - filled);
        buf.set(bytes.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === buf.byteLength) await commit();
      }
      opts.onProgress?.(received + filled, total);
      if (Date.now() - lastCommit >= commitMs) await commit();
    };

    const body = readBody(res.body!);
    try {
      for (let chunk = await body.next(); chunk; chunk = await body.next()) await take(chunk);
      await commit();
    } catch (e) {
      await body.cancel();
      if (e instanceof VerificationError || e instanceof StorageFullError) throw e;
      // What arrived before the cut is good: keep it and ask for the rest.
      await commit();
      lastError = (e as Error).message || String(e);
      opts.onNote?.(`${expected.path}: the connection dropped at ${mb(received)} of ${mb(total)}; asking for the rest`);
    }
    if (received > best) {
      best = received;
      fruitless = 0;
    } else fruitless++;
    if (received < total && !lastError) lastError = `the connection closed at ${received} bytes`;
  }

  const digest = bytesToHex(hash.digest());
  if (expected.sha256 && digest !== expected.sha256) {
    await store.discard();
    throw new VerificationError(
      `${expected.path} is corrupt: its sha256 ${digest.slice(0, 12)}… is not the hub's ${expected.sha256.slice(0, 12)}…; nothing was stored`,
    );
  }
  await store.finish(parts, digest);
  return { sha256: digest, parts };
}
