/**
 * `npm run bench [-- --quick]`: the same MMLU questions from ../shared/mmlu through the naive,
 * harness and fast scorers, on stories260K and on a random-weight model of SmolLM2-135M's shape
 * (fp32, and its fp16, q8 and q4 files), in Node (onnxruntime-node) and in Chromium
 * (onnxruntime-web WASM, threaded); plus each runtime's peak throughput per dtype kernel, so
 * efficiency = achieved FLOP/s / that dtype's kernel peak. Prints a table to stderr and, as the
 * last line of stdout, one JSON object.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import {
  BENCH_DTYPES,
  BENCH_SUBJECTS,
  benchCases,
  groupByLoad,
  type BenchCase,
  type CaseResult,
} from '../src/bench/cases.ts';
import type { Dtype } from '../src/core/runtime/causalLm.ts';
import { DTYPE_SUFFIX } from '../src/core/runtime/hubSizes.ts';
import { mirrorMmlu, mirrorTreeApi, serveStatic } from '../src/node/hubMirror.ts';
import { findProcess, treeRss } from '../src/node/processMemory.ts';
// the app is driven as the end-to-end tests drive it (one place knows its form)
import { configure, FLAGS, latestRun } from '../test/support/browser.ts';
import { SUBJECTS } from '../src/core/benchmarks/mmlu/subjects.ts';
import { kernelFile } from '../src/bench/matmul.ts';
import { median } from '../src/bench/median.ts';
import { MODEL_LOADED } from '../src/bench/cases.ts';

const REPO = resolve(import.meta.dirname ?? '.', '..');
const SHARED = resolve(REPO, '../shared');
const MODELS_DIR = join(REPO, 'bench-models');
const KERNELS_DIR = join(MODELS_DIR, 'kernels');
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const quick = process.argv.includes('--quick');
const skipBrowser = process.argv.includes('--node-only');
const log = (s: string) => process.stderr.write(s + '\n');
const MEMORY_REPEATS = 3;

function ensureModels(): Record<string, string> {
  mkdirSync(MODELS_DIR, { recursive: true });
  const dirs: Record<string, string> = { stories260K: join(SHARED, 'models/stories260K') };
  const variants: [string, boolean][] = [['smollm2-135m-shape', true]];
  if (!quick) variants.push(['smollm2-135m-shape-nokeep', false]);
  for (const [name, keep] of variants) {
    const dir = join(MODELS_DIR, name);
    if (!existsSync(join(dir, 'onnx/model.onnx'))) {
      log(`generating ${name} (random weights, SmolLM2-135M shape, GPT-2 tokenizer)`);
      const args = [
        'scripts/make_llama_onnx.py',
        '--preset',
        'smollm2-135m',
        '--tokenizer',
        join(SHARED, 'tokenizers/gpt2'),
        '--out',
        dir,
      ];
      if (keep) args.push('--logits-to-keep');
      execFileSync(PY, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    if (keep && !existsSync(join(dir, 'onnx/model_q4.onnx'))) {
      log(`writing ${name}'s fp16, q8 and q4 files (scripts/quantize_onnx.py)`);
      execFileSync(PY, ['scripts/quantize_onnx.py', '--model', dir], {
        cwd: REPO,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
    dirs[name] = dir;
  }
  if (!existsSync(join(KERNELS_DIR, kernelFile('fp16', 1536, 1536))))
    execFileSync(PY, ['scripts/make_matmul_onnx.py', '--out-dir', KERNELS_DIR], { cwd: REPO, stdio: 'ignore' });
  return dirs;
}

function nodeRun(args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/benchNode.ts'), ...args], {
    encoding: 'utf8',
    cwd: REPO,
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`node bench child failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

/** RSS of a process and all its descendants, in MiB. */
const treeRssMb = (pid: number): number => treeRss(pid) / 2 ** 20;

/** The RSS the sampler saw: the whole run's peak and, from when `fn` called scoringBegins(), scoring's. */
interface Sampled {
  peak: number;
  scoring?: number;
}

