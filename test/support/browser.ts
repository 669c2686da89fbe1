/**
 * Shared parts of the end-to-end suites: Debian's chromium driven by playwright-core, the page's
 * IndexedDB read back, and the CLI's numbers to compare the page's with.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mirrorMmlu, mirrorModel, serveStatic, type ServeOptions } from '../../src/node/hubMirror.ts';
import { runCli } from './cli.ts';
import { REPO, SHARED, SHARED_MMLU, STORIES } from './paths.ts';

export const SHOTS_DIR = join(REPO, 'test-results/screenshots');
export const FLAGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface DbSample {
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

export async function dump(
  page: Page,
): Promise<{ runs: Record<string, unknown>[]; samples: Record<string, unknown>[]; files: string[] }> {
  return page.evaluate(DUMP_DB);
}

export async function latestRun(page: Page) {
  const d = await dump(page);
  const run = d.runs.sort((a, b) => (b.createdAt as number) - (a.createdAt as number))[0]!;
  return { run, samples: (d.samples as unknown as DbSample[]).filter((s) => s.runId === run.id), files: d.files };
}

/** The CLI's run of the same questions on stories260K: results.json and samples by subject#doc_id. */
export function cliRun(subjects: string[], shots: number, limit: number, ...extra: string[]) {
  return cliRunArgs(
    '--data',
    SHARED_MMLU,
    '--subjects',
    subjects.join(','),
    '--shots',
    String(shots),
    '--limit',
    String(limit),
    ...extra,
  );
}

/** `pagebench run --model stories260K <args> --output-dir <tmp>`, read back. */
export function cliRunArgs(...args: string[]) {
  const out = mkdtempSync(join(tmpdir(), 'pb-e2e-cli-'));
  const r = runCli('run', '--model', STORIES, ...args, '--output-dir', out);
  assert.equal(r.code, 0, r.stderr);
  const samples = new Map<string, Record<string, unknown>>();
  for (const f of readdirSync(out).filter((f) => f.startsWith('samples_')))
    for (const line of readFileSync(join(out, f), 'utf8').trim().split('\n')) {
      const s = JSON.parse(line);
      samples.set(`${s.subject}#${s.doc_id}`, s);
    }
  return { dir: out, results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')), samples };
}

export function cliSamples(subjects: string[], shots: number, limit: number): Map<string, number[]> {
  const { samples } = cliRun(subjects, shots, limit);
  return new Map([...samples].map(([k, s]) => [k, s.loglikelihoods as number[]]));
}

export function assertMatchesCli(
  samples: DbSample[],
  cli: Map<string, number[]>,
  what: string,
  tolerance = 1e-4,
): number {
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

export const finishedCount = (page: Page) => page.evaluate('window.__pagebench.finished()') as Promise<number>;

/** Clicks an element that starts (or resumes) a run and waits until that run has ended. */
export async function runToEnd(page: Page, click: () => Promise<void>, timeout = 240_000) {
  const before = await finishedCount(page);
  await click();
  await waitUntil(page, `window.__pagebench.finished() > ${before}`, undefined, { timeout, polling: 250 });
}

/**
 * After a reload during a run shown at #/run/<id>: the run continues by itself to its end. Returns
 * what the page said about it (the run's note "… continues from question N of M, keeping the K finished").
 */
export async function continuesAfterReload(page: Page, timeout = 240_000): Promise<string> {
  await waitUntil(page, 'window.__pagebench !== undefined');
  await waitUntil(page, 'window.__pagebench.finished() > 0', undefined, { timeout, polling: 250 });
  return (await page.evaluate('window.__pagebench.continued()')) as string;
}

/** Waits until the progress line shows at least n questions done. */
export async function waitForDone(page: Page, n: number) {
  await waitUntil(
    page,
    `Number((/(\\d+)\\//.exec(document.querySelector('[data-testid=eval-progress]')?.textContent ?? '') ?? [0, 0])[1]) >= ${n}`,
    undefined,
    { timeout: 120_000, polling: 50 },
  );
}

export async function assertProblem(page: Page, re: RegExp, timeout = 20_000) {
  await waitUntil(
    page,
    `[...document.querySelectorAll('[data-testid=problem]')].some((e) => ${re}.test(e.textContent ?? ''))`,
    undefined,
    { timeout },
  );
}

/**
 * What a newcomer has: the production build (built if missing) and a mirror written by
 * `npm run mirror` (scripts/mirror.ts) from ../shared — stories260K, the real MMLU, TruthfulQA and GSM8K — in a
 * temporary folder, not yet served.
 */
export function newcomerMirror(): string {
  if (!existsSync(join(REPO, 'dist/index.html')))
    spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: REPO, stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'pb-mirror-'));
  const built = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO, 'scripts/mirror.ts'),
      '--model',
      STORIES,
      '--data',
      SHARED_MMLU,
      '--truthfulqa',
      join(SHARED, 'truthfulqa'),
      '--gsm8k',
      join(SHARED, 'gsm8k'),
      '--out',
      root,
      '--no-serve',
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  assert.equal(built.status, 0, built.stderr);
  return root;
}
/** `vite preview` of the production build (dist/) on a free port of 127.0.0.1. */
export async function vitePreview(): Promise<{ url: string; close: () => void }> {
  const proc: ChildProcess = spawn(
    process.execPath,
    [join(REPO, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', '0'],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      // eslint-disable-next-line no-control-regex -- strips the terminal colours vite prints
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) resolve(m[1]!.replace(/\/$/, ''));
    });
    proc.on('exit', (code) => reject(new Error(`vite preview exited (${code}): ${out}`)));
  });
  return { url, close: () => proc.kill() };
}

