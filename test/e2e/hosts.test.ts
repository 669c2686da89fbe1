/**
 * The page outside the world pagebench builds for it: a mirror shaped like the real hub (no file of
 * pagebench's own; the tree API answered per request, one level, directories as entries; weights
 * behind a redirect carrying X-Linked-Etag/X-Linked-Size; the model list API), and the production
 * build copied to a sub-path of a plain static server that sends no COOP/COEP headers
 * (`python3 -m http.server`). No console error in either.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mirrorMmlu, serveStatic } from '../../src/node/hubMirror.ts';
import { REPO, SHARED_MMLU, STORIES } from '../support/paths.ts';
import {
  assertMatchesCli,
  cliRun,
  FLAGS,
  latestRun,
  runToEnd,
  SHOTS_DIR,
  vitePreview,
  waitUntil,
} from '../support/browser.ts';

const MODEL = 'real-hub/stories260K';
let hub: Awaited<ReturnType<typeof serveStatic>>;
let preview: Awaited<ReturnType<typeof vitePreview>>;
let browser: Browser;
let plainHost: ChildProcess;
let plainUrl = '';
const hubRequests: { url: string; status: number; linked?: string | null }[] = [];

before(async () => {
  if (!existsSync(join(REPO, 'dist/index.html')))
    spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: REPO, stdio: 'inherit' });
  // Only the repositories' files, as a hub-layout folder holds them: no listings, no index of ours.
  const root = mkdtempSync(join(tmpdir(), 'pb-realhub-'));
  cpSync(STORIES, join(root, MODEL, 'resolve/main'), { recursive: true });
  mirrorMmlu(root, SHARED_MMLU, ['anatomy']);
  hub = await serveStatic(root, { realHub: true });
  preview = await vitePreview();
  // The build under /pagebench/ of a plain static server (no isolation headers, no CSP header).
  const site = mkdtempSync(join(tmpdir(), 'pb-plainhost-'));
  cpSync(join(REPO, 'dist'), join(site, 'pagebench'), { recursive: true });
  plainHost = spawn('/usr/bin/python3', ['-m', 'http.server', '--bind', '127.0.0.1', '0'], {
    cwd: site,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  plainUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    plainHost.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    plainHost.on('exit', (code) => reject(new Error(`http.server exited (${code}): ${out}`)));
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  mkdirSync(SHOTS_DIR, { recursive: true });
});

after(async () => {
  await browser?.close();
  preview?.close();
  plainHost?.kill();
  await hub?.close();
});

async function visit(url: string, width = 1280): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()} (${m.location().url})`));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.url().startsWith(hub.url))
      hubRequests.push({ url: r.url(), status: r.status(), linked: r.headers()['x-linked-etag'] ?? null });
  });
  await page.goto(url);
  return { page, errors };
}

/** Polls an expression across the service worker's first-visit reload (which replaces the page's context). */
async function eventually(page: Page, expr: string, timeout = 60_000): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(expr).catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a mirror shaped like the real hub: its model list offers the model, weights arrive through the LFS redirect and are verified, page == CLI, no console error', async () => {
  const { page, errors } = await visit(`${preview.url}/?hub=${encodeURIComponent(hub.url)}`);
  await waitUntil(page, 'window.__pagebench !== undefined');
  assert.equal(await page.getByTestId('model-select').inputValue(), MODEL, "the hub's model list offers it first");
  await page.getByTestId('limit').fill('12');
  await runToEnd(page, () => page.getByTestId('start').click());
  const { run, samples } = await latestRun(page);
  assert.equal(run.status, 'complete', String(run.error ?? ''));
  const cli = cliRun(['anatomy'], 0, 12);
  assertMatchesCli(
    samples,
    new Map([...cli.samples].map(([k, s]) => [k, s.loglikelihoods as number[]])),
    'real-hub mirror',
  );
  const sha = createHash('sha256')
    .update(readFileSync(join(STORIES, 'onnx/model.onnx')))
    .digest('hex');
  assert.equal((run.facts as { modelFiles: Record<string, string> }).modelFiles['onnx/model.onnx'], sha);
  const redirect = hubRequests.find((r) => r.url.endsWith('/onnx/model.onnx') && r.status === 302);
  assert.ok(
    redirect,
    `the graph came through the hub's redirect: ${JSON.stringify(hubRequests.map((r) => `${r.status} ${r.url}`))}`,
  );
  assert.equal(redirect.linked, `"${sha}"`);
  assert.ok(!hubRequests.some((r) => r.url.includes('pagebench')), 'nothing pagebench-specific is asked of the hub');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('?model= names the model: offered and chosen with no model-list request', async () => {
  const before = hubRequests.length;
  const { page, errors } = await visit(
    `${preview.url}/?hub=${encodeURIComponent(hub.url)}&model=${encodeURIComponent(MODEL)}`,
  );
  await waitUntil(page, 'window.__pagebench !== undefined');
  assert.equal(await page.getByTestId('model-select').inputValue(), MODEL);
  await waitUntil(page, `document.querySelector('[data-testid=plan]')?.textContent.includes('135 questions')`);
  assert.ok(!hubRequests.slice(before).some((r) => /\/api\/models(\?|$)/.test(r.url)), 'the model list is not asked');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the build under a sub-path of python3 -m http.server (no COOP/COEP): isolated by its service worker, Start run on defaults scores questions, no console error', async () => {
  const plain = await fetch(`${plainUrl}/pagebench/`);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('cross-origin-embedder-policy'), null, 'the host sends no isolation headers');
  const { page, errors } = await visit(`${plainUrl}/pagebench/?hub=${encodeURIComponent(hub.url)}`);
  await eventually(page, 'crossOriginIsolated && window.__pagebench !== undefined');
  await eventually(page, `document.querySelector('[data-testid=plan]')?.textContent.includes('135 questions')`);
  await page.getByTestId('start').click();
  await eventually(
    page,
    `Number((/(\\d+)\\//.exec(document.querySelector('[data-testid=eval-progress]')?.textContent ?? '') ?? [0, 0])[1]) >= 5`,
    180_000,
  );
  await page.screenshot({ path: join(SHOTS_DIR, 'plain-host-run-1280.png') });
  await page.getByTestId('stop').click();
  await eventually(page, 'window.__pagebench.idle()');
  const { samples } = await latestRun(page);
  assert.ok(samples.length >= 5, `${samples.length} questions stored`);
  assert.deepEqual(errors, []);
  await page.context().close();
});