/**
 * Runs `fn` on a page of a fresh Chromium whose whole process tree's RSS is sampled every 100 ms;
 * `fn` may call scoringBegins() once the model is loaded. Requests must stay on 127.0.0.1.
 */
async function sampledBrowser<T>(
  extraArgs: string[],
  fn: (page: Page, rssNow: () => number, scoringBegins: () => void) => Promise<T>,
): Promise<{ value: T } & Sampled> {
  // A profile on disk, as a visitor's browser has: in an in-memory (incognito) profile IndexedDB
  // keeps everything stored in the browser process's memory.
  const profile = mkdtempSync(join(tmpdir(), 'pb-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: [...extraArgs, ...FLAGS],
  });
  const pid = findProcess(`--user-data-dir=${profile}`);
  if (!pid) throw new Error('the browser process was not found');
  const s: Sampled = { peak: 0 };
  const sample = () => {
    const now = treeRssMb(pid);
    s.peak = Math.max(s.peak, now);
    if (s.scoring !== undefined) s.scoring = Math.max(s.scoring, now);
  };
  const timer = setInterval(sample, 100);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (req) => {
      if (!req.url().startsWith('http://127.0.0.1') && !req.url().startsWith('data:') && !req.url().startsWith('blob:'))
        throw new Error(`request left 127.0.0.1: ${req.url()}`);
    });
    const value = await fn(
      page,
      () => treeRssMb(pid),
      () => (s.scoring ??= treeRssMb(pid)),
    );
    sample();
    return { value, ...s };
  } finally {
    clearInterval(timer);
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The browser with the app open and idle: what a visitor's tab costs before any model. */
async function idleApp(page: Page, appUrl: string, hubUrl: string, rssNow: () => number): Promise<number> {
  await page.goto(`${appUrl}/?hub=${encodeURIComponent(hubUrl)}`);
  await page.waitForTimeout(3000);
  return rssNow();
}

async function browserRun(
  appUrl: string,
  hubUrl: string,
  query: Record<string, string>,
  extraArgs: string[] = [],
  baseline = false,
): Promise<Record<string, unknown>> {
  const r = await sampledBrowser(extraArgs, async (page, rssNow, scoringBegins) => {
    // the bench page says on its console when its model is loaded
    page.on('console', (m) => m.text() === MODEL_LOADED && scoringBegins());
    const baselineMb = baseline ? await idleApp(page, appUrl, hubUrl, rssNow) : undefined;
    const qs = new URLSearchParams({ hub: hubUrl, ...query });
    await page.goto(`${appUrl}/src/bench/bench.html?${qs}`);
    await page.waitForFunction(() => window.__benchResult || window.__benchError, undefined, {
      timeout: 0,
      polling: 500,
    });
    const err = await page.evaluate(() => window.__benchError);
    if (err) throw new Error(`browser bench failed: ${err}`);
    const res = (await page.evaluate(() => window.__benchResult)) as Record<string, unknown>;
    return { ...res, ...(baselineMb !== undefined ? { baseline_rss_mb: baselineMb } : {}) };
  });
  return {
    ...r.value,
    peak_rss_mb: r.peak,
    ...(r.scoring !== undefined ? { scoring_peak_rss_mb: r.scoring } : {}),
  };
}

/**
 * The app itself, as a visitor's first click: a hub model in `dtype` (downloaded into IndexedDB,
 * then loaded from there), 10 questions of one subject, 0-shot, WASM. Scoring begins when the run
 * view's phase moves past the model.
 */
async function appRun(appUrl: string, hubUrl: string, model: string, dtype: Dtype): Promise<Record<string, number>> {
  const r = await sampledBrowser([], async (page, rssNow, scoringBegins) => {
    const idle = await idleApp(page, appUrl, hubUrl, rssNow);
    await page.waitForFunction('window.__pagebench !== undefined');
    await configure(page, { model, subjects: [BENCH_SUBJECTS[0]!], shots: 0, limit: 10 });
    await page.getByTestId('dtype').selectOption(dtype);
    await page.getByTestId('start').click();
    for (;;) {
      if (await page.evaluate('window.__pagebench.finished() > 0')) break;
      const phase = await page
        .getByTestId('phase')
        .innerText({ timeout: 1000 })
        .catch(() => '');
      if (/^(loading \d+ subject|evaluating)/.test(phase)) scoringBegins();
      await page.waitForTimeout(200);
    }
    const { run } = await latestRun(page);
    const status = `${run.status as string}${run.error ? `: ${run.error as string}` : ''}`;
    if (status !== 'complete') throw new Error(`app run did not complete: ${String(status)}`);
    return idle;
  });
  return { baseline_rss_mb: r.value, peak_rss_mb: r.peak, scoring_peak_rss_mb: r.scoring ?? NaN };
}

/**
 * `--memory`: the page's memory per dtype of the 135M shape in Chromium WASM: the browser's RSS
 * (all its processes) with the app open and idle, and its peak while a model is loaded and 10
 * questions are scored (fast, 0-shot): in the app itself (a first run: download into IndexedDB,
 * load, score), and in the bench page with the weights handed to ONNX Runtime as external data (the
 * default) and inline (as transformers.js passes them). Each case runs MEMORY_REPEATS times (when V8
 * collects the download's garbage moves the peak by up to ~250 MB); the median is reported with the
 * range, beside the peak once the model is loaded (scoring's). stories260K (1.3 MB) gives the
 * runtime's own cost, whatever the model.
 */
async function memory(): Promise<void> {
  const dirs = ensureModels();
  const shape = 'smollm2-135m-shape';
  const rows: MemoryRow[] = [];
  const add = (row: MemoryRow) => {
    rows.push(row);
    log(
      `${row.model.padEnd(19)} ${row.dtype.padEnd(5)} ${row.where.padEnd(25)} file ${row.file_mib} MiB  idle tab ${row.idle_tab_mib} MiB  peak above it ${row.peak_above_idle_tab_mib} MiB (${row.peak_above_idle_tab_range_mib.join('–')}) = ${row.peak_over_file}x the file; scoring ${row.scoring_peak_above_idle_tab_mib} MiB = ${row.scoring_peak_over_file}x`,
    );
  };
  const repeat = async (run: () => Promise<Record<string, unknown>>) => {
    const runs = [];
    for (let i = 0; i < MEMORY_REPEATS; i++) runs.push(await run());
    return runs;
  };
  const benchPages: [string, Dtype, string][] = [
    ['stories260K', 'fp32', 'external'],
    ...BENCH_DTYPES.flatMap((dtype) => ['external', 'inline'].map((w): [string, Dtype, string] => [shape, dtype, w])),
  ];
  await withSite(
    dirs,
    async (app, hub) => {
      for (const dtype of BENCH_DTYPES) {
        const runs = await repeat(() => appRun(app, hub, `bench/${shape}`, dtype));
        add(memoryRow(shape, dtype, 'app, first run', dirs[shape]!, runs));
      }
      for (const [model, dtype, weights] of benchPages) {
        const c: BenchCase = { model, dtype, shots: 0, mode: 'fast', subjects: BENCH_SUBJECTS.slice(0, 1), limit: 10 };
        const query = { kind: 'case', case: JSON.stringify(c), weights };
        const runs = await repeat(() => browserRun(app, hub, query, [], true));
        add(memoryRow(model, dtype, `bench page, ${weights}`, dirs[model]!, runs));
      }
    },
    true,
  );
  process.stdout.write(JSON.stringify({ memory: rows }) + '\n');
}

type MemoryRow = ReturnType<typeof memoryRow>;

/** Medians (and the peak's range) over repeated runs of one case, above the idle app tab. */
function memoryRow(model: string, dtype: Dtype, where: string, dir: string, runs: Record<string, unknown>[]) {
  const idle = runs.map((r) => r.baseline_rss_mb as number);
  const above = runs.map((r) => (r.peak_rss_mb as number) - (r.baseline_rss_mb as number));
  const scoring = runs.map((r) => (r.scoring_peak_rss_mb as number) - (r.baseline_rss_mb as number));
  const file = statSync(join(dir, `onnx/model${DTYPE_SUFFIX[dtype]}.onnx`)).size / 2 ** 20;
  return {
    model,
    dtype,
    where,
    file_mib: round(file),
    idle_tab_mib: Math.round(median(idle)),
    peak_above_idle_tab_mib: Math.round(median(above)),
    peak_above_idle_tab_range_mib: [Math.round(Math.min(...above)), Math.round(Math.max(...above))],
    peak_over_file: round(median(above) / file),
    scoring_peak_above_idle_tab_mib: Math.round(median(scoring)),
    scoring_peak_over_file: round(median(scoring) / file),
  };
}

/** Builds the site, serves it and a hub mirror (MMLU shards and the models) on 127.0.0.1. */
async function withSite<T>(
  dirs: Record<string, string>,
  fn: (app: string, hub: string) => Promise<T>,
  /** Also the hub's tree API listings, which the app verifies its downloads against. */
  treeApi = false,
): Promise<T> {
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: REPO, stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'pb-bench-hub-'));
  mirrorMmlu(root, join(SHARED, 'mmlu'), BENCH_SUBJECTS);
  for (const [name, dir] of Object.entries(dirs)) {
    mkdirSync(join(root, 'bench', name, 'resolve'), { recursive: true });
    symlinkSync(dir, join(root, 'bench', name, 'resolve/main'));
    if (treeApi) mirrorTreeApi(root, dir, `bench/${name}`);
  }
  if (existsSync(KERNELS_DIR)) symlinkSync(KERNELS_DIR, join(root, 'kernels'));
  const hub = await serveStatic(root);
  const app = await serveStatic(join(REPO, 'dist'));
  try {
    return await fn(app.url, hub.url);
  } finally {
    await hub.close();
    await app.close();
  }
}

