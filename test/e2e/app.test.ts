/**
 * The app in a real browser: Debian's chromium driven by playwright-core, the production build and
 * a local mirror of the hub's URL layout (stories260K and MMLU shards converted from ../shared)
 * served on 127.0.0.1. Screenshots go to test-results/screenshots/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mirrorMmlu, mirrorModel, serveStatic } from '../../scripts/hubMirror.ts';
import { runCli } from '../support/cli.ts';
import { REPO, SHARED_MMLU, STORIES } from '../support/paths.ts';

const SHOTS_DIR = join(REPO, 'test-results/screenshots');
const FLAGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SUBJECTS = ['anatomy', 'astronomy'];
let app: Awaited<ReturnType<typeof serveStatic>>;
let hub: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
const offsite: string[] = [];

before(async () => {
  if (!existsSync(join(REPO, 'dist/index.html')))
    spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: REPO, stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'pb-e2e-hub-'));
  mirrorModel(root, STORIES, 'test-org/stories260K');
  mirrorModel(root, STORIES, 'test-org/truncated');
  mirrorMmlu(root, SHARED_MMLU, SUBJECTS);
  hub = await serveStatic(root, { truncate: (p) => p.startsWith('/test-org/truncated/') && p.endsWith('.onnx') });
  app = await serveStatic(join(REPO, 'dist'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  mkdirSync(SHOTS_DIR, { recursive: true });
});

after(async () => {
  await browser?.close();
  await app?.close();
  await hub?.close();
});

async function openApp(b: Browser = browser): Promise<Page> {
  const page = await (await b.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('request', (r) => {
    const u = r.url();
    if (!/^(http:\/\/127\.0\.0\.1[:/]|data:|blob:)/.test(u)) offsite.push(u);
  });
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await page.goto(`${app.url}/?hub=${encodeURIComponent(hub.url)}`);
  await page.waitForFunction('window.__pagebench !== undefined');
  return page;
}

interface UiRun {
  model?: string;
  device?: 'wasm' | 'webgpu';
  subjects: string[];
  shots: number;
  limit: number;
}

async function configure(page: Page, r: UiRun) {
  await page.getByRole('button', { name: 'New run' }).click();
  await page.getByTestId('model-select').selectOption('custom');
  await page.getByTestId('custom-model').fill(r.model ?? 'test-org/stories260K');
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption(r.device ?? 'wasm');
  await page.getByTestId('subjects').selectOption(r.subjects);
  await page.getByTestId('shots').selectOption(String(r.shots));
  await page.getByTestId('limit').fill(String(r.limit));
}

interface DbSample {
  runId: string;
  subject: string;
  doc_id: number;
  loglikelihoods: number[];
}

/** Everything in the page's IndexedDB: runs, samples and stored file keys. (A string, so the
 * TypeScript transpiler adds no helpers to code that runs in the page.) */
const DUMP_DB = `(async () => {
  const db = await new Promise((res, rej) => { const r = indexedDB.open('pagebench'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const all = (store, keysOnly) => new Promise((res) => { const st = db.transaction(store).objectStore(store); const r = keysOnly ? st.getAllKeys() : st.getAll(); r.onsuccess = () => res(r.result); });
  const out = { runs: await all('runs'), samples: await all('samples'), files: await all('files', true) };
  db.close();
  return out;
})()`;

async function dump(
  page: Page,
): Promise<{ runs: Record<string, unknown>[]; samples: Record<string, unknown>[]; files: string[] }> {
  return page.evaluate(DUMP_DB);
}

async function latestRun(page: Page) {
  const d = await dump(page);
  const run = d.runs.sort((a, b) => (b.createdAt as number) - (a.createdAt as number))[0]!;
  return { run, samples: (d.samples as unknown as DbSample[]).filter((s) => s.runId === run.id), files: d.files };
}

