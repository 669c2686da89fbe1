/**
 * The newcomer path in a second browser: Debian's firefox-esr driven by puppeteer-core over
 * WebDriver BiDi, with Firefox's default preferences — so its persistent-storage prompt stays
 * unanswered, as it does for a person who has not noticed it (a run must not wait for it).
 * Production build under `vite preview`, a mirror written by `npm run mirror`, the page opened with
 * only ?hub=. Checked: page == CLI within 1e-4 after a reload and Resume, a share link reopened in a
 * fresh profile, a classroom part run from a join link and received by the presenter, no console error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { serveStatic } from '../../src/node/hubMirror.ts';
import { assertMatchesCli, cliRun, newcomerMirror, SHOTS_DIR, vitePreview, type DbSample } from '../support/browser.ts';

const FIREFOX = '/usr/bin/firefox-esr';
let preview: Awaited<ReturnType<typeof vitePreview>>;
let hub: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
const errors: string[] = [];

before(async () => {
  hub = await serveStatic(newcomerMirror());
  preview = await vitePreview();
  browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  mkdirSync(SHOTS_DIR, { recursive: true });
});

after(async () => {
  await browser?.close();
  preview?.close();
  await hub?.close();
});

/** A page in a fresh profile (a new browser context), console errors and page errors collected. */
async function open(url: string, width = 1280): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width, height: 900 });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
  await page.goto(url);
  await until(page, 'window.__pagebench !== undefined');
  return page;
}

