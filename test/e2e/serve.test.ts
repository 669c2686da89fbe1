/**
 * pagebench serve on 127.0.0.1: the built page, the model and MMLU from one process, as a teacher's
 * laptop serves a classroom; the page loads and a run completes from it, over http and over https
 * with the self-signed certificate it makes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { configure, FLAGS, latestRun, runToEnd, SHOTS_DIR, waitUntil } from '../support/browser.ts';
import { REPO, SHARED_MMLU, STORIES } from '../support/paths.ts';

let browser: Browser;
const procs: ChildProcess[] = [];
const data = mkdtempSync(join(tmpdir(), 'pb-serve-data-'));

before(async () => {
  if (!existsSync(join(REPO, 'dist/index.html')))
    spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: REPO, stdio: 'inherit' });
  for (const split of ['dev', 'val', 'test']) {
    mkdirSync(join(data, split));
    copyFileSync(join(SHARED_MMLU, split, `anatomy_${split}.csv`), join(data, split, `anatomy_${split}.csv`));
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  mkdirSync(SHOTS_DIR, { recursive: true });
});

after(async () => {
  for (const p of procs) p.kill('SIGTERM');
  await browser?.close();
});

/** Starts `pagebench serve` and returns the first address it prints. */
async function serve(...extra: string[]): Promise<{ url: string; out: () => string }> {
  const proc = spawn(
    process.execPath,
    [
      join(REPO, 'bin/pagebench.js'),
      'serve',
      '--model',
      `${STORIES}=test-org/stories260K`,
      '--data',
      data,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  procs.push(proc);
  let out = '';
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /(https?:\/\/127\.0\.0\.1:\d+\/\?hub=\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.on('exit', (code) => reject(new Error(`serve exited (${code}): ${out}`)));
  });
  return { url, out: () => out };
}

test('pagebench serve: the page loads from it, cross-origin isolated, and a run completes with its model and data', async () => {
  const s = await serve();
  assert.match(s.out(), /pagebench serving test-org\/stories260K and MMLU \(1 subjects\)/);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const offsite: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(new URL(s.url).origin) && !/^(data|blob):/.test(r.url())) offsite.push(r.url());
  });
  await page.goto(s.url);
  await waitUntil(page, 'window.__pagebench !== undefined');
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  // The served model is offered first (the mirror's index).
  assert.match(
    (await page.getByTestId('model-select').locator('option').first().textContent())!,
    /stories260K \(mirror\)/,
  );
  await configure(page, { subjects: ['anatomy'], shots: 1, limit: 5 });
  await runToEnd(page, () => page.getByTestId('start').click());
  const { run } = await latestRun(page);
  assert.equal(run.status, 'complete', String(run.error ?? ''));
  assert.equal(run.done, 5);
  assert.deepEqual(offsite, []);
  await page.context().close();
});

test('pagebench serve --https: a self-signed certificate; the page is a secure context with WASM threads', async () => {
  const s = await serve('--https');
  assert.match(s.url, /^https:/);
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(s.url);
  await waitUntil(page, 'window.__pagebench !== undefined');
  assert.equal(await page.evaluate(() => isSecureContext && crossOriginIsolated), true);
  const caps = (await page.evaluate('window.__pagebench.caps')) as { threads: number };
  assert.ok(caps.threads >= 2);
  await context.close();
  // Without accepting the certificate the browser refuses it: what a student sees first.
  const strict = await browser.newContext();
  const err = await strict
    .newPage()
    .then((p) => p.goto(s.url))
    .then(
      () => '',
      (e: Error) => e.message,
    );
  assert.match(err, /ERR_CERT_AUTHORITY_INVALID/);
  await strict.close();
});

test('pagebench serve: bad arguments get one error line', () => {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/pagebench.js'), 'serve', '--model', data, '--data', data], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /pagebench: error: .* is not a model folder: it has no config.json/);
});