/**
 * `--page-speed`: the page's speed on stories260K, 0-shot, fast scorer, in the three browser
 * configurations: WASM with 1 thread, WASM with threads, WebGPU (here: SwiftShader, fp32).
 */
async function pageSpeed(): Promise<void> {
  const c: BenchCase = { model: 'stories260K', shots: 0, mode: 'fast', subjects: BENCH_SUBJECTS, limit: 40 };
  const rows: Record<string, unknown>[] = [];
  await withSite({ stories260K: join(SHARED, 'models/stories260K') }, async (app, hub) => {
    const configs: [string, Record<string, string>, string[], number][] = [
      ['wasm, 1 thread', { threads: '1' }, [], 1],
      ['wasm, 2 threads', { threads: '2' }, [], 1],
      ['wasm, 1 thread, batch 8', { threads: '1' }, [], 8],
      ['webgpu (SwiftShader)', { device: 'webgpu' }, ['--enable-unsafe-webgpu'], 1],
      ['webgpu (SwiftShader), batch 8', { device: 'webgpu' }, ['--enable-unsafe-webgpu'], 8],
    ];
    for (const [label, q, args, batchSize] of configs) {
      const r = await browserRun(app, hub, { kind: 'case', case: JSON.stringify({ ...c, batchSize }), ...q }, args);
      rows.push({
        config: label,
        questions: r.questions,
        questions_per_s: r.questions_per_s,
        prompt_tokens_per_s: r.prompt_tokens_per_s,
        loglikelihood_checksum: r.loglikelihood_checksum,
      });
      log(
        `${label.padEnd(30)} ${r.questions} q  ${(r.questions_per_s as number).toFixed(2)} q/s  ${Math.round(r.prompt_tokens_per_s as number)} prompt tokens/s  Σll ${(r.loglikelihood_checksum as number).toFixed(4)}`,
      );
    }
  });
  process.stdout.write(JSON.stringify({ page_speed: rows }) + '\n');
}

