/**
 * Model downloads under faults, in real Chromium (the production build, real IndexedDB) from a
 * local hub mirror that injects them (src/node/hubMirror.ts Fault): connections cut part way, a
 * server that cannot resume (200) or refuses to (416), a wrong byte, a reload during a download, storage running out (a small quota set through the
 * DevTools protocol), two tabs wanting the same download, a stored file whose data was evicted,
 * and a 256 MB file downloaded with bounded memory. In each: what the user sees, no finished
 * question lost, and no file used that was not verified against the hub's listing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, cpSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { mirrorModel, type Fault } from '../../src/node/hubMirror.ts';
import {
  configure,
  dump,
  FLAGS,
  runToEnd,
  SHOTS_DIR,
  startMirroredApp,
  waitUntil,
  type MirroredApp,
} from '../support/browser.ts';
import { findProcess, treeRss } from '../../src/node/processMemory.ts';
import { STORIES } from '../support/paths.ts';

const GRAPH = readFileSync(join(STORIES, 'onnx/model.onnx'));
const GRAPH_SHA = createHash('sha256').update(GRAPH).digest('hex');
const BIG_BYTES = 1024 * 1024 * 1024;
const REPOS = ['cut', 'norange', 'refused', 'flip', 'reload', 'quota', 'shared', 'evict'];

/** Per repository: the fault for a request of its onnx/model.onnx (Range probes bytes=0-0 pass). */
const faults = new Map<string, (req: IncomingMessage) => Fault | undefined>();
/** Requests for each repository's onnx/model.onnx: 'whole' or its Range header. */
const requests = new Map<string, string[]>();
let bigSha = '';
let env: MirroredApp;

before(async () => {
  env = await startMirroredApp(
    ['anatomy'],
    (root) => {
      for (const r of REPOS) mirrorModel(root, STORIES, `test-org/${r}`);
      // stories260K's files with a 1 GB onnx/model.onnx of random bytes (it downloads and verifies; it is not loaded)
      const big = mkdtempSync(join(tmpdir(), 'pb-big-'));
      cpSync(STORIES, big, { recursive: true });
      const fd = openSync(join(big, 'onnx/model.onnx'), 'w');
      const hash = createHash('sha256');
      for (let i = 0; i < BIG_BYTES / (16 << 20); i++) {
        const b = randomBytes(16 << 20);
        hash.update(b);
        writeSync(fd, b);
      }
      closeSync(fd);
      bigSha = hash.digest('hex');
      mirrorModel(root, big, 'test-org/big');
      rmSync(big, { recursive: true, force: true });
    },
    {
      fault: (path, req) => {
        const m = /^\/test-org\/([^/]+)\/resolve\/main\/onnx\/model\.onnx$/.exec(path);
        if (!m || req.headers.range === 'bytes=0-0') return undefined;
        requests.set(m[1]!, [...(requests.get(m[1]!) ?? []), req.headers.range ?? 'whole']);
        return faults.get(m[1]!)?.(req);
      },
    },
  );
});

after(async () => {
  await env?.close();
});

/** The page's stored record of a file and its unfinished download, if any (without the bytes). */
async function stored(page: Page, repo: string) {
  const url = `${env.hub.url}/test-org/${repo}/resolve/main/onnx/model.onnx`;
  return (await page.evaluate(`(async () => {
    const db = await new Promise((res, rej) => { const r = indexedDB.open('pagebench'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const get = (store, key) => new Promise((res) => { const r = db.transaction(store).objectStore(store).get(key); r.onsuccess = () => res(r.result); });
    const f = await get('files', ${JSON.stringify(url)});
    const p = await get('partials', ${JSON.stringify(url)});
    db.close();
    return { file: f ? { size: f.size, sha256: f.sha256, parts: f.parts, inline: !!f.bytes } : null, partial: p ?? null };
  })()`)) as {
    file: { size: number; sha256: string; parts?: number; inline: boolean } | null;
    partial: { received: number; size: number; parts: number } | null;
  };
}

async function openPage(context = env.browser) {
  const ctx = await context.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.base);
  await waitUntil(page, 'window.__pagebench !== undefined');
  return { ctx, page, errors };
}