function cliSamples(subjects: string[], shots: number, limit: number): Map<string, number[]> {
  const out = mkdtempSync(join(tmpdir(), 'pb-e2e-cli-'));
  const r = runCli(
    'run',
    '--model',
    STORIES,
    '--data',
    SHARED_MMLU,
    '--subjects',
    subjects.join(','),
    '--shots',
    String(shots),
    '--limit',
    String(limit),
    '--output-dir',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  const m = new Map<string, number[]>();
  for (const f of readdirSync(out).filter((f) => f.startsWith('samples_')))
    for (const line of readFileSync(join(out, f), 'utf8').trim().split('\n')) {
      const s = JSON.parse(line);
      m.set(`${s.subject}#${s.doc_id}`, s.loglikelihoods);
    }
  return m;
}

function assertMatchesCli(samples: DbSample[], cli: Map<string, number[]>, what: string, tolerance = 1e-4): number {
  assert.equal(samples.length, cli.size, `${what}: sample count`);
  let worst = 0;
  for (const s of samples) {
    const ref = cli.get(`${s.subject}#${s.doc_id}`)!;
    assert.ok(ref, `${what}: ${s.subject}#${s.doc_id} missing from the CLI run`);
    s.loglikelihoods.forEach((l, i) => {
      worst = Math.max(worst, Math.abs(l - ref[i]!));
      assert.ok(
        Math.abs(l - ref[i]!) < tolerance,
        `${what}: ${s.subject}#${s.doc_id} choice ${i}: page ${l} vs CLI ${ref[i]}`,
      );
    });
  }
  console.log(`${what}: largest |page - CLI| = ${worst.toExponential(2)} over ${samples.length} questions`);
  return worst;
}

const finishedCount = (page: Page) => page.evaluate('window.__pagebench.finished()') as Promise<number>;

/** Clicks an element that starts (or resumes) a run and waits until that run has ended. */
async function runToEnd(page: Page, click: () => Promise<void>, timeout = 240_000) {
  const before = await finishedCount(page);
  await click();
  await page.waitForFunction(`window.__pagebench.finished() > ${before}`, undefined, { timeout, polling: 250 });
}

async function waitForDone(page: Page, n: number) {
  await page.waitForFunction(
    `Number((/(\\d+)\\//.exec(document.querySelector('[data-testid=eval-progress]')?.textContent ?? '') ?? [0, 0])[1]) >= ${n}`,
    undefined,
    { timeout: 120_000, polling: 100 },
  );
}

test('served cross-origin isolated from 127.0.0.1; the worker has WASM threads', async () => {
  const page = await openApp();
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  const caps = (await page.evaluate('window.__pagebench.caps')) as { threads: number; crossOriginIsolated: boolean };
  assert.equal(caps.crossOriginIsolated, true);
  assert.ok(caps.threads >= 2, `threads: ${caps.threads}`);
  await page.screenshot({ path: join(SHOTS_DIR, '1-setup.png'), fullPage: true });
  await page.context().close();
});

test('downloads stories260K and two subjects with progress, runs 0- and 5-shot on WASM; log-likelihoods equal the CLI', async () => {
  const page = await openApp();
  await configure(page, { subjects: SUBJECTS, shots: 0, limit: 6 });
  await runToEnd(page, async () => {
    await page.getByTestId('start').click();
    await page.getByTestId('download-file').first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(SHOTS_DIR, '2-downloading.png'), fullPage: true });
  });
  const zero = await latestRun(page);
  assert.equal(zero.run.status, 'complete', String(zero.run.error ?? ''));
  assert.ok(
    zero.files.some((f) => f.endsWith('test-org/stories260K/resolve/main/onnx/model.onnx')),
    'model stored in IndexedDB',
  );
  assert.ok(
    zero.files.some((f) => f.includes('/datasets/cais/mmlu/resolve/main/astronomy/test-00000-of-00001.parquet')),
    'shard stored',
  );
  assertMatchesCli(zero.samples, cliSamples(SUBJECTS, 0, 6), '0-shot');
  await page.getByTestId('headline').waitFor();
  await page.screenshot({ path: join(SHOTS_DIR, '3-results.png'), fullPage: true });

  await configure(page, { subjects: SUBJECTS, shots: 5, limit: 6 });
  await runToEnd(page, () => page.getByTestId('start').click());
  const five = await latestRun(page);
  assert.equal(five.run.status, 'complete', String(five.run.error ?? ''));
  assertMatchesCli(five.samples, cliSamples(SUBJECTS, 5, 6), '5-shot');
  await page.getByRole('button', { name: 'Storage' }).click();
  await page.getByTestId('storage-table').waitFor();
  // the storage view lists the model and the dataset with their sizes, and the runs
  await page.waitForFunction(
    `(() => { const t = document.querySelector('[data-testid=storage-table]')?.textContent ?? '';
      return t.includes('test-org/stories260K') && t.includes('cais/mmlu') && t.includes('MB'); })()`,
    undefined,
    { timeout: 10_000 },
  );
  await page.waitForFunction(`!document.querySelector('[data-testid=estimate]')?.textContent?.includes('?')`);
  await page.screenshot({ path: join(SHOTS_DIR, '4-storage.png'), fullPage: true });
  await page.context().close();
});

