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
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mirrorCorruptModel, mirrorMmlu, mirrorModel, serveStatic } from '../../src/node/hubMirror.ts';
import { REPO, SHARED_MMLU, STORIES } from '../support/paths.ts';
import {
  assertMatchesCli,
  assertProblem,
  configure,
  continuesAfterReload,
  cliSamples,
  dump,
  FLAGS,
  latestRun,
  runToEnd,
  SHOTS_DIR,
  waitForDone,
  waitUntil,
} from '../support/browser.ts';

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
  mirrorCorruptModel(root, STORIES, 'test-org/corrupt');
  mirrorMmlu(root, SHARED_MMLU, SUBJECTS);
  // Repositories a user can name by mistake: each must get one sentence saying what is wrong.
  const variant = (name: string, change: (dir: string) => void) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pb-variant-')), name);
    cpSync(STORIES, dir, { recursive: true });
    change(dir);
    mirrorModel(root, dir, `test-org/${name}`);
  };
  variant('no-tokenizer', (d) => rmSync(join(d, 'tokenizer.json')));
  variant('no-onnx', (d) => rmSync(join(d, 'onnx'), { recursive: true }));
  variant('bert', (d) => {
    const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    writeFileSync(
      join(d, 'config.json'),
      JSON.stringify({ ...cfg, model_type: 'bert', architectures: ['BertForMaskedLM'] }),
    );
  });
  variant('fp16-only', (d) => renameSync(join(d, 'onnx/model.onnx'), join(d, 'onnx/model_fp16.onnx')));
  // no generation_config.json (transformers.js asks for it; the hub answers 404, so must the page)
  variant('no-generation-config', (d) => rmSync(join(d, 'generation_config.json')));
  // test-org/truncated: every response cut halfway, and a resume answered with a server error.
  hub = await serveStatic(root, {
    fault: (p, req) =>
      p.startsWith('/test-org/truncated/') && p.endsWith('.onnx')
        ? req.headers.range && req.headers.range !== 'bytes=0-0'
          ? { status: 500 }
          : { cutAfter: 600_000 }
        : undefined,
  });
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
  await waitUntil(page, 'window.__pagebench !== undefined');
  return page;
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
  await page.getByRole('navigation').getByRole('button', { name: 'Storage' }).click();
  await page.getByTestId('storage-table').waitFor();
  // the storage view lists the model and the dataset with their sizes, and the runs
  await waitUntil(
    page,
    `(() => { const t = document.querySelector('[data-testid=storage-table]')?.textContent ?? '';
      return t.includes('test-org/stories260K') && t.includes('cais/mmlu') && t.includes('MB'); })()`,
    undefined,
    { timeout: 10_000 },
  );
  await waitUntil(page, `!document.querySelector('[data-testid=estimate]')?.textContent?.includes('?')`);
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
    const caps = (await page.evaluate('window.__pagebench.caps')) as {
      webgpu: boolean;
      shaderF16: boolean;
      adapter: { software: boolean; architecture: string };
    };
    assert.equal(caps.webgpu, true, 'a WebGPU adapter');
    // auto never picks a software adapter (SwiftShader here: ~100x slower than WASM) and says why
    assert.equal(caps.adapter.software, true, `SwiftShader is software: ${JSON.stringify(caps.adapter)}`);
    assert.equal(await page.locator('[data-testid=device] option[value=auto]').textContent(), 'auto (WASM)');
    assert.match(
      await page.getByTestId('device-why').innerText(),
      /auto → WASM: the WebGPU adapter \(.*swiftshader.*\) is a (software|fallback) renderer/i,
    );
    if (!caps.shaderF16) {
      // a repository whose only weights need shader-f16: nothing this device can run, Start disabled
      await page.getByTestId('model-select').selectOption('custom');
      await page.getByTestId('device').selectOption('webgpu');
      await page.getByTestId('custom-model').fill('test-org/fp16-only');
      await assertProblem(
        page,
        /test-org\/fp16-only has no ONNX weights this device can run \(it offers fp16; webgpu runs q4, q8, fp32\)/,
      );
      assert.equal(await page.getByTestId('start').isDisabled(), true);
      // fp16 chosen on that repository (it offers it): the device's missing shader-f16 is named. (On a
      // repository without fp16 the option is disabled once the hub answers, so this is checked here.)
      await page.getByTestId('dtype').selectOption('fp16');
      assert.match(await page.getByRole('alert').first().innerText(), /no shader-f16: fp16 will not run/);
    }
    await configure(page, { subjects: ['anatomy'], shots: 0, limit: 10, device: 'webgpu' });
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

