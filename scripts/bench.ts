/**
 * `npm run bench [-- --quick]`: the same MMLU questions from ../shared/mmlu through the naive,
 * harness and fast scorers, on stories260K and on a random-weight model of SmolLM2-135M's shape
 * (fp32, and its fp16, q8 and q4 files), in Node (onnxruntime-node) and in Chromium
 * (onnxruntime-web WASM, threaded); plus each runtime's peak throughput per dtype kernel, so
 * efficiency = achieved FLOP/s / that dtype's kernel peak. Prints a table to stderr and, as the
 * last line of stdout, one JSON object. Other modes: --page-speed, --suite, --webgpu, --generation, --study, --memory
 * (MODES, below).
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
import {
  arcParquet,
  buildMirror,
  hellaswagParquet,
  mirrorMmlu,
  mirrorParquet,
  mirrorTreeApi,
  serveStatic,
  winograndeParquet,
} from '../src/node/hubMirror.ts';
import { ARC_CHALLENGE_ROWS, HELLASWAG_ROWS, WINOGRANDE_ROWS } from '../test/fixtures/benchmarkFixtures.ts';
import { SUITES } from '../src/core/suites.ts';
import type { RunRecord } from '../src/storage/db.ts';
import { findProcess, treeRss } from '../src/node/processMemory.ts';
// the app is driven as the end-to-end tests drive it (one place knows its form)
import { configure, dump, FLAGS, latestRun, waitUntil } from '../test/support/browser.ts';
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
const MEMORY_REPEATS = process.argv.includes('--repeats')
  ? Number(process.argv[process.argv.indexOf('--repeats') + 1]) || 3
  : 3;

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
    await waitUntil(page, 'window.__pagebench !== undefined');
    await configure(page, { model, subjects: [BENCH_SUBJECTS[0]!], shots: 0, limit: 10 });
    await page.getByTestId('dtype').selectOption(dtype);
    await startAppRun(page, 200, (phase) => /^(loading \d+ subject|evaluating)/.test(phase) && scoringBegins());
    return idle;
  });
  return { baseline_rss_mb: r.value, peak_rss_mb: r.peak, scoring_peak_rss_mb: r.scoring ?? NaN };
}

/**
 * Clicks Start in the app and waits for the run to finish, passing each phase the run view shows
 * to `onPhase` (every `pollMs`); returns the stored run, which must be complete.
 */
async function startAppRun(page: Page, pollMs: number, onPhase: (phase: string) => unknown) {
  await page.getByTestId('start').click();
  while (!(await page.evaluate('window.__pagebench.finished() > 0'))) {
    onPhase(
      await page
        .getByTestId('phase')
        .innerText({ timeout: 1000 })
        .catch(() => ''),
    );
    await page.waitForTimeout(pollMs);
  }
  const { run } = await latestRun(page);
  if (run.status !== 'complete')
    throw new Error(`app run did not complete: ${String(run.status)}${run.error ? `: ${String(run.error)}` : ''}`);
  return run;
}

