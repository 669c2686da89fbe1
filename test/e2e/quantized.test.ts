/**
 * Quantized exports of stories260K (scripts/quantize_onnx.py) in Chromium: per dtype (fp32, fp16,
 * q8, q4) on WASM, and per dtype the adapter supports on WebGPU (SwiftShader: fp32, q8, q4; fp16
 * refused for want of shader-f16), the fast and harness scorers give the plain scorer's
 * log-likelihoods within 1e-4 (the bench page, which runs any scorer); and the app runs each dtype
 * with its load-time rewrites recorded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mirrorModel } from '../../src/node/hubMirror.ts';
import {
  assertMatchesCli,
  cliRunArgs,
  configure,
  latestRun,
  runToEnd,
  startMirroredApp,
  waitUntil,
  type MirroredApp,
} from '../support/browser.ts';
import { chromium, type Browser } from 'playwright-core';
import { FLAGS } from '../support/browser.ts';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';
import { makeQuantizedVariants } from '../support/syntheticModel.ts';

const SUBJECTS = ['anatomy'];
const MODEL = 'test-org/stories260K-quantized';
let env: MirroredApp;
let dir: string;

before(async () => {
  dir = makeQuantizedVariants(STORIES);
  env = await startMirroredApp(SUBJECTS, (root) => {
    mirrorModel(root, dir, MODEL);
    mirrorModel(root, dir, 'bench/stories-quantized');
  });
});
after(() => env?.close());

interface PageRun {
  browser: Browser;
  device: 'wasm' | 'webgpu';
  limit: number;
}

/** One scoring of the bench page (src/bench/page.ts), with each question's log-likelihoods, or its error. */
async function pageScores(
  run: PageRun,
  dtype: string,
  mode: string,
  batchSize: number,
): Promise<{ lls: number[][]; rewrites: string[] } | { error: string }> {
  const c = { model: 'stories-quantized', dtype, mode, batchSize, shots: 1, subjects: SUBJECTS, limit: run.limit };
  const qs = new URLSearchParams({
    hub: env.hub.url,
    case: JSON.stringify(c),
    threads: '2',
    loglikelihoods: '1',
    device: run.device,
  });
  const page = await run.browser.newPage();
  try {
    await page.goto(`${env.app.url}/src/bench/bench.html?${qs}`);
    await waitUntil(page, 'window.__benchResult || window.__benchError', undefined, { timeout: 300_000 });
    const error = (await page.evaluate('window.__benchError')) as string | undefined;
    if (error) return { error };
    const r = (await page.evaluate('window.__benchResult')) as { loglikelihoods: number[][]; graph_rewrites: string[] };
    return { lls: r.loglikelihoods, rewrites: r.graph_rewrites };
  } finally {
    await page.close();
  }
}

/** Per dtype, each mode against the naive scorer on the same runtime. */
async function assertModesAgree(run: PageRun, dtypes: string[]): Promise<void> {
  for (const dtype of dtypes) {
    const plain = await pageScores(run, dtype, 'naive', 1);
    assert.ok('lls' in plain, `${run.device} ${dtype}: ${'error' in plain ? plain.error : ''}`);
    assert.equal(plain.rewrites.includes('per-row-dynamic-quant'), dtype === 'q8', `${dtype}: ${plain.rewrites}`);
    assert.equal(plain.rewrites.includes('float32-activations'), dtype === 'fp16', `${dtype}: ${plain.rewrites}`);
    for (const [mode, batch] of [
      ['harness', 1],
      ['fast', 1],
      ['fast', 4],
    ] as const) {
      const other = await pageScores(run, dtype, mode, batch);
      assert.ok('lls' in other, `${run.device} ${dtype} ${mode}: ${'error' in other ? other.error : ''}`);
      const gap = Math.max(...plain.lls.flatMap((lls, i) => lls.map((v, j) => Math.abs(v - other.lls[i]![j]!))));
      console.log(
        `Chromium ${run.device} ${dtype} ${mode} batch ${batch}: largest |dLL| vs naive ${gap.toExponential(2)}`,
      );
      assert.ok(gap < 1e-4, `${run.device} ${dtype} ${mode} b${batch}: ${gap}`);
    }
  }
}