test('WebGPU (SwiftShader, fp32): the same log-likelihoods as the CLI', async () => {
  const gpuBrowser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...FLAGS, '--enable-unsafe-webgpu'],
  });
  try {
    const page = await openApp(gpuBrowser);
    const caps = (await page.evaluate('window.__pagebench.caps')) as { webgpu: boolean; shaderF16: boolean };
    assert.equal(caps.webgpu, true, 'a WebGPU adapter');
    await configure(page, { subjects: ['anatomy'], shots: 0, limit: 10, device: 'webgpu' });
    if (!caps.shaderF16) {
      await page.getByTestId('dtype').selectOption('fp16');
      assert.match(await page.getByRole('alert').first().innerText(), /no shader-f16: fp16 will not run/);
      await page.getByTestId('dtype').selectOption('fp32');
    }
    await runToEnd(page, () => page.getByTestId('start').click());
    const r = await latestRun(page);
    assert.equal(r.run.status, 'complete', String(r.run.error ?? ''));
    assert.equal((r.run.model as { device: string }).device, 'webgpu');
    // WebGPU's own sin/cos are approximate (SwiftShader: 1.9e-4 absolute), which moved rotary
    // embeddings and hence log-likelihoods by ~1e-3; the load-time precise-sin-cos rewrite makes
    // them agree with the CPU's within 1e-4.
    const facts = r.run.facts as { graphRewrites?: string[]; batchSize?: number };
    assert.deepEqual(facts.graphRewrites, ['logits-to-keep', 'precise-sin-cos']);
    assert.equal(
      (r.run.settings as { batchSize?: unknown }).batchSize,
      'auto',
      'WebGPU measures whether batching pays',
    );
    assertMatchesCli(r.samples, cliSamples(['anatomy'], 0, 10), 'webgpu', 1e-4);
    await page.context().close();
  } finally {
    await gpuBrowser.close();
  }
});