/** The run's record and how many samples it has stored. */
async function lastRun(page: Page, repo: string) {
  const d = await dump(page);
  const run = d.runs
    .filter((r) => (r.model as { id: string }).id === `test-org/${repo}`)
    .sort((a, b) => (b.createdAt as number) - (a.createdAt as number))[0]!;
  return { run, samples: d.samples.filter((s) => s.runId === run.id).length };
}

test('connections cut part way: the download resumes with Range requests, completes with the listed sha256, and the run records the verified file', async () => {
  let cuts = 0;
  // The first response is cut at 400 kB, the first resume at 300 kB more; then the server behaves.
  // (Paced, so the bytes before each cut arrive rather than vanish with the connection.)
  faults.set('cut', () =>
    cuts++ < 2 ? { cutAfter: cuts === 1 ? 400_000 : 300_000, bytesPerSecond: 2_000_000 } : undefined,
  );
  const { ctx, page, errors } = await openPage();
  await configure(page, { model: 'test-org/cut', subjects: ['anatomy'], shots: 0, limit: 5 });
  await runToEnd(page, () => page.getByTestId('start').click(), 120_000);
  const { run, samples } = await lastRun(page, 'cut');
  assert.equal(run.status, 'complete', String(run.error));
  assert.equal(samples, 5);
  const log = requests.get('cut')!;
  assert.equal(log[0], 'whole');
  const offsets = log.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r)?.[1] ?? NaN));
  console.log(`requests for the cut file: ${log.join(' | ')}`);
  // Each resume asks from the last stored byte (bytes in flight at a cut may never arrive, so two may ask the same).
  assert.ok(
    offsets.length >= 2 && offsets.every((o, i) => o > 0 && (i === 0 || o >= offsets[i - 1]!)),
    log.join(' | '),
  );
  const s = await stored(page, 'cut');
  assert.deepEqual({ size: s.file?.size, sha256: s.file?.sha256 }, { size: GRAPH.length, sha256: GRAPH_SHA });
  assert.ok((s.file?.parts ?? 0) >= 2 && !s.file?.inline, JSON.stringify(s.file));
  assert.equal(s.partial, null);
  const facts = run.facts as { modelFiles: Record<string, string> };
  assert.equal(facts.modelFiles['onnx/model.onnx'], GRAPH_SHA, 'the run records the sha256 of the graph it loaded');
  assert.equal(
    facts.modelFiles['tokenizer.json'],
    createHash('sha256')
      .update(readFileSync(join(STORIES, 'tokenizer.json')))
      .digest('hex'),
  );
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a server that cannot resume: after a cut the download starts over from the first byte and completes, verified', async () => {
  let cut = false;
  faults.set('norange', () =>
    cut ? { ignoreRange: true } : ((cut = true), { cutAfter: 500_000, bytesPerSecond: 2_000_000 }),
  );
  const { ctx, page, errors } = await openPage();
  await configure(page, { model: 'test-org/norange', subjects: ['anatomy'], shots: 0, limit: 2 });
  await runToEnd(page, () => page.getByTestId('start').click(), 120_000);
  const { run } = await lastRun(page, 'norange');
  assert.equal(run.status, 'complete', String(run.error));
  assert.equal(requests.get('norange')![0], 'whole');
  assert.match(requests.get('norange')![1]!, /^bytes=\d+-$/);
  assert.equal((await stored(page, 'norange')).file?.sha256, GRAPH_SHA);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a resume the server refuses with 416: the download starts over from the first byte and completes, verified', async () => {
  // The first response is cut (sent in paced pieces, so what came before the cut arrives), the first resume refused.
  let cut = false;
  let refused = false;
  faults.set('refused', (req) => {
    if (!req.headers.range && !cut) return ((cut = true), { cutAfter: 500_000, bytesPerSecond: 2_000_000 });
    if (req.headers.range && !refused) return ((refused = true), { status: 416 });
    return undefined;
  });
  const { ctx, page, errors } = await openPage();
  await configure(page, { model: 'test-org/refused', subjects: ['anatomy'], shots: 0, limit: 2 });
  await runToEnd(page, () => page.getByTestId('start').click(), 120_000);
  const { run } = await lastRun(page, 'refused');
  assert.equal(run.status, 'complete', String(run.error));
  const log = requests.get('refused')!;
  assert.equal(log.length, 3, log.join(' | '));
  assert.match(log[1]!, /^bytes=\d+-$/);
  assert.equal(log[2], 'whole');
  assert.equal((await stored(page, 'refused')).file?.sha256, GRAPH_SHA);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('one wrong byte in transit: the file is refused naming it, nothing of it is kept, the run fails saying so', async () => {
  faults.set('flip', () => ({ flipByteAt: 777_777 }));
  const { ctx, page } = await openPage();
  await configure(page, { model: 'test-org/flip', subjects: ['anatomy'], shots: 0, limit: 2 });
  await runToEnd(page, () => page.getByTestId('start').click(), 60_000);
  const alert = await page.getByRole('alert').first().innerText();
  assert.match(
    alert,
    /downloading test-org\/flip: onnx\/model\.onnx is corrupt: its sha256 [0-9a-f]{12}… is not the hub's [0-9a-f]{12}…; nothing was stored/,
  );
  assert.deepEqual(await stored(page, 'flip'), { file: null, partial: null });
  assert.equal((await lastRun(page, 'flip')).run.status, 'failed');
  await ctx.close();
});