/**
 * `--memory`: the page's memory per dtype of the 135M shape in Chromium WASM: the browser's RSS
 * (all its processes) with the app open and idle, and its peak while a model is loaded and 10
 * questions are scored (fast, 0-shot): in the app itself (a first run: download into IndexedDB,
 * load, score), and in the bench page with the weights handed to ONNX Runtime as external data (the
 * default) and inline (as transformers.js passes them); and the peer: transformers.js's own
 * pipeline('text-generation') loading the same model and dtype (first run, its Cache API storage) and
 * running a forward pass over the same prompts. `--peer`: only the app, the pipeline and the runtime's
 * floor. `--dtypes fp16,q8`: only those dtypes. Each case runs MEMORY_REPEATS times (`--repeats N`; when V8
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
  const at = process.argv.indexOf('--dtypes');
  const dtypes = at > 0 ? (process.argv[at + 1] ?? '').split(',') : BENCH_DTYPES;
  const unknown = dtypes.filter((d) => !(BENCH_DTYPES as readonly string[]).includes(d));
  if (unknown.length) throw new Error(`--dtypes takes a list of ${BENCH_DTYPES.join(', ')}; not ${unknown.join(', ')}`);
  const benchPages: [string, Dtype, string][] = [
    ['stories260K', 'fp32', 'external'],
    ...(process.argv.includes('--peer') ? [] : (dtypes as Dtype[])).flatMap((dtype) =>
      ['external', 'inline'].map((w): [string, Dtype, string] => [shape, dtype, w]),
    ),
  ];
  await withSite(
    dirs,
    async (app, hub) => {
      for (const dtype of dtypes as Dtype[]) {
        const runs = await repeat(() => appRun(app, hub, `bench/${shape}`, dtype));
        add(memoryRow(shape, dtype, 'app, first run', dirs[shape]!, runs));
        const c: BenchCase = {
          model: shape,
          dtype,
          shots: 0,
          mode: 'fast',
          subjects: BENCH_SUBJECTS.slice(0, 1),
          limit: 10,
        };
        const peer = await repeat(() => browserRun(app, hub, { kind: 'pipeline', case: JSON.stringify(c) }, [], true));
        add(memoryRow(shape, dtype, 'transformers.js pipeline', dirs[shape]!, peer));
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
  subjects = BENCH_SUBJECTS,
): Promise<T> {
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: REPO, stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'pb-bench-hub-'));
  mirrorMmlu(root, join(SHARED, 'mmlu'), subjects);
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

/**
 * Chromium's flags for WebGPU on a Linux machine with a GPU, headless: WebGPU on, Vulkan through ANGLE,
 * the GPU blocklist ignored. PAGEBENCH_GPU_FLAGS (space-separated) replaces them for another setup.
 */
const WEBGPU_FLAGS = process.env.PAGEBENCH_GPU_FLAGS?.split(/\s+/).filter(Boolean) ?? [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=vulkan',
  '--ignore-gpu-blocklist',
];

/**
 * `--webgpu [--quick]`: the GPU table in one command. On the 135M shape, per dtype: questions/s and
 * prompt tokens/s on WebGPU and on WASM (2 threads) for the same questions (fast scorer, 0-shot, the
 * bench subjects), each device's MatMul peak for that dtype measured in the same browser, efficiency
 * (achieved FLOP/s over it), and parity: the largest |Δ log-likelihood| of WebGPU and of WASM
 * against the CLI's runtime (onnxruntime-node) on the same questions. Where the adapter is software
 * (SwiftShader here) the table says so: such numbers say nothing about a GPU.
 */