test('a reload mid-run resumes to the same results; Stop stops and the worker is idle', async () => {
  const page = await openApp();
  await configure(page, { subjects: ['anatomy'], shots: 5, limit: 24 });
  await page.getByTestId('start').click();
  await waitForDone(page, 4);
  await page.screenshot({ path: join(SHOTS_DIR, '5-running.png'), fullPage: true });
  await page.reload();
  await page.waitForFunction('window.__pagebench !== undefined');
  const before = await latestRun(page);
  assert.equal(before.run.status, 'stopped', 'an interrupted run is listed as resumable');
  assert.ok(before.samples.length >= 4 && before.samples.length < 24, `partial: ${before.samples.length}`);
  await runToEnd(page, () => page.getByTestId('resume').first().click());
  const resumed = await latestRun(page);
  assert.equal(resumed.run.status, 'complete', String(resumed.run.error ?? ''));
  assertMatchesCli(resumed.samples, cliSamples(['anatomy'], 5, 24), 'resumed');

  await configure(page, { subjects: ['anatomy'], shots: 5, limit: 60 });
  await page.getByTestId('start').click();
  await waitForDone(page, 2);
  await runToEnd(page, () => page.getByTestId('stop').click(), 10_000);
  assert.equal(await page.evaluate('window.__pagebench.idle()'), true, 'the worker is idle after Stop');
  const stopped = await latestRun(page);
  assert.equal(stopped.run.status, 'stopped');
  await new Promise((r) => setTimeout(r, 2000));
  const later = await latestRun(page);
  assert.equal(later.samples.length, stopped.samples.length, 'nothing is computed after Stop');
  assert.ok(later.samples.length < 60);
  await page.context().close();
});

test('bad input: broken model folder, truncated download, malformed CSV — clear messages, nothing stored as complete', async () => {
  const page = await openApp();
  // a folder with no config.json
  const notModel = mkdtempSync(join(tmpdir(), 'pb-notmodel-'));
  writeFileSync(join(notModel, 'readme.txt'), 'not a model');
  await page.getByTestId('model-folder').setInputFiles(notModel);
  await assertProblem(page, /is not a model folder: it has no config\.json/);
  // a folder whose ONNX file is garbage
  const broken = join(mkdtempSync(join(tmpdir(), 'pb-broken-')), 'broken-model');
  cpSync(STORIES, broken, { recursive: true });
  writeFileSync(join(broken, 'onnx/model.onnx'), 'this is not an onnx graph');
  await page.getByTestId('model-folder').setInputFiles(broken);
  await assertProblem(page, /local\/broken-model could not be loaded as a causal LM: .*Nothing was kept/, 60_000);
  let d = await dump(page);
  assert.ok(!d.files.some((f) => f.includes('/local/broken-model/')), 'nothing of the broken folder is kept');

  // a download cut short: the server declares the full length and sends half
  await configure(page, { model: 'test-org/truncated', subjects: ['anatomy'], shots: 0, limit: 2 });
  await runToEnd(page, () => page.getByTestId('start').click(), 60_000);
  await page.getByRole('alert').first().waitFor();
  const alert = await page.getByRole('alert').first().innerText();
  assert.match(alert, /Error: downloading test-org\/truncated failed or was cut short .*nothing partial was stored/);
  d = await dump(page);
  assert.ok(
    !d.files.some((f) => f.includes('test-org/truncated/resolve/main/onnx/')),
    `no partial ONNX file stored: ${d.files.join(', ')}`,
  );
  const failed = d.runs.find((r) => (r.model as { id: string }).id === 'test-org/truncated')!;
  assert.equal(failed.status, 'failed');

  // a malformed CSV: nothing stored
  const csvDir = mkdtempSync(join(tmpdir(), 'pb-csv-'));
  writeFileSync(
    join(csvDir, 'anatomy_test.csv'),
    'Q1?,a,b,c,d,A\nQ2?,a,b,c,d\nQ3?,a,b,c,d,E\nQ4?,a,b,c,d,B\nQ5?,a,b,c,d,C\n',
  );
  await page.getByRole('button', { name: 'New run' }).click();
  await page.getByTestId('mmlu-files').setInputFiles(join(csvDir, 'anatomy_test.csv'));
  await assertProblem(
    page,
    /anatomy_test\.csv: 2 bad row\(s\) — row 1: expected 6 columns.*row 2: answer is not one of A, B, C, D.*Nothing was stored/,
  );
  d = await dump(page);
  assert.ok(!d.files.some((f) => f.startsWith('local-data:')), 'no dropped CSV stored');
  await page.screenshot({ path: join(SHOTS_DIR, '6-bad-input.png'), fullPage: true });
  await page.context().close();
});