/**
 * Waits until a page expression is truthy, polling with page.evaluate (DevTools evaluation, which
 * the page's Content Security Policy does not govern; Playwright's waitForFunction evaluates string
 * predicates with eval, which the policy forbids, as it should).
 */
export async function waitUntil(
  page: Page,
  expression: string,
  _arg?: undefined,
  opts: { timeout?: number; polling?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeout ?? 30_000);
  for (;;) {
    if (await page.evaluate(expression).catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${opts.timeout ?? 30_000} ms waiting for: ${expression}`);
    await new Promise((r) => setTimeout(r, opts.polling ?? 100));
  }
}

export interface UiRun {
  model?: string;
  device?: 'wasm' | 'webgpu';
  subjects: string[];
  shots: number;
  limit: number;
}

/** Fills the setup form for a run of a mirrored model (test-org/stories260K unless named), fp32. */
export async function configure(page: Page, r: UiRun) {
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  await page.getByTestId('model-select').selectOption('custom');
  await page.getByTestId('custom-model').fill(r.model ?? 'test-org/stories260K');
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption(r.device ?? 'wasm');
  await page.getByTestId('subjects').selectOption(r.subjects);
  await page.getByTestId('shots').selectOption(String(r.shots));
  await page.getByTestId('limit').fill(String(r.limit));
}

/** The production build and a hub mirror (stories260K as test-org/stories260K, the given MMLU subjects) on 127.0.0.1, and Chromium. */
export interface MirroredApp {
  app: { url: string; close: () => Promise<void> };
  hub: Awaited<ReturnType<typeof serveStatic>>;
  browser: Browser;
  /** The page's address with ?hub= pointing at the mirror. */
  base: string;
  close: () => Promise<void>;
}

export async function startMirroredApp(
  subjects: string[],
  prepare?: (root: string) => void,
  hubOptions: ServeOptions = {},
): Promise<MirroredApp> {
  if (!existsSync(join(REPO, 'dist/index.html')))
    spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: REPO, stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'pb-e2e-hub-'));
  mirrorModel(root, STORIES, 'test-org/stories260K');
  mirrorMmlu(root, SHARED_MMLU, subjects);
  prepare?.(root);
  const hub = await serveStatic(root, hubOptions);
  const app = await serveStatic(join(REPO, 'dist'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  mkdirSync(SHOTS_DIR, { recursive: true });
  return {
    app,
    hub,
    browser,
    base: `${app.url}/?hub=${encodeURIComponent(hub.url)}`,
    close: async () => {
      await browser.close();
      await app.close();
      await hub.close();
    },
  };
}

/** Text labels inside the SVGs under `selector` that overlap another label of the same SVG (none expected). */
export function overlappingLabels(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const out: string[] = [];
    for (const svg of document.querySelectorAll(`${sel} svg`)) {
      const boxes = [...svg.querySelectorAll('text')]
        .filter((t) => t.textContent?.trim())
        .map((t) => ({ t: t.textContent ?? '', r: t.getBoundingClientRect() }));
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!.r;
          const b = boxes[j]!.r;
          if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
            out.push(`${boxes[i]!.t} / ${boxes[j]!.t}`);
        }
    }
    return out;
  }, selector);
}

/** Text labels under `selector` cut off by their SVG's left or right edge (none expected). */
export function clippedLabels(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const out: string[] = [];
    for (const svg of document.querySelectorAll(`${sel} svg`)) {
      const box = svg.getBoundingClientRect();
      for (const t of svg.querySelectorAll('text')) {
        const r = t.getBoundingClientRect();
        if (t.textContent?.trim() && (r.left < box.left - 1 || r.right > box.right + 1)) out.push(t.textContent);
      }
    }
    return out;
  }, selector);
}

/** How far the document scrolls sideways (0 expected on every screen). */
export function sideways(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
}

/** Makes a teacher's quiz in the setup (New run → Benchmark → Your own quiz…) from a pasted table and saves it. */
export async function saveQuizInPage(page: Page, title: string, table: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  await page.getByTestId('benchmark').selectOption('quiz-new');
  await page.getByTestId('quiz-title').fill(title);
  await page.getByTestId('quiz-table').fill(table);
  await page.getByTestId('quiz-save').click();
}
