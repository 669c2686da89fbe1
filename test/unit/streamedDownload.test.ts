/**
 * The streamed, resumable, verified download (src/storage/download.ts) against a real HTTP server
 * that injects faults (src/node/hubMirror.ts serveStatic: cut connections, a flipped byte, 416/500,
 * no Range support), with stories260K's real ONNX file. The parts go to a Map here because Node has
 * no IndexedDB; the page's IndexedDB store runs the same code in test/e2e/downloads.test.ts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mirrorModel, serveStatic, type Fault } from '../../src/node/hubMirror.ts';
import {
  downloadFile,
  DownloadInterruptedError,
  StorageFullError,
  VerificationError,
  type PartialState,
  type PartStore,
} from '../../src/storage/download.ts';
import { STORIES } from '../support/paths.ts';

const FILE = readFileSync(join(STORIES, 'onnx/model.onnx'));
const SHA = createHash('sha256').update(FILE).digest('hex');
const PATH = '/test-org/m/resolve/main/onnx/model.onnx';
const expected = { path: 'onnx/model.onnx', size: FILE.length, sha256: SHA };

const root = mkdtempSync(join(tmpdir(), 'pb-stream-'));
mirrorModel(root, STORIES, 'test-org/m');
let faultFor: (req: IncomingMessage) => Fault | undefined = () => undefined;
const requests: string[] = [];
const hub = await serveStatic(root, {
  fault: (p, req) => {
    if (p !== PATH) return undefined;
    requests.push(req.headers.range ?? 'whole');
    return faultFor(req);
  },
});
const noRanges = await serveStatic(root, {
  ranges: false,
  fault: (p, req) => (p === PATH ? faultFor(req) : undefined),
});
after(() => Promise.all([hub.close(), noRanges.close()]));

/** A PartStore in memory (the stand-in for IndexedDB), recording what was committed. */
function memoryStore(quotaBytes = Infinity) {
  const parts = new Map<number, Uint8Array>();
  let state: PartialState | null = null;
  let finished: { parts: number; sha256: string } | null = null;
  let largest = 0;
  const store: PartStore = {
    resume: async () => state,
    readPart: async (i) => parts.get(i),
    async commit(i, bytes, s) {
      if (s.received > quotaBytes) throw new DOMException('quota', 'QuotaExceededError');
      parts.set(i, bytes.slice());
      state = s;
      largest = Math.max(largest, bytes.byteLength);
    },
    async finish(n, sha256) {
      finished = { parts: n, sha256 };
      state = null;
    },
    async discard() {
      parts.clear();
      state = null;
    },
  };
  return {
    store,
    get state() {
      return state;
    },
    get finished() {
      return finished;
    },
    get largest() {
      return largest;
    },
    bytes: () => Buffer.concat([...parts.keys()].sort((a, b) => a - b).map((k) => parts.get(k)!)),
  };
}

const fast = { partBytes: 100_000, backoffMs: 1 };

test('a whole download is committed in bounded parts and verified', async () => {
  faultFor = () => undefined;
  const m = memoryStore();
  const r = await downloadFile(hub.url + PATH, expected, m.store, fast);
  assert.equal(r.sha256, SHA);
  assert.deepEqual(m.finished, { parts: r.parts, sha256: SHA });
  assert.ok(r.parts >= Math.floor(FILE.length / (100_000 + 64 * 1024)), `${r.parts} parts`);
  assert.ok(m.largest <= 100_000 + 64 * 1024, `largest part ${m.largest} bytes`);
  assert.ok(m.bytes().equals(FILE));
});

test('a connection cut mid-file resumes with a Range request from the last byte kept', async () => {
  requests.length = 0;
  let cut = false;
  faultFor = (req) => (!req.headers.range && !cut ? ((cut = true), { cutAfter: 500_000 }) : undefined);
  const m = memoryStore();
  const notes: string[] = [];
  const r = await downloadFile(hub.url + PATH, expected, m.store, { ...fast, onNote: (n) => notes.push(n) });
  assert.equal(r.sha256, SHA);
  assert.ok(m.bytes().equals(FILE));
  assert.equal(requests.length, 2, requests.join(' | '));
  assert.match(requests[1]!, /^bytes=\d+-$/);
  const from = Number(/\d+/.exec(requests[1]!)![0]);
  assert.ok(from > 0 && from <= 500_000, `resumed from ${from}`);
  assert.match(
    notes.join('\n'),
    /onnx\/model\.onnx: the connection dropped at 0\.\d MB of 1\.2 MB; asking for the rest/,
  );
});

test('a connection cut every 200 kB still completes, each try continuing where the last ended', async () => {
  requests.length = 0;
  faultFor = () => ({ cutAfter: 200_000 });
  const m = memoryStore();
  const r = await downloadFile(hub.url + PATH, expected, m.store, fast);
  assert.equal(r.sha256, SHA);
  assert.ok(requests.length >= 7, requests.join(' | '));
});

