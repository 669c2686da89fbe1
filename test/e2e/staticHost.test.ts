/**
 * The production build on a static host that cannot set headers, from a sub-path (GitHub Pages
 * style): the service worker makes the page cross-origin isolated (WASM threads) and the app opens
 * offline once visited.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveStatic } from '../../src/node/hubMirror.ts';
import { REPO } from '../support/paths.ts';

let site: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;

before(async () => {
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