test('a reload during a download: the run is kept as stopped, Storage lists the unfinished download, and Resume continues it from the kept bytes', async () => {
  faults.set('reload', () => ({ bytesPerSecond: 150_000 }));
  const { ctx, page, errors } = await openPage();
  await configure(page, { model: 'test-org/reload', subjects: ['anatomy'], shots: 0, limit: 4 });
  await page.getByTestId('start').click();
  for (let i = 0; ((await stored(page, 'reload')).partial?.received ?? 0) < 300_000; i++) {
    assert.ok(i < 200, 'the slow download made progress');
    await new Promise((r) => setTimeout(r, 100));
  }
  // Reloaded from another tab of the page (a reload at the run's own address continues it by itself).
  await page.evaluate(`location.hash = '#/storage'`);
  await page.reload();
  await waitUntil(page, 'window.__pagebench !== undefined');
  const kept = (await stored(page, 'reload')).partial!;
  assert.ok(kept.received >= 300_000 && kept.received < GRAPH.length, JSON.stringify(kept));
  assert.equal((await stored(page, 'reload')).file, null, 'an unfinished file is not a stored file');
  const { run } = await lastRun(page, 'reload');
  assert.equal(run.status, 'stopped');
  await page.getByRole('navigation').getByRole('button', { name: 'Storage' }).click();
  await waitUntil(page, `document.querySelector('[data-testid=partial-download]') !== null`);
  assert.match(
    (await page.getByTestId('partial-download').innerText()).replace(/\s+/g, ' '),
    /\+ 1 unfinished download\(s\) \([\d.]+ [kKM]B; the next start resumes them\)/,
  );
  await page.screenshot({ path: join(SHOTS_DIR, 'download-reload-storage.png'), fullPage: true });
  faults.set('reload', () => undefined);
  const before = requests.get('reload')!.length;
  await page.evaluate(`location.hash = '#/run/${String(run.id)}'`);
  await runToEnd(page, () => page.getByTestId('resume').first().click(), 120_000);
  assert.deepEqual(requests.get('reload')!.slice(before), [`bytes=${kept.received}-`]);
  const after_ = await lastRun(page, 'reload');
  assert.equal(after_.run.status, 'complete', String(after_.run.error));
  assert.equal(after_.samples, 4);
  assert.equal((await stored(page, 'reload')).file?.sha256, GRAPH_SHA);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('storage runs out part way: a clear message with the way to Storage, the kept bytes stay, and after space is freed the download resumes', async () => {
  faults.set('quota', () => ({ bytesPerSecond: 150_000 }));
  // A profile on disk: Chromium applies a quota override there (not in an off-the-record context).
  // No service worker: its copies of the app's files count against the same quota and arrive after
  // the usage is measured, eating the margin (another write then fails first); and an override set
  // once it controls the page was not applied after the reload.
  const profile = mkdtempSync(join(tmpdir(), 'pb-quota-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
    serviceWorkers: 'block',
  });
  try {
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(env.base);
    await waitUntil(page, 'window.__pagebench !== undefined');
    const origin = new URL(env.app.url).origin;
    const cdp = await ctx.newCDPSession(page);
    // A small quota: what is stored now and about 1 MB more (a real QuotaExceededError from IndexedDB),
    // so the model's graph runs out part way. Chromium applies an override to storage opened after it:
    // the page is loaded again.
    const usage = (await page.evaluate('navigator.storage.estimate().then((e) => e.usage)')) as number;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 1_000_000 });
    await page.reload();
    await waitUntil(page, 'window.__pagebench !== undefined');
    await configure(page, { model: 'test-org/quota', subjects: ['anatomy'], shots: 0, limit: 3 });
    await page.getByTestId('start').click();
    await page.getByRole('alert').first().waitFor({ timeout: 60_000 });
    const alert = (await page.getByRole('alert').first().innerText()).replace(/\s+/g, ' ');
    assert.match(
      alert,
      /downloading test-org\/quota: the browser's storage for this site is full after [\d.]+ MB of onnx\/model\.onnx \(1\.2 MB\); the files already complete and this file's first [\d.]+ MB are kept: free space under Storage, then start again to resume/,
    );
    await page.screenshot({ path: join(SHOTS_DIR, 'download-quota.png'), fullPage: true });
    const kept = (await stored(page, 'quota')).partial!;
    assert.ok(kept.received > 0, JSON.stringify(kept));
    const d = await dump(page);
    assert.ok(
      d.files.some((f) => f.endsWith('test-org/quota/resolve/main/tokenizer.json')),
      'the complete files are kept',
    );
    await page.getByTestId('open-storage').click();
    await waitUntil(page, `document.querySelector('[data-testid=partial-download]') !== null`);
    // Space is freed (the quota lifted); Resume continues from the kept bytes.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    faults.set('quota', () => undefined);
    const before = requests.get('quota')!.length;
    const { run } = await lastRun(page, 'quota');
    await page.evaluate(`location.hash = '#/run/${String(run.id)}'`);
    await runToEnd(page, () => page.getByTestId('resume').first().click(), 120_000);
    assert.deepEqual(requests.get('quota')!.slice(before), [`bytes=${kept.received}-`]);
    const after_ = await lastRun(page, 'quota');
    assert.equal(after_.run.status, 'complete', String(after_.run.error));
    assert.equal(after_.samples, 3);
    assert.equal((await stored(page, 'quota')).file?.sha256, GRAPH_SHA);
    assert.deepEqual(errors, []);
  } finally {
    // Closed also on failure: an open persistent context keeps the test process alive.
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('two tabs want the same download: the second waits for the first (saying so) and uses the stored file; both runs complete', async () => {
  faults.set('shared', () => ({ bytesPerSecond: 250_000 }));
  const ctx = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const [a, b] = [await ctx.newPage(), await ctx.newPage()];
  for (const p of [a, b]) {
    await p.goto(env.base);
    await waitUntil(p, 'window.__pagebench !== undefined');
    await configure(p, { model: 'test-org/shared', subjects: ['anatomy'], shots: 0, limit: 3 });
  }
  const first = runToEnd(a, () => a.getByTestId('start').click(), 120_000);
  for (let i = 0; ((await stored(a, 'shared')).partial?.received ?? 0) === 0; i++) {
    assert.ok(i < 200, 'the first tab is downloading');
    await new Promise((r) => setTimeout(r, 100));
  }
  const second = runToEnd(b, () => b.getByTestId('start').click(), 120_000);
  await waitUntil(
    b,
    `[...document.querySelectorAll('[data-testid=download-note]')].some((e) => e.textContent.includes('another tab is downloading test-org/shared'))`,
  );
  await b.screenshot({ path: join(SHOTS_DIR, 'download-two-tabs.png'), fullPage: true });
  await Promise.all([first, second]);
  assert.deepEqual(requests.get('shared'), ['whole'], 'the file was downloaded once');
  const d = await dump(b);
  const runs = d.runs.filter((r) => (r.model as { id: string }).id === 'test-org/shared');
  assert.equal(runs.length, 2);
  for (const r of runs) {
    assert.equal(r.status, 'complete', String(r.error));
    assert.equal(d.samples.filter((s) => s.runId === r.id).length, 3);
  }
  await ctx.close();
});

test('a stored file whose data was evicted: it is noticed, downloaded again (verified), and the run completes', async () => {
  faults.set('evict', () => undefined);
  const { ctx, page, errors } = await openPage();
  await configure(page, { model: 'test-org/evict', subjects: ['anatomy'], shots: 0, limit: 2 });
  await runToEnd(page, () => page.getByTestId('start').click(), 60_000);
  assert.equal((await lastRun(page, 'evict')).run.status, 'complete');
  // The browser drops the file's data but the record survives (what an eviction looks like to the page).
  const url = `${env.hub.url}/test-org/evict/resolve/main/onnx/model.onnx`;
  await page.evaluate(`(async () => {
    const db = await new Promise((res) => { const r = indexedDB.open('pagebench'); r.onsuccess = () => res(r.result); });
    await new Promise((res) => { const tx = db.transaction('parts', 'readwrite'); tx.objectStore('parts').delete(IDBKeyRange.bound([${JSON.stringify(url)}, 0], [${JSON.stringify(url)}, Infinity])); tx.oncomplete = res; });
    db.close();
  })()`);
  faults.set('evict', () => ({ bytesPerSecond: 400_000 }));
  // A later visit (a fresh worker: nothing of the model in memory) finds the record without its data.
  await page.reload();
  await waitUntil(page, 'window.__pagebench !== undefined');
  await configure(page, { model: 'test-org/evict', subjects: ['anatomy'], shots: 0, limit: 2 });
  const done = runToEnd(page, () => page.getByTestId('start').click(), 60_000);
  await waitUntil(
    page,
    `[...document.querySelectorAll('[data-testid=download-note]')].some((e) => /onnx\\/model\\.onnx was listed as stored but its data is gone .*downloading it again/.test(e.textContent))`,
    undefined,
    { timeout: 30_000 },
  );
  await done;
  assert.deepEqual(requests.get('evict'), ['whole', 'whole']);
  const { run, samples } = await lastRun(page, 'evict');
  assert.equal(run.status, 'complete', String(run.error));
  assert.equal(samples, 2);
  assert.equal((await stored(page, 'evict')).file?.sha256, GRAPH_SHA);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a 1 GB file downloads with bounded memory: the browser grows far less than the file while it streams into IndexedDB', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'pb-mem-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const pid = findProcess(`--user-data-dir=${profile}`);
    assert.ok(pid, 'the browser process is found');
    const page = await context.newPage();
    await page.goto(env.base);
    await waitUntil(page, 'window.__pagebench !== undefined');
    await configure(page, { model: 'test-org/big', subjects: ['anatomy'], shots: 0, limit: 1 });
    const baseline = treeRss(pid);
    await page.getByTestId('start').click();
    let peak = baseline;
    let samples = 0;
    const t0 = Date.now();
    // Until the page has stored (and verified) the last part.
    for (; !(await stored(page, 'big')).file; samples++) {
      assert.ok(Date.now() - t0 < 240_000, 'the 1 GB download ends');
      peak = Math.max(peak, treeRss(pid));
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (Date.now() - t0) / 1000;
    // The file is not a model: stop before it would be loaded.
    await page.getByTestId('stop').click();
    const s = await stored(page, 'big');
    const growth = peak - baseline;
    console.log(
      `1 GB download: ${seconds.toFixed(1)} s; browser RSS ${(baseline / 2 ** 20).toFixed(0)} MB before, peak ${(peak / 2 ** 20).toFixed(0)} MB while downloading (+${(growth / 2 ** 20).toFixed(0)} MB, ${samples} samples)`,
    );
    assert.equal(s.file?.sha256, bigSha, 'the 1 GB file is stored and verified');
    assert.ok(samples > 10, `${samples} samples`);
    // Holding the file in memory would need at least its size (a buffer, and a copy to hash).
    assert.ok(growth < BIG_BYTES / 2, `the browser grew by ${(growth / 2 ** 20).toFixed(0)} MB for a 1 GB file`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