test('a reload mid-run continues by itself to the same results; Stop stops and the worker is idle', async () => {
  const page = await openApp();
  await configure(page, { subjects: ['anatomy'], shots: 5, limit: 24 });
  await page.getByTestId('start').click();
  await waitForDone(page, 4);
  await page.screenshot({ path: join(SHOTS_DIR, '5-running.png'), fullPage: true });
  await page.reload();
  // The reloaded page settles the run once the old page's run lock is released (it may outlive the
  // load), and continues it by itself: the run this address shows was interrupted, not stopped.
  const note = await continuesAfterReload(page);
  const kept = Number(/keeping the (\d+) finished/.exec(note)?.[1]);
  assert.ok(kept >= 4 && kept < 24, `partial at the reload: ${note}`);
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
  assert.ok(
    !(await page.getByTestId('problem').first().innerText()).includes('tokenizer_class'),
    'no library internals in the message',
  );

  // hub ids that are not a usable model: one sentence each, Start disabled, nothing downloaded
  await page.getByTestId('model-select').selectOption('custom');
  for (const [id, re] of [
    [
      'test-org/does-not-exist',
      /test-org\/does-not-exist was not found on http:\/\/127\.0\.0\.1:\d+: check the model id/,
    ],
    [
      'test-org/no-tokenizer',
      /test-org\/no-tokenizer has no tokenizer\.json: pagebench needs a transformers\.js export/,
    ],
    ['test-org/no-onnx', /test-org\/no-onnx has no ONNX weights \(onnx\/model\*\.onnx\)/],
    [
      'test-org/bert',
      /test-org\/bert is a BertForMaskedLM \(model type bert\), not a causal LM: pick a text-generation model/,
    ],
  ] as const) {
    await page.getByTestId('custom-model').fill(id);
    await assertProblem(page, re);
    assert.equal(await page.getByTestId('start').isDisabled(), true, `Start is disabled for ${id}`);
  }
  d = await dump(page);
  assert.ok(!d.files.some((f) => f.includes('/test-org/no-') || f.includes('/test-org/bert/')), 'nothing downloaded');

  // a download cut short whose resume the server keeps refusing: it gives up after its tries, saying
  // how far it got; nothing is stored as complete, what arrived is kept for the next start
  await configure(page, { model: 'test-org/truncated', subjects: ['anatomy'], shots: 0, limit: 2 });
  await runToEnd(page, () => page.getByTestId('start').click(), 90_000);
  await page.getByRole('alert').first().waitFor();
  const alert = await page.getByRole('alert').first().innerText();
  assert.match(
    alert,
    /downloading test-org\/truncated: onnx\/model\.onnx: download interrupted at [\d.]+ MB of 1\.2 MB after \d+ tries \(HTTP 500\); what arrived is kept and the next start resumes from there/,
  );
  d = await dump(page);
  assert.ok(
    !d.files.some((f) => f.includes('test-org/truncated/resolve/main/onnx/')),
    `no partial ONNX file stored as a file: ${d.files.join(', ')}`,
  );
  const failed = d.runs.find((r) => (r.model as { id: string }).id === 'test-org/truncated')!;
  assert.equal(failed.status, 'failed');

  // a wrong byte: the sha256 from the hub's tree listing (lfs.oid) refuses it, naming the file; nothing stored
  await configure(page, { model: 'test-org/corrupt', subjects: ['anatomy'], shots: 0, limit: 2 });
  await runToEnd(page, () => page.getByTestId('start').click(), 60_000);
  await waitUntil(page, `[...document.querySelectorAll('[role=alert]')].some((e) => /corrupt/.test(e.textContent))`);
  const corrupt = (await page.getByRole('alert').allInnerTexts()).join(' ');
  assert.match(
    corrupt,
    /downloading test-org\/corrupt: onnx\/model\.onnx is corrupt: its sha256 [0-9a-f]{12}… is not the hub's [0-9a-f]{12}…; nothing was stored/,
  );
  d = await dump(page);
  assert.ok(!d.files.some((f) => f.includes('test-org/corrupt/resolve/main/onnx/')), 'the corrupt file is not stored');
  assert.ok(
    d.files.some((f) => f.endsWith('test-org/corrupt/resolve/main/config.json')),
    'verified files are kept',
  );
  // The run's page after the failure: the header says failed (not the step it was on), no full
  // download bar for a refused file, the message once, and nothing about kept questions at 0 done.
  assert.equal(await page.getByTestId('phase').innerText(), 'failed');
  assert.equal(await page.getByTestId('download-overall').count(), 0);
  const pageText = await page.locator('main').innerText();
  assert.equal(pageText.split(/onnx\/model\.onnx is corrupt/).length - 1, 1, 'the message appears once');
  assert.match(await page.getByTestId('run-status').innerText(), /^Failed before any question was scored\./);
  assert.ok(!pageText.includes('Finished questions are kept'), pageText);

  // a malformed CSV: nothing stored
  const csvDir = mkdtempSync(join(tmpdir(), 'pb-csv-'));
  writeFileSync(
    join(csvDir, 'anatomy_test.csv'),
    'Q1?,a,b,c,d,A\nQ2?,a,b,c,d\nQ3?,a,b,c,d,E\nQ4?,a,b,c,d,B\nQ5?,a,b,c,d,C\n',
  );
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  await page.getByTestId('mmlu-files').setInputFiles(join(csvDir, 'anatomy_test.csv'));
  await assertProblem(
    page,
    /anatomy_test\.csv: 2 bad row\(s\) — row 2: expected 6 columns.*row 3: answer is not one of A, B, C, D.*Nothing was stored/,
  );
  d = await dump(page);
  assert.ok(!d.files.some((f) => f.startsWith('local-data:')), 'no dropped CSV stored');
  // The source still reads "from the hub": Start stays off until the user chooses it (or loads good files).
  assert.equal(await page.getByTestId('start').isDisabled(), true, 'Start is off after refused files');
  assert.match(await page.getByTestId('files-refused').innerText(), /anatomy_test\.csv\) were refused/);
  await page.getByTestId('data-source').selectOption('hub');
  assert.equal(await page.getByTestId('start').isDisabled(), false);
  assert.equal(await page.getByTestId('files-refused').count(), 0);
  await page.screenshot({ path: join(SHOTS_DIR, '6-bad-input.png'), fullPage: true });
  await page.context().close();
});