async function webgpuTable(): Promise<void> {
  const dirs = ensureModels();
  const model = 'smollm2-135m-shape';
  const limit = quick ? 1 : 20;
  const reps = quick ? '2' : '5';
  const rows: Record<string, unknown>[] = [];
  let adapter: unknown = null;
  await withSite({ [model]: dirs[model]! }, async (app, hub) => {
    const gpuKernels = await browserRun(app, hub, { kind: 'kernels', device: 'webgpu', reps }, WEBGPU_FLAGS);
    adapter = (gpuKernels.capabilities as { adapter: unknown }).adapter;
    log(`WebGPU adapter: ${JSON.stringify(gpuKernels.capabilities)}`);
    const wasmKernels = await browserRun(app, hub, { kind: 'kernels', reps, threads: '2' });
    type Peak = { gflops: number; error?: string };
    const peaks = {
      webgpu: gpuKernels.kernel_peaks as Record<string, Peak>,
      wasm: wasmKernels.kernel_peaks as Record<string, Peak>,
    };
    for (const dtype of BENCH_DTYPES) {
      const c: BenchCase = { model, shots: 0, mode: 'fast', subjects: BENCH_SUBJECTS, limit, dtype };
      const node = nodeRun([
        'case',
        JSON.stringify(c),
        dirs[model]!,
        join(SHARED, 'mmlu'),
        'll',
      ]) as unknown as CaseResult;
      for (const device of ['webgpu', 'wasm'] as const) {
        const query = { kind: 'case', case: JSON.stringify(c), device, loglikelihoods: '1', threads: '2' };
        const r = (await browserRun(app, hub, query, device === 'webgpu' ? WEBGPU_FLAGS : []).catch((e: unknown) => ({
          error: String((e as Error).message).split('\n')[0],
        }))) as Partial<CaseResult> & { error?: string };
        const peak = peaks[device][dtype];
        const maxDiff = r.loglikelihoods
          ? Math.max(
              ...r.loglikelihoods.flatMap((q, i) => q.map((ll, j) => Math.abs(ll - node.loglikelihoods![i]![j]!))),
            )
          : NaN;
        const row = {
          dtype,
          device,
          questions: r.questions ?? 0,
          questions_per_s: r.questions_per_s ?? NaN,
          prompt_tokens_per_s: r.prompt_tokens_per_s ?? NaN,
          kernel_peak_gflops: peak?.gflops ?? NaN,
          efficiency: r.achieved_gflops !== undefined && peak?.gflops ? r.achieved_gflops / peak.gflops : NaN,
          max_abs_ll_diff_vs_cli: maxDiff,
          ...(r.error || peak?.error ? { error: r.error ?? `kernel: ${peak!.error}` } : {}),
        };
        rows.push(row);
        log(
          `${dtype.padEnd(5)} ${device.padEnd(7)} ${row.error ? `— ${row.error}` : `${row.questions_per_s.toFixed(2)} q/s  ${Math.round(row.prompt_tokens_per_s)} prompt tok/s  peak ${row.kernel_peak_gflops.toFixed(1)} GFLOP/s  efficiency ${(100 * row.efficiency).toFixed(0)}%  max |Δll| vs CLI ${row.max_abs_ll_diff_vs_cli.toExponential(2)}`}`,
        );
      }
    }
  });
  process.stdout.write(JSON.stringify({ webgpu: { adapter, flags: WEBGPU_FLAGS, limit, rows } }) + '\n');
}

/**
 * `--generation [--quick]`: the generation rows. Greedy decoding of 256 new tokens (64 with --quick) with no
 * stop sequence, for the first question of each bench subject (0-shot, lm-eval's "generate" prompt), on the
 * 135M shape per dtype, in Node (onnxruntime-node) and in Chromium WASM (2 threads): time to first token and
 * per output token (mean, p50, p90, p99 over the questions), output tokens/s and the prefill's prompt tokens/s,
 * as results.json's config.generation_speed gives them for a run.
 */
async function generationRows(): Promise<void> {
  const dirs = ensureModels();
  const model = 'smollm2-135m-shape';
  const tokens = quick ? 64 : 256;
  const cases = BENCH_DTYPES.map((dtype): BenchCase => ({
    model,
    shots: 0,
    mode: 'fast',
    subjects: BENCH_SUBJECTS,
    limit: 1,
    dtype,
    generate: tokens,
  }));
  const rows: Record<string, unknown>[] = [];
  const add = (runtime: string, r: CaseResult) => {
    const g = r.generation!;
    rows.push({ runtime, dtype: r.dtype, max_new_tokens: tokens, ...g });
    const ms = (x: number) => `${(1000 * x).toFixed(0)}`;
    log(
      `${runtime.padEnd(14)} ${r.dtype.padEnd(5)} ${g.output_tokens} tokens  ${g.output_tokens_per_s.toFixed(1)} out tok/s  ${Math.round(g.prompt_tokens_per_s)} prefill tok/s  TTFT p50/p90/p99 ${ms(g.ttft_s.p50)}/${ms(g.ttft_s.p90)}/${ms(g.ttft_s.p99)} ms  TPOT ${g.tpot_s ? `${ms(g.tpot_s.p50)}/${ms(g.tpot_s.p90)}/${ms(g.tpot_s.p99)}` : '—'} ms`,
    );
  };
  for (const c of cases)
    add('node', nodeRun(['case', JSON.stringify(c), dirs[model]!, join(SHARED, 'mmlu')]) as unknown as CaseResult);
  await withSite({ [model]: dirs[model]! }, async (app, hub) => {
    for (const c of cases)
      add(
        'chromium-wasm',
        (await browserRun(app, hub, { kind: 'case', case: JSON.stringify(c), threads: '2' })) as unknown as CaseResult,
      );
  });
  process.stdout.write(JSON.stringify({ generation: rows }) + '\n');
}

