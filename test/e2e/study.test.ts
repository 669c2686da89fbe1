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
  clippedLabels,
  continuesAfterReload,
  dump,
  overlappingLabels,
  sideways,
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

test('a 5-variant study (4 rotations + reversed): reload mid-study (it continues by itself), then the matrix and the flip explorer match the CLI', async () => {
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

  // Interrupted by a reload after some variant-questions: they stay, and the study continues by itself.
  await start.click();
  await waitForDone(page, 12);
  // The study's progress counts its prompt tokens (it read "0 prompt tokens/s").
  assert.match(await page.getByTestId('eval-progress').innerText(), / [1-9]\d* prompt tokens\/s/);
  await page.reload();
  const note = await continuesAfterReload(page);
  const said = /continues from variant-question (\d+) of 80, keeping the (\d+) finished/.exec(note);
  assert.ok(said, note);
  const kept = Number(said[2]);
  assert.ok(kept >= 12 && kept < 80, `kept ${kept}`);
  assert.equal(Number(said[1]), kept + 1);
  const study = (await dump(page)).runs.find((r) => String(r.id).startsWith('study-'))!;
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
  // Emphasis follows significance, said in words.
  assert.match(
    (await page.getByTestId('study-significance').textContent())!,
    /No difference between two variants is significant|\d+ of 10 pairs differ significantly/,
  );
  await page.screenshot({ path: join(SHOTS_DIR, 'study-1280.png'), fullPage: true });
  assert.deepEqual(await overlappingLabels(page, '[data-testid=study-matrix]'), [], 'heat map labels at 1280 px');
  assert.deepEqual(await clippedLabels(page, '[data-testid=study-matrix]'), [], 'heat map labels cut at 1280 px');
  // A phone: cells wide enough for their numbers, the variants numbered with a key, nothing overlapping,
  // no sideways scroll of the page.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(SHOTS_DIR, 'study-390.png'), fullPage: true });
  assert.equal(await sideways(page), 0, 'the study scrolls sideways at 390 px');
  assert.deepEqual(await overlappingLabels(page, '[data-testid=study-matrix]'), [], 'heat map labels at 390 px');
  assert.deepEqual(await page.getByTestId('study-matrix-key').locator('li').allTextContents(), [
    'order-cyc0: choices in their original order',
    'order-cyc1: choices rotated by 1',
    'order-cyc2: choices rotated by 2',
    'order-cyc3: choices rotated by 3',
    'order-reverse: choices reversed',
  ]);
  // Each cell's number fits inside its cell, at the chart's own size (not shrunk to the screen).
  const fits = await page.evaluate(() => {
    const svg = [...document.querySelectorAll('[data-testid=study-matrix] svg')].at(-1)!;
    const rects = [...svg.querySelectorAll('g[aria-label=cell] rect')].map((r) => r.getBoundingClientRect());
    const texts = [...svg.querySelectorAll('g[aria-label=text] text')].map((t) => t.getBoundingClientRect());
    const fig = document.querySelector('[data-testid=study-matrix]')!.getBoundingClientRect();
    const box = fig.width;
    // …and the whole matrix is on screen, none of it cut off by the figure's edge.
    const cut = rects.filter((r) => r.right > fig.right + 1 || r.left < fig.left - 1).length;
    return { n: rects.length, bad: texts.filter((t, i) => t.width > rects[i]!.width), box, cell: rects[0]?.width, cut };
  });
  console.log(`# heat map at 390 px: figure ${fits.box} px wide, cells ${fits.cell} px`);
  assert.ok(fits.n >= 20 && fits.bad.length === 0 && fits.cut === 0, JSON.stringify(fits));
  await page.screenshot({ path: join(SHOTS_DIR, 'study-390.png'), fullPage: true });
  // The study's axes were cleared when it started: the next Start is a plain run, and says so.
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  assert.equal(await page.getByTestId('study-order').getByLabel('reversed').isChecked(), false);
  assert.equal((await page.getByTestId('start').textContent())!.trim(), 'Start run');
  await context.close();
});
