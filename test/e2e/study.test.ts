/**
 * A prompt-sensitivity study in the page (real Chromium, the production build, stories260K and
 * MMLU shards from a local hub mirror): set up from the setup form, interrupted by a reload and
 * resumed, then the study view (variants, pairwise matrix, reliability, flip explorer). The
 * page's numbers are checked against `pagebench study` on the same questions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';
import {
  dump,
  runToEnd,
  SHOTS_DIR,
  startMirroredApp,
  waitForDone,
  waitUntil,
  type MirroredApp,
} from '../support/browser.ts';
import { runCli } from '../support/cli.ts';

const SUBJECTS = ['anatomy', 'astronomy'];
const LIMIT = 8;
const SHOTS = 1;
let env: MirroredApp;
let browser: Browser;

before(async () => {
  env = await startMirroredApp(SUBJECTS);
  browser = env.browser;
});

after(async () => {
  await env?.close();
});

async function openApp(page: Page, path = '') {
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await page.goto(`${env.base}${path}`);
  await waitUntil(page, 'window.__pagebench !== undefined');
}

test('a 5-variant study (4 rotations + reversed): reload mid-study, resume, then the matrix and the flip explorer match the CLI', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await openApp(page);
  await page.getByTestId('model-select').selectOption('custom');
  await page.getByTestId('custom-model').fill('test-org/stories260K');
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption('wasm');
  await page.getByTestId('subjects').selectOption(SUBJECTS);
  await page.getByTestId('shots').selectOption(String(SHOTS));
  await page.getByTestId('limit').fill(String(LIMIT));
  await page.getByTestId('study-order').getByLabel('4 cyclic rotations').check();
  await page.getByTestId('study-order').getByLabel('reversed').check();
  await waitUntil(page, `/5 variants/.test(document.querySelector('[data-testid=study-variants]')?.textContent ?? '')`);
  assert.match(
    (await page.getByTestId('study-variants').textContent())!,
    /order-cyc0, order-cyc1, order-cyc2, order-cyc3, order-reverse/,
  );
  // The plan counts the study's tokens against one run's (stems shared by the rotations counted once).
  await waitUntil(
    page,
    `/× 5 variants, [\\d.]+× one run's tokens/.test(document.querySelector('[data-testid=plan]')?.textContent ?? '')`,
    undefined,
    { timeout: 60_000 },
  );
  const start = page.getByTestId('start');
  assert.equal((await start.textContent())!.trim(), 'Start study (5 variants)');
  await page.screenshot({ path: join(SHOTS_DIR, 'study-setup.png'), fullPage: true });

  // Interrupted by a reload after some variant-questions: they stay; the rest is scored on Resume.
  await start.click();
  await waitForDone(page, 12);
  await page.reload();
  await waitUntil(page, 'window.__pagebench !== undefined');
  const mid = await dump(page);
  const study = mid.runs.find((r) => String(r.id).startsWith('study-'))!;
  assert.equal(study.status, 'stopped');
  const kept = mid.samples.filter((s) => String(s.runId).startsWith(`${study.id as string}::`)).length;
  assert.ok(kept >= 12 && kept < 80, `kept ${kept}`);
  assert.equal(study.done, kept);
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  await runToEnd(page, () => page.getByTestId('resume').first().click());
  await waitUntil(page, `location.hash.startsWith('#/study/')`);

  const end = await dump(page);
  const finished = end.runs.find((r) => r.id === study.id)!;
  assert.equal(finished.status, 'complete');
  assert.equal(finished.total, SUBJECTS.length * LIMIT * 5);
  assert.equal(finished.done, finished.total);
  const pageSamples = end.samples.filter((s) => String(s.runId).startsWith(`${study.id as string}::`));
  assert.equal(pageSamples.length, finished.total);

  // The same study from the CLI: the same log-likelihoods (1e-4) and the same statistics.
  const out = mkdtempSync(join(tmpdir(), 'pb-e2e-study-cli-'));
  const cli = runCli(
    'study',
    '--model',
    STORIES,
    '--data',
    SHARED_MMLU,
    '--subjects',
    SUBJECTS.join(','),
    '--shots',
    String(SHOTS),
    '--limit',
    String(LIMIT),
    '--vary',
    'order=cyclic,reverse',
    '--output-dir',
    out,
  );
  assert.equal(cli.code, 0, cli.stderr);
  let worst = 0;
  for (const s of pageSamples) {
    const variant = String(s.runId).split('::')[1]!;
    const line = readFileSync(join(out, variant, `samples_${s.subject as string}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((x) => x.doc_id === s.doc_id);
    assert.deepEqual(s.permutation, line.permutation);
    (s.loglikelihoods as number[]).forEach((l, i) => (worst = Math.max(worst, Math.abs(l - line.loglikelihoods[i]))));
    assert.equal(s.pred_original, line.pred_original);
  }
  assert.ok(worst < 1e-4, `largest |page − CLI| ${worst}`);

  await waitUntil(page, `!!document.querySelector('[data-testid=study-matrix] svg')`);
  await waitUntil(page, `!!document.querySelector('[data-testid=flip-explorer] article')`);
  const download = page.waitForEvent('download');
  await page.getByTestId('download-study').click();
  const pageStudy = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
  const cliStudy = JSON.parse(readFileSync(join(out, 'study.json'), 'utf8'));
  assert.deepEqual(
    pageStudy.variants.map((v: { id: string; acc: number; n: number }) => [v.id, v.acc, v.n]),
    cliStudy.variants.map((v: { id: string; acc: number; n: number }) => [v.id, v.acc, v.n]),
  );
  for (const [i, p] of cliStudy.pairs.entries()) {
    const q = pageStudy.pairs[i];
    assert.deepEqual([q.a, q.b, q.a_only, q.b_only, q.both_correct], [p.a, p.b, p.a_only, p.b_only, p.both_correct]);
    assert.ok(Math.abs(q.mcnemar_p - p.mcnemar_p) < 1e-12 && Math.abs(q.agreement - p.agreement) < 1e-12);
  }
  assert.ok(Math.abs(pageStudy.overall.circular_acc - cliStudy.overall.circular_acc) < 1e-12);

  // What a reader sees: every pair in the matrix (both triangles), the flips with their prompts side by side.
  const cells = await page.locator('[data-testid=study-matrix] svg rect').count();
  assert.ok(cells >= 20, `matrix cells: ${cells}`);
  const flipOptions = await page.getByTestId('flip-select').locator('option').count();
  assert.ok(flipOptions > 0);
  const articles = page.getByTestId('flip-explorer').locator('article');
  assert.equal(await articles.count(), 5);
  const firstPrompt = (await articles.nth(0).locator('pre').textContent())!;
  const secondPrompt = (await articles.nth(1).locator('pre').textContent())!;
  assert.match(firstPrompt, /\nA\. [\s\S]*\nD\. [\s\S]*\nAnswer:$/);
  assert.notEqual(firstPrompt, secondPrompt);
  assert.match((await page.getByTestId('study-overall').textContent())!, /CircularEval \d/);
  await page.screenshot({ path: join(SHOTS_DIR, 'study-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS_DIR, 'study-390.png'), fullPage: true });
  await context.close();
});