test('a server without Range support: the download restarts from the first byte and completes', async () => {
  let cut = false;
  faultFor = () => (!cut ? ((cut = true), { cutAfter: 500_000 }) : undefined);
  const m = memoryStore();
  const notes: string[] = [];
  const r = await downloadFile(noRanges.url + PATH, expected, m.store, { ...fast, onNote: (n) => notes.push(n) });
  assert.equal(r.sha256, SHA);
  assert.ok(m.bytes().equals(FILE));
  assert.match(notes.join('\n'), /the server cannot resume a download; downloading it from the start/);
});

test('a resume the server answers with 416 starts again from the first byte', async () => {
  let cut = false;
  let refused = false;
  faultFor = (req) => {
    if (!req.headers.range && !cut) return ((cut = true), { cutAfter: 300_000 });
    if (req.headers.range && !refused) return ((refused = true), { status: 416 });
    return undefined;
  };
  const m = memoryStore();
  const notes: string[] = [];
  const r = await downloadFile(hub.url + PATH, expected, m.store, { ...fast, onNote: (n) => notes.push(n) });
  assert.equal(r.sha256, SHA);
  assert.match(notes.join('\n'), /refused to resume \(HTTP 416\)/);
});

test('one wrong byte is refused by the sha256, naming the file, and nothing is kept', async () => {
  faultFor = () => ({ flipByteAt: 123_456 });
  const m = memoryStore();
  await assert.rejects(
    downloadFile(hub.url + PATH, expected, m.store, fast),
    (e) =>
      e instanceof VerificationError &&
      /^onnx\/model\.onnx is corrupt: its sha256 [0-9a-f]{12}… is not the hub's [0-9a-f]{12}…; nothing was stored$/.test(
        e.message,
      ),
  );
  assert.equal(m.finished, null);
  assert.equal(m.state, null);
  assert.equal(m.bytes().length, 0);
});

test('a server that keeps failing: given up after the tries with how far it got; a later start (a reload) resumes from the kept bytes', async () => {
  faultFor = (req) => (req.headers.range ? { status: 500 } : { cutAfter: 400_000 });
  const m = memoryStore();
  await assert.rejects(
    downloadFile(hub.url + PATH, expected, m.store, fast),
    (e) =>
      e instanceof DownloadInterruptedError &&
      /^onnx\/model\.onnx: download interrupted at 0\.\d MB of 1\.2 MB after 5 tries \(HTTP 500\); what arrived is kept and the next start resumes from there$/.test(
        e.message,
      ),
  );
  const kept = m.state!;
  assert.ok(kept.received > 0 && kept.received <= 400_000, JSON.stringify(kept));
  assert.equal(m.finished, null);
  // The server recovers; the next start (a fresh call, as after a reload) rehashes the kept parts and asks for the rest.
  requests.length = 0;
  faultFor = () => undefined;
  const notes: string[] = [];
  const r = await downloadFile(hub.url + PATH, expected, m.store, { ...fast, onNote: (n) => notes.push(n) });
  assert.equal(r.sha256, SHA);
  assert.deepEqual(requests, [`bytes=${kept.received}-`]);
  assert.match(notes[0]!, /^onnx\/model\.onnx: resuming at 0\.\d MB of 1\.2 MB$/);
  assert.ok(m.bytes().equals(FILE));
});

test('a client error is not retried', async () => {
  faultFor = () => ({ status: 403 });
  requests.length = 0;
  await assert.rejects(
    downloadFile(hub.url + PATH, expected, memoryStore().store, fast),
    /onnx\/model\.onnx: the server answered HTTP 403/,
  );
  assert.equal(requests.length, 1);
});

test('storage full part way: StorageFullError says what is kept; the parts before it stay', async () => {
  faultFor = () => undefined;
  const m = memoryStore(600_000);
  await assert.rejects(
    downloadFile(hub.url + PATH, expected, m.store, fast),
    (e) =>
      e instanceof StorageFullError &&
      /storage for this site is full after 0\.\d MB of onnx\/model\.onnx \(1\.2 MB\); .* free space under Storage, then start again to resume/.test(
        e.message,
      ),
  );
  assert.ok(m.state!.received > 400_000 && m.state!.received <= 600_000, JSON.stringify(m.state));
  assert.equal(m.finished, null);
});

test('a server whose file is larger or smaller than listed is refused before its body is read', async () => {
  faultFor = () => undefined;
  for (const size of [FILE.length - 10, FILE.length + 10]) {
    const m = memoryStore();
    await assert.rejects(
      downloadFile(hub.url + PATH, { ...expected, size }, m.store, fast),
      new RegExp(
        `onnx/model\\.onnx: the server's file has ${FILE.length} bytes but the hub lists ${size}; nothing was stored`,
      ),
    );
    assert.equal(m.bytes().length, 0);
  }
});
