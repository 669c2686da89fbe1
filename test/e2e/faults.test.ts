/**
 * Faults in a real browser (Chromium, the production build, a local hub mirror), and what the user
 * sees: a second tab on a running run (a Web Lock per run; BroadcastChannel), the evaluation worker
 * failing mid-run, the WebGPU device lost mid-run. In each, no finished question is lost and the
 * run completes with every question stored once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  configure,
  dump,
  FLAGS,
  runToEnd,
  SHOTS_DIR,
  startMirroredApp,
  waitForDone,
  waitUntil,
  type MirroredApp,
} from '../support/browser.ts';

let env: MirroredApp;

before(async () => {
  env = await startMirroredApp(['anatomy', 'astronomy']);
});

after(async () => {
  await env?.close();
});

test('a second tab on a running run: the run keeps going in the first, the second is refused with a reason and follows it', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const a = await context.newPage();
  a.on('pageerror', (e) => errors.push(e.message));
  await a.goto(env.base);
  await waitUntil(a, 'window.__pagebench !== undefined');
  await configure(a, { subjects: ['anatomy', 'astronomy'], shots: 5, limit: 120 });
  const finished = runToEnd(a, () => a.getByTestId('start').click(), 300_000);
  await waitForDone(a, 10);

  const b = await context.newPage();
  b.on('pageerror', (e) => errors.push(e.message));
  await b.goto(env.base);
  await waitUntil(b, 'window.__pagebench !== undefined');
  const runB = (await dump(b)).runs[0]!;
  assert.equal(runB.status, 'running', "the second tab leaves the first tab's run as it is");
  const held = (await b.evaluate('navigator.locks.query().then((s) => s.held.map((l) => l.name))')) as string[];
  assert.ok(held.includes(`pagebench-run:${String(runB.id)}`), held.join(', '));
  // Resuming it here is refused: it is being scored in the other tab.
  await b.getByTestId('resume').first().click();
  await waitUntil(b, `document.body.textContent.includes('being scored in another tab')`);
  await b.screenshot({ path: join(SHOTS_DIR, 'two-tabs-refused.png'), fullPage: true });
  await finished;
  // The second tab's list follows the first tab's run to its end without a reload.
  await b.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  await waitUntil(
    b,
    `[...document.querySelectorAll('[data-testid=run-progress]')].some((e) => e.textContent.includes('complete'))`,
  );
  const d = await dump(b);
  const run = d.runs.find((r) => r.id === runB.id)!;
  assert.equal(run.status, 'complete');
  const samples = d.samples.filter((s) => s.runId === runB.id);
  assert.equal(samples.length, run.total);
  assert.equal(new Set(samples.map((s) => `${String(s.subject)}#${String(s.doc_id)}`)).size, samples.length);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the evaluation worker fails mid-run: the run stops with a clear message, keeps every finished question, and resumes to the end', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(env.base);
  await waitUntil(page, 'window.__pagebench !== undefined');
  await configure(page, { subjects: ['anatomy', 'astronomy'], shots: 5, limit: 100 });
  await page.getByTestId('start').click();
  await waitForDone(page, 10);
  // An uncaught error inside the worker, as a crash there surfaces to the page.
  const worker = page.workers().find((w) => w.url().includes('evalWorker'))!;
  await worker.evaluate('setTimeout(() => { throw new Error("simulated worker crash") }, 0)');
  await waitUntil(page, `document.body.textContent.includes('stopped unexpectedly')`, undefined, { timeout: 30_000 });
  await page.screenshot({ path: join(SHOTS_DIR, 'worker-crash.png'), fullPage: true });
  const d = await dump(page);
  const run = d.runs[0]!;
  const stored = d.samples.filter((s) => s.runId === run.id).length;
  assert.equal(run.status, 'stopped');
  assert.equal(run.done, stored);
  assert.ok(stored >= 10 && stored < (run.total as number), `${stored} of ${String(run.total)}`);
  assert.match(String(run.error), /the evaluation worker stopped unexpectedly \(.*simulated worker crash\)/);
  await runToEnd(page, () => page.getByTestId('resume').first().click(), 300_000);
  const after_ = await dump(page);
  const done = after_.runs.find((r) => r.id === run.id)!;
  assert.equal(done.status, 'complete');
  const samples = after_.samples.filter((s) => s.runId === run.id);
  assert.equal(samples.length, done.total);
  assert.equal(new Set(samples.map((s) => `${String(s.subject)}#${String(s.doc_id)}`)).size, samples.length);
  await context.close();
});

test('the WebGPU device is lost mid-run: the run stops saying so, keeps every finished question, and resumes on WASM', async () => {
  // SwiftShader's WebGPU adapter; destroying ONNX Runtime's device is a real device loss.
  const gpuBrowser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...FLAGS, '--enable-unsafe-webgpu'],
  });
  try {
    const context = await gpuBrowser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(env.base);
    await waitUntil(page, 'window.__pagebench !== undefined');
    await configure(page, { subjects: ['anatomy'], shots: 0, limit: 40, device: 'webgpu' });
    await page.getByTestId('start').click();
    await waitForDone(page, 3);
    const worker = page.workers().find((w) => w.url().includes('evalWorker'))!;
    await worker.evaluate('self.pagebenchGpuDevice.destroy()');
    await page.getByTestId('resume-wasm').waitFor({ timeout: 120_000 });
    assert.match((await page.getByTestId('run-status').textContent())!, /the GPU device was lost/);
    await page.screenshot({ path: join(SHOTS_DIR, 'gpu-lost.png'), fullPage: true });
    const d = await dump(page);
    const run = d.runs[0]!;
    const stored = d.samples.filter((s) => s.runId === run.id).length;
    assert.equal(run.status, 'stopped');
    assert.equal(run.done, stored);
    assert.ok(stored >= 3 && stored < 40, String(stored));
    await runToEnd(page, () => page.getByTestId('resume-wasm').click(), 300_000);
    const after_ = await dump(page);
    const done = after_.runs.find((r) => r.id === run.id)!;
    assert.equal(done.status, 'complete', String(done.error));
    assert.equal((done.model as { device: string }).device, 'wasm');
    assert.deepEqual(done.switchedFrom, { device: 'webgpu', atQuestion: stored });
    assert.equal(after_.samples.filter((s) => s.runId === run.id).length, 40);
    await context.close();
  } finally {
    await gpuBrowser.close();
  }
});