test('Chromium WASM, per dtype: fast (batch 1 and 4) == harness == naive within 1e-4', async () => {
  await assertModesAgree({ browser: env.browser, device: 'wasm', limit: 12 }, ['fp32', 'fp16', 'q8', 'q4']);
});

test('Chromium WebGPU (SwiftShader), per dtype it supports: fast == harness == naive within 1e-4; fp16 refused', async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...FLAGS, '--enable-unsafe-webgpu'],
  });
  try {
    const run: PageRun = { browser, device: 'webgpu', limit: 4 };
    await assertModesAgree(run, ['q8', 'q4']);
    // SwiftShader has no shader-f16: the load fails with the message that says so
    const fp16 = await pageScores(run, 'fp16', 'naive', 1);
    assert.ok('error' in fp16, 'fp16 on an adapter without shader-f16 must not run');
    assert.match(fp16.error, /shader-f16/);
  } finally {
    await browser.close();
  }
});

test('the page on WASM runs each dtype with its rewrites recorded; fp32, fp16 and q4 match the CLI, q8 within its rounding step', async () => {
  const page = await (await env.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(env.base);
  await waitUntil(page, 'window.__pagebench !== undefined');
  for (const dtype of ['fp32', 'fp16', 'q8', 'q4']) {
    await configure(page, { model: MODEL, subjects: SUBJECTS, shots: 1, limit: 12 });
    await page.getByTestId('dtype').selectOption(dtype);
    await runToEnd(page, () => page.getByTestId('start').click());
    const r = await latestRun(page);
    assert.equal(r.run.status, 'complete', String(r.run.error ?? ''));
    const facts = r.run.facts as { graphRewrites?: string[] };
    assert.ok(facts.graphRewrites?.includes('logits-to-keep'), `${dtype}: ${facts.graphRewrites}`);
    assert.equal(facts.graphRewrites?.includes('per-row-dynamic-quant'), dtype === 'q8');
    assert.equal(facts.graphRewrites?.includes('float32-activations'), dtype === 'fp16');
    // Across runtimes (WASM vs Node's native kernels) float results differ by ~1e-6; a q8 graph
    // rounds activations to 8 bits again, so such a difference moves a token by a whole step now
    // and then: measured up to 0.11 nats. Within one runtime every mode agrees (test above).
    assertMatchesCli(
      r.samples,
      cliNaive(dtype, 1, 12),
      `WASM ${dtype} page vs Node naive`,
      dtype === 'q8' ? 0.2 : 1e-4,
    );
  }
  // The same model in two dtypes, compared in the page: paired statistics and the |ΔLL| distribution.
  await page.getByRole('button', { name: 'Compare' }).click();
  const pick = page.getByTestId('compare-run');
  for (const dtype of ['fp32', 'q8']) {
    const option = pick.locator('option', { hasText: ` · ${dtype} · ` });
    await pick.selectOption((await option.getAttribute('value'))!);
  }
  const distance = await page.getByTestId('compare-ll-distance').innerText();
  assert.match(distance, /over 48 choices: median [\d.e-]+ · 95th percentile [\d.e-]+ · max [\d.e-]+ nats/);
  assert.match(await page.getByTestId('compare-sides').innerText(), /stories260K-quantized · q8 · lm-eval 1-shot/);
  await page.context().close();
});
function cliNaive(dtype: string, shots: number, limit: number): Map<string, number[]> {
  const { samples } = cliRunArgs(
    '--model',
    dir,
    '--dtype',
    dtype,
    '--scorer',
    'naive',
    '--data',
    SHARED_MMLU,
    '--subjects',
    SUBJECTS.join(','),
    '--shots',
    String(shots),
    '--limit',
    String(limit),
  );
  return new Map([...samples].map(([k, s]) => [k, s.loglikelihoods as number[]]));
}