interface Row extends CaseResult {
  efficiency: number;
  peak_rss_mb: number;
}

/** fast/naive and fast/harness (questions/s, batch 1) per runtime, model, dtype and shot count. */
function speedRatios(results: Row[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    if (r.mode !== 'fast' || r.batch_size !== 1 || r.rewrites === 'none') continue;
    for (const base of ['naive', 'harness'] as const) {
      const b = results.find(
        (x) =>
          x.runtime === r.runtime &&
          x.model === r.model &&
          x.dtype === r.dtype &&
          x.shots === r.shots &&
          x.mode === base,
      );
      if (b)
        out[`${r.runtime} ${r.model} ${r.dtype} ${r.shots}-shot fast/${base}`] = r.questions_per_s / b.questions_per_s;
    }
    const fp32 = results.find(
      (x) =>
        x.runtime === r.runtime &&
        x.model === r.model &&
        x.dtype === 'fp32' &&
        x.shots === r.shots &&
        x.mode === 'fast' &&
        x.batch_size === 1,
    );
    if (fp32 && r.dtype !== 'fp32')
      out[`${r.runtime} ${r.model} ${r.dtype} ${r.shots}-shot fast ${r.dtype}/fp32`] =
        r.questions_per_s / fp32.questions_per_s;
  }
  return out;
}

