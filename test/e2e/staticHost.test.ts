/**
 * The production build on a static host that cannot set headers, from a sub-path (GitHub Pages
 * style): the service worker makes the page cross-origin isolated (WASM threads) and the app opens
 * offline once visited.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveStatic } from '../../src/node/hubMirror.ts';
import { REPO } from '../support/paths.ts';
import { SHOTS_DIR } from '../support/browser.ts';

let site: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;

before(async () => {
  mkdirSync(SHOTS_DIR, { recursive: true });
  site = await serveStatic(join(REPO, 'dist'), { isolate: false, prefix: '/pagebench/' });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

/** Polls an expression across the service worker's reload (which destroys the page context). */
async function eventually(page: Page, expr: string, timeout = 30_000): Promise<unknown> {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      const v = await page.evaluate(expr);
      if (v) return v;
    } catch {
      /* navigating */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('from a sub-path without COOP/COEP headers: isolated through the service worker, threads, then offline', async () => {
  const plain = await fetch(`${site.url}/`);
  assert.equal(plain.headers.get('cross-origin-opener-policy'), null, 'the host itself sends no isolation headers');
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${site.url}/`);
  await eventually(page, 'crossOriginIsolated && window.__pagebench !== undefined');
  const caps = (await eventually(page, 'window.__pagebench && window.__pagebench.caps')) as { threads: number };
  assert.ok(caps.threads >= 2, `WASM threads: ${caps.threads}`);

  await ctx.setOffline(true);
  await page.reload();
  await page.getByTestId('start').waitFor({ timeout: 15_000 });
  assert.equal(await page.title(), 'pagebench — MMLU in your browser');
  assert.equal(await page.evaluate('crossOriginIsolated'), true, 'isolated offline too');
  await ctx.close();
});

test('a new build deployed while the page is open: it keeps its version, offers "reload", then runs the new one with only its cache', async () => {
  // Two real builds: the one under test, and a second with another build id (a later deploy).
  const second = mkdtempSync(join(tmpdir(), 'pb-build2-'));
  const b = spawnSync(
    process.execPath,
    [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', second, '--emptyOutDir', '--logLevel', 'error'],
    {
      cwd: REPO,
      env: { ...process.env, PAGEBENCH_BUILD_ID: 'second-deploy' },
      stdio: 'inherit',
    },
  );
  assert.equal(b.status, 0);
  const siteDir = mkdtempSync(join(tmpdir(), 'pb-site-'));
  cpSync(join(REPO, 'dist'), siteDir, { recursive: true });
  const firstId = /const BUILD = '([^']+)'/.exec(readFileSync(join(siteDir, 'sw.js'), 'utf8'))![1]!;
  assert.notEqual(firstId, '__PAGEBENCH_BUILD__', 'the build wrote its id into the service worker');
  const host = await serveStatic(siteDir, { isolate: false });
  try {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${host.url}/`);
    await eventually(page, 'crossOriginIsolated && window.__pagebench !== undefined');
    assert.deepEqual(await page.evaluate('caches.keys()'), [`pagebench-app-${firstId}`]);
    // Deploy the second build over the first.
    rmSync(siteDir, { recursive: true });
    cpSync(second, siteDir, { recursive: true });
    await page.evaluate('navigator.serviceWorker.getRegistration().then((r) => r.update())');
    await page.getByTestId('update-banner').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS_DIR, 'update-banner.png') });
    // Still the first version meanwhile: its service worker controls the page.
    assert.equal(
      await page.evaluate('fetch("sw.js").then((r) => r.text()).then((t) => /second-deploy/.test(t))'),
      true,
      'the network has the new build',
    );
    await page.getByTestId('update-reload').click();
    await eventually(page, `caches.keys().then((k) => k.length === 1 && k[0] === 'pagebench-app-second-deploy')`);
    await eventually(page, 'crossOriginIsolated && window.__pagebench !== undefined');
    assert.equal(await page.getByTestId('update-banner').count(), 0);
    await ctx.close();
  } finally {
    await host.close();
  }
});