async function until(page: Page, expression: string, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(expression).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for: ${expression}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const text = (page: Page, testid: string) =>
  page.evaluate(`document.querySelector('[data-testid=${testid}]')?.textContent ?? ''`) as Promise<string>;
const click = (page: Page, testid: string) => page.locator(`[data-testid=${testid}]`).click();
const nav = (page: Page, name: string) =>
  page.evaluate(
    `[...document.querySelectorAll('nav button')].find((b) => b.textContent.trim() === ${JSON.stringify(name)}).click()`,
  );

async function runToEnd(page: Page, testid: string, timeout = 300_000) {
  const before = (await page.evaluate('window.__pagebench.finished()')) as number;
  await click(page, testid);
  await until(page, `window.__pagebench.finished() > ${before}`, timeout);
}

/** Runs and samples from the page's IndexedDB. */
async function stored(page: Page): Promise<{ runs: Record<string, unknown>[]; samples: DbSample[] }> {
  return page.evaluate(`(async () => {
    const db = await new Promise((res, rej) => { const r = indexedDB.open('pagebench'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const all = (s) => new Promise((res) => { const r = db.transaction(s).objectStore(s).getAll(); r.onsuccess = () => res(r.result); });
    const out = { runs: await all('runs'), samples: await all('samples') };
    db.close();
    return out;
  })()`) as never;
}

async function linkFrom(page: Page, which: 'copy-link' | 'copy-full-link'): Promise<string> {
  await page.locator(`[data-testid=${which}]`).click();
  await until(page, `document.querySelector('[data-testid=link-text]')?.value.includes('#/')`);
  return page.evaluate(`document.querySelector('[data-testid=link-text]').value`) as Promise<string>;
}

let resultLink = '';

test('Firefox newcomer path: ?hub= only, Start with defaults (storage prompt unanswered), reload mid-run (it continues by itself); page == CLI within 1e-4, no console error', async () => {
  const page = await open(`${preview.url}/?hub=${encodeURIComponent(hub.url)}`);
  assert.equal(await page.evaluate('crossOriginIsolated'), true, 'cross-origin isolated (WASM threads)');
  await until(page, `document.querySelector('[data-testid=plan]')?.textContent.includes('135 questions')`);
  await click(page, 'start');
  await until(
    page,
    `Number((/(\\d+)\\//.exec(document.querySelector('[data-testid=eval-progress]')?.textContent ?? '') ?? [0, 0])[1]) >= 10`,
    180_000,
  );
  await page.screenshot({ path: join(SHOTS_DIR, 'firefox-run-1280.png') });
  await page.reload();
  await until(page, 'window.__pagebench !== undefined');
  // The run shown when the page went away continues by itself.
  await until(page, 'window.__pagebench.finished() > 0', 300_000);
  assert.match(
    (await page.evaluate('window.__pagebench.continued()')) as string,
    /continues from question \d+ of 135, keeping the \d+ finished/,
  );
  const { runs, samples } = await stored(page);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.status, 'complete', String(runs[0]!.error ?? ''));
  assert.equal(samples.length, 135);
  const cli = cliRun(['anatomy'], 0, 135);
  assertMatchesCli(
    samples,
    new Map([...cli.samples].map(([k, s]) => [k, s.loglikelihoods as number[]])),
    'Firefox newcomer (resumed)',
  );
  await until(page, `!!document.querySelector('[data-testid=headline]')`);
  const headline = await text(page, 'headline');
  const acc = (cli.results.results.mmlu_anatomy['acc,none'] as number) * 100;
  assert.ok(headline.includes(acc.toFixed(1)), `headline "${headline}" shows the CLI's ${acc.toFixed(1)}%`);
  await page.screenshot({ path: join(SHOTS_DIR, 'firefox-results-1280.png'), fullPage: true });
  resultLink = await linkFrom(page, 'copy-link');
  assert.match(resultLink, /#\/share\/v1\.[\w-]+$/);
  assert.deepEqual(errors, []);
  await page.browserContext().close();
});

test('Firefox: the share link reopens in a fresh profile with the same numbers', async () => {
  assert.ok(resultLink, 'the first test made a link');
  // The link leaves out the sender's 127.0.0.1 hub; the receiver (this machine too) sets its own.
  assert.ok(!resultLink.includes('hub='), resultLink);
  const page = await open(resultLink.replace(/(\?[^#]*)?#/, `?hub=${encodeURIComponent(hub.url)}#`));
  await until(page, `!!document.querySelector('[data-testid=shared-view]')`);
  await until(page, `!!document.querySelector('[data-testid=headline]')`);
  const cli = cliRun(['anatomy'], 0, 135);
  const acc = (cli.results.results.mmlu_anatomy['acc,none'] as number) * 100;
  assert.ok((await text(page, 'headline')).includes(acc.toFixed(1)));
  await page.screenshot({ path: join(SHOTS_DIR, 'firefox-share-1280.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.browserContext().close();
});

test('Firefox: a classroom part from a join link, received by the presenter', async () => {
  const P = await open(`${preview.url}/?hub=${encodeURIComponent(hub.url)}`);
  await setLimit(P, 6);
  await nav(P, 'Classroom');
  await until(P, `!!document.querySelector('[data-testid=parts]')`);
  await P.locator('[data-testid=parts]').fill('2');
  await click(P, 'start-session');
  await until(P, `document.querySelector('[data-testid=join-link]')?.value.includes('#/join/')`);
  const joinLink = (await P.evaluate(`document.querySelector('[data-testid=join-link]').value`)) as string;
  const S = await open(joinLink, 390);
  await S.select('[data-testid=part-number]', '1');
  await runToEnd(S, 'run-part');
  await until(S, `!!document.querySelector('[data-testid=share-panel]')`);
  const part = await linkFrom(S, 'copy-link');
  await S.screenshot({ path: join(SHOTS_DIR, 'firefox-join-390.png'), fullPage: true });
  await S.browserContext().close();
  await P.locator('[data-testid=paste-links]').fill(part);
  await click(P, 'add-links');
  await until(P, `!!document.querySelector('[data-testid=merged]')`);
  assert.match(await text(P, 'missing'), /Waiting for part 2/);
  assert.deepEqual(errors, []);
  await P.browserContext().close();
});

/** Sets the setup form's per-subject limit (the default model, subject and shots stay). */
async function setLimit(page: Page, n: number) {
  await until(page, `!!document.querySelector('[data-testid=limit]')`);
  await page.locator('[data-testid=limit]').fill(String(n));
}