test('own MMLU files as a cais/mmlu parquet folder run like the hub; dtype sizes come from the hub listing', async () => {
  // A downloaded cais/mmlu snapshot: <subject>/<split>-00000-of-00001.parquet, plus files to skip.
  const built = mkdtempSync(join(tmpdir(), 'pb-pq-'));
  mirrorMmlu(built, SHARED_MMLU, ['anatomy']);
  const snapshot = join(mkdtempSync(join(tmpdir(), 'pb-snap-')), 'mmlu');
  cpSync(join(built, 'datasets/cais/mmlu/resolve/main'), snapshot, { recursive: true });
  writeFileSync(join(snapshot, 'README.md'), '# a dataset card');
  mkdirSync(join(snapshot, 'all'));
  writeFileSync(join(snapshot, 'all/test-00000-of-00001.parquet'), 'not read: all/ is not a subject');

  const page = await openApp();
  await page.getByRole('button', { name: 'New run' }).click();
  await page.getByTestId('mmlu-folder').setInputFiles(snapshot);
  await page.waitForFunction(`document.body.innerText.includes('MMLU file(s): anatomy')`, undefined, {
    timeout: 20_000,
  });
  const d = await dump(page);
  assert.deepEqual(
    d.files.filter((f) => f.startsWith('local-data:')).sort(),
    ['dev', 'test', 'val'].map((s) => `local-data:local-mmlu/${s}/anatomy_${s}.parquet`),
  );

  await page.getByTestId('model-select').selectOption('custom');
  await page.getByTestId('custom-model').fill('test-org/stories260K');
  // the hub's tree API (mirrored) gives exact sizes and which dtypes the repo has
  const fp32 = page.locator('[data-testid=dtype] option[value=fp32]');
  await page.waitForFunction(
    `/fp32 · [0-9.]+ MB$/.test(document.querySelector('[data-testid=dtype] option[value=fp32]')?.textContent ?? '')`,
    undefined,
    { timeout: 10_000 },
  );
  const size = statSync(join(STORIES, 'onnx/model.onnx')).size;
  assert.equal(await fp32.textContent(), `fp32 · ${Math.round(size / 1e5) / 10} MB`);
  assert.equal(await page.locator('[data-testid=dtype] option[value=fp16]').textContent(), 'fp16 · not in this repo');
  assert.equal(await page.locator('[data-testid=dtype] option[value=fp16]').isDisabled(), true);

  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption('wasm');
  assert.equal(await page.getByTestId('data-source').inputValue(), 'local');
  await page.getByTestId('subjects').selectOption(['anatomy']);
  await page.getByTestId('shots').selectOption('5');
  await page.getByTestId('limit').fill('6');
  await runToEnd(page, () => page.getByTestId('start').click());
  const r = await latestRun(page);
  assert.equal(r.run.status, 'complete', String(r.run.error ?? ''));
  assert.equal((r.run.data as { source: string }).source, 'local');
  assertMatchesCli(r.samples, cliSamples(['anatomy'], 5, 6), 'local parquet');
  await page.context().close();
});

test('phone-sized screen: the setup view renders without sideways scrolling', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await ctx.newPage();
  await page.goto(`${app.url}/?hub=${encodeURIComponent(hub.url)}`);
  await page.getByTestId('start').waitFor();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: join(SHOTS_DIR, '7-phone-setup.png'), fullPage: true });
  await ctx.close();
});

test('no request left 127.0.0.1', () => {
  assert.deepEqual(offsite, []);
});

async function assertProblem(page: Page, re: RegExp, timeout = 20_000) {
  await page.getByTestId('problem').waitFor({ timeout });
  await page.waitForFunction(
    `${re}.test(document.querySelector('[data-testid=problem]')?.textContent ?? '')`,
    undefined,
    { timeout },
  );
}