/** The dtype with the most questions/s (fast scorer, batch 1) per runtime and shot count, on the 135M shape. */
function fastestDtypes(results: Row[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const r of results) {
    if (r.model !== 'smollm2-135m-shape' || r.mode !== 'fast' || r.batch_size !== 1) continue;
    const best = results
      .filter(
        (x) =>
          x.runtime === r.runtime &&
          x.model === r.model &&
          x.shots === r.shots &&
          x.mode === 'fast' &&
          x.batch_size === 1,
      )
      .reduce((a, b) => (b.questions_per_s > a.questions_per_s ? b : a));
    const measured = new Set(
      results.filter((x) => x.runtime === r.runtime && x.model === r.model && x.mode === 'fast').map((x) => x.dtype),
    );
    if (measured.size > 1) (out[r.runtime] ??= {})[`${r.shots}-shot`] = best.dtype;
  }
  return out;
}

type Peaks = Record<string, { gflops: number; shape: string }>;

async function main() {
  const t0 = performance.now();
  const dirs = ensureModels();
  const models = Object.keys(dirs);
  const results: Row[] = [];
  const peaks: Record<string, Peaks> = {};
  const push = (r: CaseResult & { peak_rss_mb: number }, runtime: string) => {
    results.push({ ...r, efficiency: r.achieved_gflops / peaks[runtime]![r.dtype]!.gflops });
    log(fmt(results.at(-1)!));
  };
  const logPeaks = (runtime: string) =>
    log(
      `kernel peaks: ${Object.entries(peaks[runtime]!)
        .map(([d, p]) => `${d} ${p.gflops.toFixed(1)} GFLOP/s (${p.shape})`)
        .join(', ')}`,
    );

  log(`== node (onnxruntime-node, ${quick ? 'quick' : 'full'})`);
  const reps = quick ? '3' : '5';
  peaks.node = nodeRun(['kernels', KERNELS_DIR, reps]).kernel_peaks as Peaks;
  logPeaks('node');
  // One process per loaded model: its peak RSS is that model's (dtype's) peak over its cases.
  for (const group of groupByLoad(benchCases(models, quick, 'node'))) {
    const r = nodeRun(['cases', JSON.stringify(group), dirs[group[0]!.model]!, join(SHARED, 'mmlu')]) as {
      results: CaseResult[];
      peak_rss_mb: number;
    };
    for (const one of r.results) push({ ...one, peak_rss_mb: r.peak_rss_mb }, 'node');
  }

  if (!skipBrowser) {
    log('== chromium (onnxruntime-web WASM, threads)');
    await withSite(dirs, async (app, hub) => {
      const k = await browserRun(app, hub, { kind: 'kernels', reps });
      peaks['chromium-wasm'] = k.kernel_peaks as Peaks;
      logPeaks('chromium-wasm');
      for (const group of groupByLoad(benchCases(models, quick, 'chromium-wasm'))) {
        const r = (await browserRun(app, hub, { kind: 'cases', cases: JSON.stringify(group) })) as {
          results: CaseResult[];
          peak_rss_mb: number;
        };
        for (const one of r.results) push({ ...one, peak_rss_mb: r.peak_rss_mb }, 'chromium-wasm');
      }
    });
  }

  const ratios = speedRatios(results);
  log('== ratios (questions/s)');
  for (const [k, v] of Object.entries(ratios)) log(`${k} ${v.toFixed(2)}x`);
  for (const runtime of ['node', 'chromium-wasm'])
    for (const model of models)
      for (const shots of [0, 5]) {
        const at = (pred: (r: Row) => boolean) =>
          results.find(
            (r) => r.runtime === runtime && r.model === model && r.shots === shots && r.dtype === 'fp32' && pred(r),
          );
        const b8 = at((r) => r.mode === 'fast' && r.batch_size === 8);
        const b1 = at((r) => r.mode === 'fast' && r.batch_size === 1);
        if (b8 && b1)
          log(
            `${runtime} ${model} ${shots}-shot: fast batch 8 / batch 1 ${(b8.questions_per_s / b1.questions_per_s).toFixed(2)}x`,
          );
        const asIs = at((r) => r.graph_rewrites.length === 0 && r.model.endsWith('-nokeep'));
        const rewritten = at((r) => r.graph_rewrites.includes('logits-to-keep'));
        if (asIs && rewritten)
          log(
            `${runtime} ${model} ${shots}-shot: fast, graph rewritten at load / as exported ${(rewritten.questions_per_s / asIs.questions_per_s).toFixed(2)}x`,
          );
      }
  const fastest = fastestDtypes(results);
  log(`fastest dtype (135M shape, fast scorer): ${JSON.stringify(fastest)}`);
  const seconds = (performance.now() - t0) / 1000;
  log(`total ${seconds.toFixed(0)} s`);
  const summary = {
    quick,
    seconds: Math.round(seconds),
    matmul_gflops: peaks.node.fp32!.gflops,
    kernel_peaks: peaks,
    fastest_dtype: fastest,
    ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, round(v)])),
    results: results.map((r) => ({
      model: r.model,
      runtime: r.runtime,
      dtype: r.dtype,
      shots: r.shots,
      mode: r.mode,
      batch_size: r.batch_size,
      graph_rewrites: r.graph_rewrites,
      questions: r.questions,
      seconds_each: r.seconds_each.map(round),
      questions_per_s: round(r.questions_per_s),
      prompt_tokens_per_s: round(r.prompt_tokens_per_s),
      efficiency: round(r.efficiency),
      peak_rss_mb: Math.round(r.peak_rss_mb),
      achieved_gflops: round(r.achieved_gflops),
      loglikelihood_checksum: round(r.loglikelihood_checksum),
    })),
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
}

