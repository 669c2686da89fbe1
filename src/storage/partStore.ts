import { partsOf, type PagebenchDB, type StoredFile } from './db.ts';
import type { Expected, PartialState, PartStore } from './download.ts';

/**
 * A streamed download's parts in IndexedDB: each commit writes the part and the download's
 * progress (`partials`) in one transaction; finishing replaces the progress record with the
 * complete file's record in one transaction too, so no reader ever sees a partial file as stored.
 */
export function indexedDbParts(
  db: PagebenchDB,
  url: string,
  where: Pick<StoredFile, 'kind' | 'group'>,
  expected: Expected,
): PartStore {
  const store: PartStore = {
    async resume(): Promise<PartialState | null> {
      const p = await db.get('partials', url);
      if (!p) return null;
      // A download begun for another version of the file (the listing changed) is no use.
      if (p.size !== expected.size || p.sha256 !== expected.sha256) {
        await store.discard();
        return null;
      }
      return { received: p.received, parts: p.parts };
    },
    async readPart(index) {
      return (await db.get('parts', [url, index]))?.bytes;
    },
    async commit(index, bytes, state) {
      const tx = db.transaction(['parts', 'partials'], 'readwrite');
      // A full disk aborts the transaction: its error (QuotaExceededError) is the cause, not the put's AbortError.
      await Promise.all([
        // A view is cloned with its whole buffer: store exactly the part's bytes.
        tx.objectStore('parts').put({
          url,
          index,
          bytes: bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice(),
        }),
        tx.objectStore('partials').put({
          url,
          ...where,
          size: expected.size,
          ...(expected.sha256 ? { sha256: expected.sha256 } : {}),
          received: state.received,
          parts: state.parts,
          updatedAt: Date.now(),
        }),
        tx.done,
      ]).catch((e: unknown) => {
        throw tx.error ?? e;
      });
    },
    async finish(parts, sha256) {
      const tx = db.transaction(['files', 'partials'], 'readwrite');
      await Promise.all([
        tx.objectStore('files').put({ url, ...where, size: expected.size, parts, storedAt: Date.now(), sha256 }),
        tx.objectStore('partials').delete(url),
        tx.done,
      ]);
    },
    async discard() {
      const tx = db.transaction(['parts', 'partials'], 'readwrite');
      await Promise.all([
        tx.objectStore('parts').delete(partsOf(url)),
        tx.objectStore('partials').delete(url),
        tx.done,
      ]);
    },
  };
  return store;
}

/**
 * Whether a stored file's bytes are all there: a record whose parts are gone (evicted by the
 * browser, or cleared by hand) is not a file. Such a record is removed so the file is downloaded again.
 */
export async function storedIntact(db: PagebenchDB, f: StoredFile): Promise<boolean> {
  if (f.bytes) return f.bytes.byteLength === f.size;
  const count = await db.count('parts', partsOf(f.url));
  if (count === f.parts) return true;
  const tx = db.transaction(['files', 'parts'], 'readwrite');
  await Promise.all([tx.objectStore('files').delete(f.url), tx.objectStore('parts').delete(partsOf(f.url)), tx.done]);
  return false;
}

/** A stored file as a Response whose body reads its parts one at a time (a large model is never copied twice). */
export function storedResponse(db: PagebenchDB, f: StoredFile): Response {
  const headers = { 'content-length': String(f.size) };
  if (f.bytes) return new Response(f.bytes, { headers });
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next === f.parts) {
        controller.close();
        return;
      }
      const part = await db.get('parts', [f.url, next++]);
      if (!part) controller.error(new Error(`${f.url}: part ${next - 1} of the stored file is missing`));
      else controller.enqueue(part.bytes);
    },
  });
  return new Response(body, { headers });
}

/** A stored file's bytes in one buffer (for files read whole: datasets, dropped-in files). */
export async function storedBytes(db: PagebenchDB, f: StoredFile): Promise<Uint8Array> {
  return new Uint8Array(await storedResponse(db, f).arrayBuffer());
}