/** Seconds from the page's words for a time ("1 h 5 min", "3 min 20 s", "45 s"). */
function seconds(text: string): number {
  const part = (unit: string) => Number(new RegExp(`(\\d+) ${unit}\\b`).exec(text)?.[1] ?? 0);
  return 3600 * part('h') + 60 * part('min') + part('s');
}

/**
 * `--suite [--limit N]`: the Open LLM Leaderboard suite in the app as a visitor runs it (Chromium,
 * WASM, 2 threads, q8, fast scorer, lm-eval fidelity) on the 135M shape, --limit N (default 5) per
 * subset, through a mirror of every task's data (MMLU, TruthfulQA and GSM8K real; ARC-Challenge,
 * HellaSwag and Winogrande our fixture rows: the real ones are not in ../shared). First the page's
 * own estimate (Measure the suite's speed), then Start: each task's stored run gives its eval time
 * and prompt tokens, beside the estimate.
 */
async function suiteSpeed(): Promise<void> {
  const limit = Number(process.argv[process.argv.indexOf('--limit') + 1] ?? 5) || 5;
  const dirs = ensureModels();
  const root = mkdtempSync(join(tmpdir(), 'pb-bench-suite-'));
  buildMirror(root, [], join(SHARED, 'mmlu'), join(SHARED, 'truthfulqa'), join(SHARED, 'gsm8k'));
  for (const split of ['train', 'test'] as const)
    mirrorParquet(root, 'allenai/ai2_arc', 'ARC-Challenge', split, arcParquet(ARC_CHALLENGE_ROWS[split] as never));
  for (const split of ['train', 'validation'] as const) {
    mirrorParquet(root, 'Rowan/hellaswag', 'default', split, hellaswagParquet(HELLASWAG_ROWS[split] as never));
    mirrorParquet(
      root,
      'allenai/winogrande',
      'winogrande_xl',
      split,
      winograndeParquet(WINOGRANDE_ROWS[split] as never),
    );
  }
  const model = 'bench/smollm2-135m-shape';
  mkdirSync(join(root, model, 'resolve'), { recursive: true });
  symlinkSync(dirs['smollm2-135m-shape']!, join(root, model, 'resolve/main'));
  mirrorTreeApi(root, dirs['smollm2-135m-shape']!, model);
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: REPO, stdio: 'inherit' });
  const hub = await serveStatic(root);
  const app = await serveStatic(join(REPO, 'dist'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${app.url}/?hub=${encodeURIComponent(hub.url)}`);
    await waitUntil(page, 'window.__pagebench !== undefined');
    await page.getByTestId('model-select').selectOption('custom');
    await page.getByTestId('custom-model').fill(model);
    await page.getByTestId('dtype').selectOption('q8');
    await page.getByTestId('device').selectOption('wasm');
    await page.getByTestId('suite').selectOption('openllm-v1');
    await page.getByTestId('limit').fill(String(limit));
    const t0 = performance.now();
    await page.getByTestId('measure-suite').click();
    const hour = 3_600_000;
    await waitUntil(
      page,
      `document.querySelector('[data-testid=suite-estimate]')?.innerText.includes('GSM8K: ')`,
      undefined,
      { timeout: hour, polling: 1000 },
    );
    const measureSeconds = (performance.now() - t0) / 1000;
    const estimate = await page.getByTestId('suite-estimate').innerText();
    log(estimate);
    const estimated = Object.fromEntries(
      [...estimate.matchAll(/(\w+): [\d,]+ questions, (.+)/g)].map((m) => {
        const [lo, hi] = m[2]!.replace(/^about /, '').split(' to ');
        return [m[1]!, { lo: seconds(lo!), hi: seconds(hi ?? lo!) }];
      }),
    );
    const t1 = performance.now();
    await page.getByTestId('start').click();
    await waitUntil(page, `/^#\\/suite\\//.test(location.hash)`, undefined, { timeout: 6 * hour, polling: 1000 });
    await page.getByTestId('suite-average').waitFor({ timeout: hour });
    const wallSeconds = (performance.now() - t1) / 1000;
    const { runs } = await dump(page);
    const rows = (runs as unknown as RunRecord[])
      .filter((r) => r.suite)
      .sort((a, b) => a.suite!.index - b.suite!.index)
      .map((r) => {
        const task = SUITES['openllm-v1']!.tasks[r.suite!.index]!;
        const f = r.facts!;
        return {
          task: `${task.column} ${task.shots}-shot`,
          n: r.done,
          eval_seconds: f.evalSeconds,
          load_seconds: f.loadSeconds,
          questions_per_s: r.done / f.evalSeconds,
          prompt_tokens_per_s: f.promptTokens / f.evalSeconds,
          estimated_seconds: estimated[task.column],
        };
      });
    for (const r of rows)
      log(
        `${r.task.padEnd(20)} n ${String(r.n).padStart(4)}  ${r.eval_seconds.toFixed(1).padStart(6)} s  ${r.questions_per_s.toFixed(2)} q/s  ${Math.round(r.prompt_tokens_per_s)} prompt tok/s  estimated ${r.estimated_seconds?.lo}–${r.estimated_seconds?.hi} s`,
      );
    log(`measure ${measureSeconds.toFixed(0)} s; suite wall ${wallSeconds.toFixed(0)} s (Start to the average)`);
    process.stdout.write(
      JSON.stringify({
        suite_page: { limit, measure_seconds: measureSeconds, wall_seconds: wallSeconds, tasks: rows },
      }) + '\n',
    );
  } finally {
    await browser.close();
    await hub.close();
    await app.close();
  }
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

/**
 * `--app-mmlu [--limit N]`: MMLU 0-shot in the app as a visitor runs it (Chromium, a fresh on-disk
 * profile, the page's defaults: q8, WASM, all threads, fast scorer) on the 135M shape, every subject,
 * the whole test split (or its first N questions per subject); then the bench page (no app, no
 * worker, no storage) on the same questions in a fresh browser. Each reports the scoring's wall
 * time, questions/s and prompt tokens/s. `--app-only` skips the bench page (the whole split takes
 * over an hour on each side of a 2-core machine).
 */
async function appMmlu(): Promise<void> {
  const at = process.argv.indexOf('--limit');
  const limit = at > 0 ? Number(process.argv[at + 1]) : undefined;
  if (limit !== undefined && !(limit >= 1)) throw new Error('--limit takes a number of questions per subject');
  const dirs = ensureModels();
  const shape = 'smollm2-135m-shape';
  const subjects = SUBJECTS.map((s) => s.id);
  const rows: Record<string, unknown>[] = [];
  const split = nodeRun(['split-tokens', dirs[shape]!, join(SHARED, 'mmlu')]);
  log(`the whole test split, 0-shot: ${JSON.stringify(split)}`);
  const add = (
    row: { where: string; questions: number; seconds: number; prompt_tokens: number } & Record<string, unknown>,
  ) => {
    const r = {
      ...row,
      questions_per_s: round(row.questions / row.seconds),
      prompt_tokens_per_s: Math.round(row.prompt_tokens / row.seconds),
      seconds: Math.round(row.seconds),
    };
    rows.push(r);
    log(
      `${String(r.where).padEnd(10)} ${r.questions} q  ${r.seconds} s  ${r.questions_per_s} q/s  ${r.prompt_tokens_per_s} prompt tok/s`,
    );
  };
  await withSite(
    { [shape]: dirs[shape]! },
    async (app, hub) => {
      const r = await sampledBrowser([], async (page) => {
        await page.goto(`${app}/?hub=${encodeURIComponent(hub)}`);
        await waitUntil(page, 'window.__pagebench !== undefined');
        await configure(page, { model: `bench/${shape}`, subjects, shots: 0, limit: limit ?? 0 });
        if (limit === undefined) await page.getByTestId('limit').fill('');
        await page.getByTestId('dtype').selectOption('q8');
        const start = performance.now();
        let scoring = NaN;
        const run = await startAppRun(page, 1000, (phase) => {
          if (Number.isNaN(scoring) && /^evaluating/.test(phase)) scoring = performance.now();
        });
        const end = performance.now();
        const f = run.facts as {
          evalSeconds: number;
          promptTokens: number;
          loadSeconds: number;
          fingerprint?: { onnxruntime?: string };
        };
        return { run, f, wall: (end - start) / 1000, scoringWall: (end - scoring) / 1000 };
      });
      add({
        where: 'app',
        onnxruntime: r.value.f.fingerprint?.onnxruntime,
        questions: r.value.run.done as number,
        seconds: r.value.f.evalSeconds,
        wall_seconds_start_to_end: Math.round(r.value.wall),
        wall_seconds_scoring: Math.round(r.value.scoringWall),
        prompt_tokens: r.value.f.promptTokens,
      });
      if (process.argv.includes('--app-only')) return;
      // the bench page on the ONNX Runtime build the app chose (its fingerprint names it)
      const build = /\((\w+) build\)/.exec(r.value.f.fingerprint?.onnxruntime ?? '')?.[1] ?? 'asyncify';
      const c: BenchCase = { model: shape, dtype: 'q8', shots: 0, mode: 'fast', subjects, limit: limit ?? 1e9 };
      const b = await browserRun(app, hub, { kind: 'case', case: JSON.stringify(c), build });
      const res = b as unknown as CaseResult;
      add({
        where: 'bench page',
        build,
        questions: res.questions,
        seconds: res.seconds,
        prompt_tokens: Math.round(res.prompt_tokens_per_s * res.seconds),
      });
    },
    true,
    subjects,
  );
  process.stdout.write(JSON.stringify({ app_mmlu: { limit: limit ?? null, split, rows } }) + '\n');
}

/**
 * `--builds [--rounds N]`: ONNX Runtime Web's WASM builds side by side (asyncify, which runs WebGPU
 * too; plain, WASM only), the q8 0-shot fast case of the bench questions in rounds that alternate the builds (this
 * VM's speed drifts by more than the builds differ), each build's median; with `--kernels`, each
 * build's kernel peaks first.
 */
async function wasmBuilds(): Promise<void> {
  const dirs = ensureModels();
  const shape = 'smollm2-135m-shape';
  const at = process.argv.indexOf('--rounds');
  const rounds = at > 0 ? Number(process.argv[at + 1]) || 3 : 3;
  const builds = ['asyncify', 'plain'];
  const runs: Record<string, CaseResult[]> = Object.fromEntries(builds.map((b) => [b, []]));
  const kernels: Record<string, unknown> = {};
  await withSite({ [shape]: dirs[shape]! }, async (app, hub) => {
    if (process.argv.includes('--kernels'))
      for (const build of builds) {
        kernels[build] = (await browserRun(app, hub, { kind: 'kernels', reps: '3', build })).kernel_peaks;
        log(`${build}: kernel peaks ${JSON.stringify(kernels[build])}`);
      }
    const c: BenchCase = { model: shape, dtype: 'q8', shots: 0, mode: 'fast', subjects: BENCH_SUBJECTS, limit: 20 };
    for (let round = 0; round < rounds; round++)
      for (const build of builds) {
        const r = (await browserRun(app, hub, {
          kind: 'case',
          case: JSON.stringify(c),
          build,
        })) as unknown as CaseResult;
        runs[build]!.push(r);
        log(
          `round ${round + 1} ${build}: ${r.questions_per_s.toFixed(2)} q/s, Σll ${r.loglikelihood_checksum.toFixed(4)}`,
        );
      }
  });
  const rows = builds.map((build) => {
    const gflops = median(runs[build]!.map((r) => r.achieved_gflops));
    const peak = (kernels[build] as Peaks | undefined)?.q8?.gflops;
    return {
      build,
      questions_per_s_each: runs[build]!.map((r) => round(r.questions_per_s)),
      questions_per_s: round(median(runs[build]!.map((r) => r.questions_per_s))),
      achieved_gflops: round(gflops),
      ...(peak ? { q8_kernel_peak_gflops: round(peak), efficiency: round(gflops / peak) } : {}),
      loglikelihood_checksum: round(runs[build]![0]!.loglikelihood_checksum),
      ...(kernels[build] ? { kernel_peaks: kernels[build] } : {}),
    };
  });
  for (const r of rows)
    log(
      `${r.build}: median ${r.questions_per_s} q/s (${r.questions_per_s_each.join(', ')}), ${r.achieved_gflops} GFLOP/s${r.efficiency ? `, ${Math.round(100 * r.efficiency)}% of the q8 kernel's peak` : ''}`,
    );
  process.stdout.write(JSON.stringify({ builds: rows }) + '\n');
}

/**
 * `--op-profile`: where the 0-shot fast case's time goes inside ONNX Runtime (Node, the bench
 * questions), per dtype: each operator type's share of the summed kernel time, from the session's
 * own profiler.
 */
async function opProfileTable(): Promise<void> {
  const dirs = ensureModels();
  const shape = 'smollm2-135m-shape';
  const rows: Record<string, unknown>[] = [];
  for (const dtype of ['fp32', 'q8'] as Dtype[]) {
    const c: BenchCase = { model: shape, dtype, shots: 0, mode: 'fast', subjects: BENCH_SUBJECTS, limit: 20 };
    const r = nodeRun(['profile', JSON.stringify(c), dirs[shape]!, join(SHARED, 'mmlu')]) as {
      seconds: number;
      ops: Record<string, { us: number; calls: number }>;
    };
    const total = Object.values(r.ops).reduce((a, o) => a + o.us, 0);
    const ops = Object.entries(r.ops)
      .sort((a, b) => b[1].us - a[1].us)
      .map(([op, o]) => ({ op, share: round(o.us / total), ms: Math.round(o.us / 1000), calls: o.calls }));
    log(`${dtype}: ${r.seconds.toFixed(1)} s wall, kernels ${(total / 1e6).toFixed(1)} s`);
    for (const o of ops.slice(0, 12))
      log(`  ${o.op.padEnd(24)} ${(100 * o.share).toFixed(1).padStart(5)}%  ${o.ms} ms  ${o.calls} calls`);
    rows.push({ dtype, seconds: round(r.seconds), kernel_seconds: round(total / 1e6), ops });
  }
  process.stdout.write(JSON.stringify({ op_profile: rows }) + '\n');
}

/** The bench's modes besides the full run (each described above its function). */
const MODES: Record<string, () => Promise<void>> = {
  '--page-speed': pageSpeed,
  '--suite': suiteSpeed,
  '--webgpu': webgpuTable,
  '--generation': generationRows,
  '--study': studyCost,
  '--memory': memory,
  '--app-mmlu': appMmlu,
  '--builds': wasmBuilds,
  '--op-profile': opProfileTable,
};
const mode = Object.keys(MODES).find((m) => process.argv.includes(m));
(mode ? MODES[mode]!() : main()).catch((e) => {
  log(`bench: error: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