test('own MMLU files as a cais/mmlu parquet folder run like the hub; dtype sizes come from the hub listing; a repo without generation_config.json runs', async () => {
  // A downloaded cais/mmlu snapshot: <subject>/<split>-00000-of-00001.parquet, plus files to skip.
  const built = mkdtempSync(join(tmpdir(), 'pb-pq-'));
  mirrorMmlu(built, SHARED_MMLU, ['anatomy']);
  const snapshot = join(mkdtempSync(join(tmpdir(), 'pb-snap-')), 'mmlu');
  cpSync(join(built, 'datasets/cais/mmlu/resolve/main'), snapshot, { recursive: true });
  writeFileSync(join(snapshot, 'README.md'), '# a dataset card');
  mkdirSync(join(snapshot, 'all'));
  writeFileSync(join(snapshot, 'all/test-00000-of-00001.parquet'), 'not read: all/ is not a subject');

  const page = await openApp();
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  await page.getByTestId('mmlu-folder').setInputFiles(snapshot);
  await waitUntil(page, `document.body.innerText.includes('MMLU file(s): anatomy')`, undefined, {
    timeout: 20_000,
  });
  const d = await dump(page);
  assert.deepEqual(
    d.files.filter((f) => f.startsWith('local-data:')).sort(),
    ['dev', 'test', 'val'].map((s) => `local-data:local-mmlu/${s}/anatomy_${s}.parquet`),
  );

  await page.getByTestId('model-select').selectOption('custom');
  await page.getByTestId('custom-model').fill('test-org/no-generation-config');
  // the hub's tree API (mirrored) gives exact sizes and which dtypes the repo has
  const fp32 = page.locator('[data-testid=dtype] option[value=fp32]');
  await waitUntil(
    page,
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
  // the longest menu entries (the v1 leaderboard's harness) and the suite's notes stay inside too
  await page.getByTestId('lm-eval-release').selectOption('leaderboard-v1');
  await page.getByTestId('suite').selectOption('openllm-v1');
  const after = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(after <= 1, `with the suite and leaderboard-v1 chosen, the page scrolls sideways by ${after}px`);
  await page.screenshot({ path: join(SHOTS_DIR, '7-phone-setup.png'), fullPage: true });
  await ctx.close();
});

test('no request left 127.0.0.1', () => {
  assert.deepEqual(offsite, []);
});
