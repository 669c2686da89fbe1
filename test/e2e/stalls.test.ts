/**
 * Nothing waits forever without saying so: each step a run (or a speed measurement) waits on is
 * made to hang, and the page must name that step and what to try within the step's limit, and the
 * run must stop when asked. The download hangs for real (the mirror sends part of the graph, then
 * nothing, keeping the connection open) and then resumes; the other steps hang in the worker at
 * that step (`?hang=<step>`, a test switch of the worker). Limits are shortened with ?stallseconds=3.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { STEPS, type StepId } from '../../src/ui/stalls.ts';
import {
  configure,
  latestRun,
  runToEnd,
  SHOTS_DIR,
  startMirroredApp,
  waitUntil,
  type MirroredApp,
} from '../support/browser.ts';

let env: MirroredApp;
let stallDownload = false;

before(async () => {
  env = await startMirroredApp(['anatomy'], undefined, {
    fault: (path) => (stallDownload && path.endsWith('/onnx/model.onnx') ? { stallAfter: 100_000 } : undefined),
  });
});

after(async () => {
  await env?.close();
});

async function open(query: string): Promise<{ page: Page; errors: string[] }> {
  const ctx = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.base}&stallseconds=3${query}`);
  await waitUntil(page, 'window.__pagebench !== undefined');
  return { page, errors };
}

async function expectStall(page: Page, step: StepId, started: number) {
  await waitUntil(
    page,
    `(document.querySelector('[data-testid=stall]')?.textContent ?? '').includes(${JSON.stringify(STEPS[step].doing)})`,
    undefined,
    { timeout: 60_000, polling: 200 },
  );
  const text = (await page.getByTestId('stall').innerText()).replace(/\s+/g, ' ');
  assert.match(text, new RegExp(`^No progress for \\d+ s while .+\\. Try: .+`), text);
  assert.ok(text.includes(STEPS[step].advice), text);
  return { text, seconds: (Date.now() - started) / 1000 };
}

for (const step of ['worker', 'repository', 'load', 'data', 'first-question'] as const) {
  test(`a run stuck at "${STEPS[step].doing}" says so within the limit and stops when asked`, async () => {
    const { page, errors } = await open(`&hang=${step}`);
    await configure(page, { subjects: ['anatomy'], shots: 0, limit: 3 });
    const started = Date.now();
    await page.getByTestId('start').click();
    const { seconds } = await expectStall(page, step, started);
    console.log(`# ${step}: stall shown after ${seconds.toFixed(1)} s`);
    if (step === 'repository' || step === 'load')
      await page.screenshot({ path: join(SHOTS_DIR, `stall-${step}-1280.png`), fullPage: true });
    await page.getByTestId('stop').click();
    await waitUntil(page, 'window.__pagebench.idle()');
    assert.equal(await page.getByTestId('stall').count(), 0, 'the message goes with the run');
    const { run } = await latestRun(page);
    assert.equal(run.status, 'stopped');
    assert.deepEqual(errors, []);
    await page.context().close();
  });
}

test('a download that stops sending: the page says the download is stuck; Stop, then Resume continues it to the end', async () => {
  stallDownload = true;
  const { page, errors } = await open('');
  await configure(page, { subjects: ['anatomy'], shots: 0, limit: 3 });
  const started = Date.now();
  await page.getByTestId('start').click();
  const { seconds } = await expectStall(page, 'download', started);
  console.log(`# download: stall shown after ${seconds.toFixed(1)} s`);
  await page.screenshot({ path: join(SHOTS_DIR, 'stall-download-1280.png'), fullPage: true });
  await page.getByTestId('stop').click();
  await waitUntil(page, 'window.__pagebench.idle()');
  stallDownload = false;
  await runToEnd(page, () => page.getByTestId('resume').first().click());
  const { run, samples } = await latestRun(page);
  assert.equal(run.status, 'complete', String(run.error ?? ''));
  assert.equal(samples.length, 3);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('measuring speed stuck: the estimate says so', async () => {
  const { page, errors } = await open('&hang=calibration');
  await configure(page, { subjects: ['anatomy'], shots: 0, limit: 3 });
  await page.getByTestId('measure').click();
  await expectStall(page, 'calibration', Date.now());
  assert.deepEqual(errors, []);
  await page.context().close();
});