const round = (x: number) => Math.round(x * 1000) / 1000;
function fmt(r: Row): string {
  const variant = `${r.mode}${r.batch_size > 1 ? ` b${r.batch_size}` : ''}${r.model.endsWith('-nokeep') ? (r.graph_rewrites.length ? ' rewritten' : ' as-is') : ''}`;
  return `${r.runtime.padEnd(13)} ${r.model.padEnd(26)} ${r.dtype.padEnd(4)} ${r.shots}-shot ${variant.padEnd(16)} ${String(r.questions).padStart(3)} q  ${r.questions_per_s.toFixed(2).padStart(7)} q/s  ${Math.round(r.prompt_tokens_per_s).toString().padStart(6)} tok/s  ${r.achieved_gflops.toFixed(1).padStart(6)} GFLOP/s  eff ${(100 * r.efficiency).toFixed(0).padStart(3)}%  rss ${Math.round(r.peak_rss_mb)} MB  Σll ${r.loglikelihood_checksum.toFixed(3)}`;
}

/**
 * `--study`: the cost of a prompt-sensitivity study: 4 cyclic rotations of the choices at 0 and 5
 * shots on the SmolLM2-135M-shaped model in Node, against one plain run of the same questions.
 */
async function studyCost(): Promise<void> {
  const dirs = ensureModels();
  const rows: Record<string, unknown>[] = [];
  // The bench subjects (20 questions each), then every MMLU subject (its first 5 questions): the
  // ratio follows the question stems' share of the tokens, which differs by subject.
  // The bench subjects (20 questions each), then every MMLU subject (its first 3 questions): the
  // ratio follows the question stems' share of the tokens, which differs by subject. Each side runs
  // in its own process, alternating, `repeats` times; ratios are medians (timings here are noisy).
  const sets: [string, string[], number, number[], number][] = [
    ['bench subjects', BENCH_SUBJECTS, quick ? 8 : 20, [0, 5], 3],
    ...(quick
      ? []
      : ([['all 57 subjects', SUBJECTS.map((s) => s.id), 3, [5], 1]] as [
          string,
          string[],
          number,
          number[],
          number,
        ][])),
  ];
  for (const [label, subjects, limit, shotList, repeats] of sets)
    for (const shots of shotList) {
      const side = (s: 'plain' | 'study') =>
        nodeRun([
          'study',
          JSON.stringify({ subjects, limit, shots, side: s }),
          dirs['smollm2-135m-shape']!,
          join(SHARED, 'mmlu'),
        ]) as {
          seconds: number;
          question_seconds: number;
          question_tokens: number;
          questions: number;
          lls: number[][];
        };
      const pairs = Array.from({ length: repeats }, () => [side('plain'), side('study')] as const);
      const [p0, s0] = pairs[0]!;
      let maxDiff = 0;
      p0.lls.forEach((ls, i) => ls.forEach((l, j) => (maxDiff = Math.max(maxDiff, Math.abs(l - s0.lls[i]![j]!)))));
      const r = {
        set: label,
        subjects: subjects.length,
        questions: p0.questions,
        shots,
        repeats,
        plain_seconds: pairs.map(([p]) => p.seconds),
        study_seconds: pairs.map(([, s]) => s.seconds),
        study_over_plain: median(pairs.map(([p, s]) => s.seconds / p.seconds)),
        question_part_time_ratio: median(pairs.map(([p, s]) => s.question_seconds / p.question_seconds)),
        question_part_token_ratio: s0.question_tokens / p0.question_tokens,
        separate_over_study: median(pairs.map(([p, s]) => (4 * p.seconds) / s.seconds)),
        cyc0_max_abs_ll_diff: maxDiff,
      };
      rows.push(r);
      const f = (x: number) => x.toFixed(2);
      log(
        `node 135m-shape ${label}, ${shots}-shot, ${r.questions} q, median of ${repeats}: plain ${r.plain_seconds.map((x) => x.toFixed(1)).join('/')} s, 4-rotation study ${r.study_seconds.map((x) => x.toFixed(1)).join('/')} s = ${f(r.study_over_plain)}x; question part ${f(r.question_part_time_ratio)}x time, ${f(r.question_part_token_ratio)}x tokens; 4 separate runs ${f(r.separate_over_study)}x the study; cyc0 vs plain max |Δll| ${maxDiff.toExponential(1)}`,
      );
    }
  process.stdout.write(JSON.stringify({ study_cost: rows }) + '\n');
}

(process.argv.includes('--page-speed')
  ? pageSpeed()
  : process.argv.includes('--study')
    ? studyCost()
    : process.argv.includes('--memory')
      ? memory()
      : main()
).catch((e) => {
  log(`bench: error: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
