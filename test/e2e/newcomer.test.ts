/**
 * The page as a newcomer meets it: the production build under `vite preview`, a mirror made by
 * `npm run mirror` (scripts/mirror.ts) from ../shared and served on 127.0.0.1, the page opened with
 * only ?hub=<mirror>. Nothing is changed before Start run. Screenshots of every screen at 1280 and
 * 390 px go to test-results/screenshots/newcomer-*.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  arcParquet,
  hellaswagParquet,
  mirrorParquet,
  serveStatic,
  winograndeParquet,
} from '../../src/node/hubMirror.ts';
import {
  ARC_CHALLENGE_ROWS,
  ARC_ROWS,
  HELLASWAG_ROWS,
  WINOGRANDE_ROWS,
  writeBenchmarkFixtures,
} from '../fixtures/benchmarkFixtures.ts';
import { validateResults, validateSample } from '../../src/core/report/validate.ts';
import { SHARED, STORIES } from '../support/paths.ts';
import { runCli } from '../support/cli.ts';
import {
  assertMatchesCli,
  cliRun,
  continuesAfterReload,
  cliRunArgs,
  dump,
  FLAGS,
  latestRun,
  newcomerMirror,
  runToEnd,
  SHOTS_DIR,
  vitePreview,
  waitForDone,
  waitUntil,
  type DbSample,
} from '../support/browser.ts';

const MODEL = 'local-mirror/stories260K';
let preview: Awaited<ReturnType<typeof vitePreview>>;
let hub: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;

before(async () => {
  const root = newcomerMirror();
  // ARC-Easy rows of our own, as allenai/ai2_arc's parquet behind the hub's parquet listing
  for (const split of ['train', 'test'] as const)
    mirrorParquet(root, 'allenai/ai2_arc', 'ARC-Easy', split, arcParquet(ARC_ROWS[split] as never));
  // ARC-Challenge and HellaSwag rows of our own, for the suite
  for (const split of ['train', 'test'] as const)
    mirrorParquet(root, 'allenai/ai2_arc', 'ARC-Challenge', split, arcParquet(ARC_CHALLENGE_ROWS[split] as never));
  for (const split of ['train', 'validation'] as const)
    mirrorParquet(root, 'Rowan/hellaswag', 'default', split, hellaswagParquet(HELLASWAG_ROWS[split] as never));
  // Winogrande rows of our own (the real data is not in ../shared) as allenai/winogrande's parquet
  for (const split of ['train', 'validation'] as const)
    mirrorParquet(
      root,
      'allenai/winogrande',
      'winogrande_xl',
      split,
      winograndeParquet(WINOGRANDE_ROWS[split] as never),
    );
  hub = await serveStatic(root);
  preview = await vitePreview();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  mkdirSync(SHOTS_DIR, { recursive: true });
});

after(async () => {
  await browser?.close();
  preview?.close();
  await hub?.close();
});

/** A fresh profile opened with only ?hub= set; every console error and page error is collected. */
async function newcomer(width = 1280): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()} (${m.location().url})`));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    ),
  );
  await page.goto(`${preview.url}/?hub=${encodeURIComponent(hub.url)}`);
  await waitUntil(page, 'window.__pagebench !== undefined');
  return { page, errors };
}

async function saveDownload(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = join(mkdtempSync(join(tmpdir(), 'pb-dl-')), download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

/** Text labels of the page's charts that overlap another label of the same chart (none expected). */
const OVERLAPS = `(() => {
  const out = [];
  for (const svg of document.querySelectorAll('[data-testid=chart] svg')) {
    const boxes = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim()).map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() }));
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(boxes[i].t + ' / ' + boxes[j].t);
    }
  }
  return out;
})()`;

/** Chart labels that the dashed chance marks (red) run through (none expected). */
const CHANCE_CROSSES = `(() => {
  const out = [];
  for (const svg of document.querySelectorAll('[data-testid=chart] svg')) {
    const marks = [...svg.querySelectorAll('[stroke="#c92a2a"] line, [stroke="#c92a2a"] path, line[stroke="#c92a2a"], path[stroke="#c92a2a"]')].map((m) => m.getBoundingClientRect());
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const r = t.getBoundingClientRect();
      if (marks.some((m) => m.left < r.right && r.left < m.right && m.top < r.bottom - 1 && r.top + 1 < m.bottom)) out.push(t.textContent);
    }
  }
  return out;
})()`;

async function shoot(page: Page, name: string) {
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(sideways <= 1, `${name} scrolls sideways by ${sideways}px`);
  await page.screenshot({ path: join(SHOTS_DIR, `newcomer-${name}.png`), fullPage: true });
}

test('newcomer path: open with only ?hub=, change nothing, Start run, Stop, Resume, reload mid-run (it continues by itself), finish, download results and samples (schemas), no console error', async () => {
  const { page, errors } = await newcomer();
  // The mirror's model is offered first and the dtype is one the repository has (only fp32 here).
  assert.equal(await page.getByTestId('model-select').inputValue(), MODEL);
  await waitUntil(page, `document.querySelector('[data-testid=plan]')?.textContent.includes('135 questions')`);
  assert.equal(await page.getByTestId('dtype').inputValue(), 'fp32', 'the default dtype is one the repo offers');
  assert.match(await page.getByTestId('hub-help').innerText(), /\?hub=/);
  // The build runs under its Content Security Policy (meta + preview header; connect-src narrowed to
  // the site and the hub): a violation would be a console error, asserted absent at the end.
  const policies = await page.evaluate(() =>
    [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')].map((m) => m.getAttribute('content')),
  );
  assert.equal(policies.length, 2);
  assert.match(policies[0]!, /script-src 'self' blob: 'wasm-unsafe-eval'/);
  assert.equal(policies[1], `connect-src 'self' ${new URL(hub.url).origin} blob: data:`);
  const head = await fetch(`${preview.url}/`);
  assert.match(head.headers.get('content-security-policy') ?? '', /object-src 'none'/);
  await shoot(page, 'setup-1280');

  await page.getByTestId('start').click();
  await waitForDone(page, 10);
  await shoot(page, 'run-1280');
  // "Latest questions" counts as the explorer does, from 1 (anatomy's first question is question 1).
  const latest = await page.locator('ol.live li').allInnerTexts();
  assert.ok(latest.length > 0);
  for (const l of latest) assert.match(l, /^anatomy question [1-9]\d*: (correct|wrong)$/);
  await page.getByTestId('stop').click();
  await waitUntil(page, 'window.__pagebench.idle()');

  // A stopped run: its page says where it stopped and offers Resume…
  assert.match(page.url(), /#\/run\/run-/);
  assert.match(await page.getByTestId('run-status').innerText(), /^Stopped at \d+\/135 questions/);
  assert.equal(await page.getByTestId('resume').count(), 1);
  // …and the run list shows how many are done, Resume, and partial results clearly marked.
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  const row = page.getByTestId('run-row').first();
  const progress = await row.getByTestId('run-progress').innerText();
  const m = /^(\d+)\/135\s+stopped/.exec(progress);
  assert.ok(m, `run row progress: ${progress}`);
  const doneBefore = Number(m[1]);
  assert.ok(doneBefore >= 10 && doneBefore < 135, `done before Stop: ${doneBefore}`);
  assert.equal((await latestRun(page)).samples.length, doneBefore, 'the count shown is the samples stored');
  await row.getByTestId('results').click();
  await page.getByTestId('partial').waitFor();
  assert.match(await page.getByTestId('partial').innerText(), new RegExp(`Partial result: ${doneBefore} of 135`));
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();

  // Resumed, then the page reloaded mid-run: the run continues by itself (it is not shown as stopped),
  // saying so, and ends complete.
  await page.getByTestId('resume').first().click();
  await waitForDone(page, doneBefore + 3);
  await page.reload();
  const note = await continuesAfterReload(page);
  const said =
    /^The page went away during this run .*continues from question (\d+) of 135, keeping the (\d+) finished\.$/.exec(
      note,
    );
  assert.ok(said, note);
  const kept = Number(said[2]);
  assert.equal(Number(said[1]), kept + 1);
  assert.ok(kept >= doneBefore + 3 && kept < 135, `kept at the reload: ${kept}`);
  const done = await latestRun(page);
  assert.equal(done.run.status, 'complete', String(done.run.error ?? ''));
  assert.equal(done.samples.length, 135);
  const cli = cliRun(['anatomy'], 0, 135);
  assertMatchesCli(
    done.samples as DbSample[],
    new Map([...cli.samples].map(([k, s]) => [k, s.loglikelihoods as number[]])),
    'newcomer (stopped, resumed, reloaded)',
  );

  // Downloads: the CLI's file names and shapes, valid against the project's schemas.
  await page.getByTestId('headline').waitFor();
  assert.equal(await page.getByTestId('partial').count(), 0, 'a complete run is not marked partial');
  const results = await saveDownload(page, () => page.getByTestId('download-results').click());
  assert.equal(results.name, 'results.json');
  const parsed = JSON.parse(results.text);
  validateResults(parsed);
  assert.equal(parsed.results.mmlu_anatomy['acc,none'], cli.results.results.mmlu_anatomy['acc,none']);
  assert.equal(parsed.config.partial, undefined);
  // config.date is when the run started (lm-eval's results["date"]), as the Results picker shows it.
  assert.equal(parsed.config.date, new Date(done.run.createdAt as number).toISOString());
  const samples = await saveDownload(page, () => page.getByTestId('download-samples').first().click());
  assert.equal(samples.name, 'samples_anatomy.jsonl');
  const lines = samples.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 135);
  const cliFirst = cli.samples.get('anatomy#0')!;
  for (const s of lines) {
    validateSample(s);
    assert.deepEqual(Object.keys(s), Object.keys(cliFirst), 'the same fields, in the same order, as the CLI');
  }
  assert.deepEqual(
    lines.map((s) => s.doc_id),
    [...Array(135).keys()],
  );

  // Screens at 1280 and 390 px, charts without overlapping labels.
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width > 500 ? 900 : 844 });
    await page.getByRole('navigation').getByRole('button', { name: 'Results' }).click();
    await page.getByTestId('chart').first().waitFor();
    await page.waitForTimeout(300);
    assert.deepEqual(await page.evaluate(OVERLAPS), [], `chart labels overlap at ${width} px`);
    assert.deepEqual(await page.evaluate(CHANCE_CROSSES), [], `the chance line crosses labels at ${width} px`);
    await shoot(page, `results-${width}`);
    await page.getByRole('navigation').getByRole('button', { name: 'Progress' }).click();
    if (width === 390) await shoot(page, 'run-390');
    await page.getByRole('navigation').getByRole('button', { name: 'Storage' }).click();
    await waitUntil(
      page,
      `(() => { const t = document.querySelector('[data-testid=storage-table]')?.textContent ?? '';
        return t.includes('${MODEL}') && t.includes('cais/mmlu') && !document.querySelector('[data-testid=estimate]')?.textContent?.includes('?'); })()`,
    );
    await shoot(page, `storage-${width}`);
    await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
    await waitUntil(
      page,
      `document.body.innerText.includes('Stored: ') && /prompt tokens/.test(document.querySelector('[data-testid=plan]')?.textContent ?? '') && /Time: \\S+ \\d/.test(document.querySelector('[data-testid=estimate]')?.textContent ?? '')`,
    );
    await shoot(page, `setup-${width}`);
  }
  assert.deepEqual(errors, [], 'no console error from start to end');
  await page.context().close();
});

test('the run list names runs and shows what distinguishes them; the setup comes back after a reload', async () => {
  const { page, errors } = await newcomer();
  await page.getByTestId('limit').fill('3');
  await page.getByTestId('shots').selectOption('2');
  await page.getByTestId('template').selectOption('cloze');
  await runToEnd(page, () => page.getByTestId('start').click());
  const r = await latestRun(page);
  assert.equal(r.run.status, 'complete', String(r.run.error ?? ''));
  // cloze: lm-eval's mmlu_continuation headlines acc_norm; both metrics are shown
  await page.getByTestId('headline').waitFor();
  assert.match(await page.getByTestId('headline').innerText(), /acc_norm, micro/);
  assert.match(await page.getByTestId('metrics').innerText(), /acc \d+\.\d%.*acc_norm \d+\.\d%/s);
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  const row = page.getByTestId('run-row').first();
  await row.getByTestId('run-name').fill('cloze try');
  await row.getByTestId('run-name').press('Enter');
  await waitUntil(
    page,
    `new Promise((res) => { const r = indexedDB.open('pagebench'); r.onsuccess = () => { const q = r.result.transaction('runs').objectStore('runs').getAll(); q.onsuccess = () => { r.result.close(); res(q.result.some((x) => x.name === 'cloze try')); }; }; })`,
  );
  await page.reload();
  await waitUntil(page, 'window.__pagebench !== undefined');
  assert.equal(await page.getByTestId('shots').inputValue(), '2', 'shots remembered');
  assert.equal(await page.getByTestId('template').inputValue(), 'cloze', 'template remembered');
  assert.equal(await page.getByTestId('limit').inputValue(), '3', 'limit remembered');
  const again = page.getByTestId('run-row').first();
  assert.equal(await again.getByTestId('run-name').inputValue(), 'cloze try');
  const text = await again.innerText();
  for (const part of [MODEL, 'fp32 · wasm', 'cloze · 2-shot', 'anatomy', 'acc_norm', '3/3'])
    assert.ok(text.includes(part), `run row shows "${part}": ${text}`);
  assert.match(await again.getByTestId('run-score').innerText(), /^\d+\.\d%/);
  // Subjects are grouped by lm-eval's categories, the paper's category beside them.
  const anatomy = page.locator('[data-testid=subjects] option[value=anatomy]');
  assert.equal(await anatomy.evaluate((o) => (o.parentElement as HTMLOptGroupElement).label), 'STEM');
  assert.match((await anatomy.textContent())!, /Anatomy — paper: other \(health\)/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('before a run: truncation counted with the tokenizer, time measured on this device', async () => {
  const { page } = await newcomer();
  await page.getByTestId('shots').selectOption('5');
  await page.getByTestId('limit').fill('10');
  await page.getByTestId('truncation').waitFor({ timeout: 30_000 });
  const warning = await page.getByTestId('truncation').innerText();
  const cli = cliRun(['anatomy'], 5, 10);
  const n = cli.results.config.truncated_count as number;
  assert.ok(n > 0);
  assert.match(warning, new RegExp(`${n} of 10 questions exceed the model's 512-token window`));
  assert.match(await page.getByTestId('estimate').innerText(), /not measured yet/);
  // a reload while measuring leaves nothing behind that breaks the page
  await page.getByTestId('measure').click();
  await waitUntil(page, `/measuring/.test(document.querySelector('[data-testid=estimate]')?.textContent ?? '')`);
  await page.reload();
  await waitUntil(page, 'window.__pagebench !== undefined');
  await page.getByTestId('start').waitFor({ timeout: 10_000 });
  await page.getByTestId('measure').or(page.getByText('measured: 8 questions')).first().waitFor({ timeout: 30_000 });
  if (await page.getByTestId('measure').count()) await page.getByTestId('measure').click();
  await waitUntil(
    page,
    `/measured: 8 questions on this device/.test(document.querySelector('[data-testid=estimate]')?.textContent ?? '')`,
    undefined,
    { timeout: 60_000 },
  );
  assert.match(await page.getByTestId('estimate').innerText(), /Time: (about \d+ s|\d+ s to \d+ s)/);
  // the calibration leaves nothing behind
  assert.equal((await latestRun(page)).run, undefined, 'no run stored by measuring');
  // The run, then the explorer on a left-truncated prompt: what the model did not see is marked.
  await runToEnd(page, () => page.getByTestId('start').click());
  await page.getByTestId('prompt').waitFor();
  const cut = [...cli.samples.values()].find((x) => x.truncated)!;
  const kept = [...cli.samples.values()].find((x) => !x.truncated);
  for (let i = 0; i < (cut.doc_id as number); i++) await page.getByRole('button', { name: 'Next question' }).click();
  await page.getByTestId('unseen').waitFor();
  const prompt = await page.getByTestId('prompt').innerText();
  const unseen = await page.getByTestId('unseen').innerText();
  assert.equal(prompt, cut.context, 'the whole prompt is shown');
  assert.ok(unseen.length > 0 && prompt.startsWith(unseen), 'the mark covers the start of the prompt');
  assert.match(
    await page.getByTestId('unseen-note').innerText(),
    /did not see \(the prompt was longer than its 512-token window/,
  );
  await page.screenshot({ path: join(SHOTS_DIR, 'newcomer-explorer-truncated.png'), fullPage: true });
  if (kept) {
    for (let i = cut.doc_id as number; i > (kept.doc_id as number); i--)
      await page.getByRole('button', { name: 'Previous question' }).click();
    for (let i = cut.doc_id as number; i < (kept.doc_id as number); i++)
      await page.getByRole('button', { name: 'Next question' }).click();
    await page.waitForTimeout(300);
    assert.equal(await page.getByTestId('unseen').count(), 0, 'a prompt that fits is not marked');
    // Back on the truncated question: the same mark (counted once per question).
    const step = (kept.doc_id as number) < (cut.doc_id as number) ? 'Next question' : 'Previous question';
    for (let i = Math.abs((cut.doc_id as number) - (kept.doc_id as number)); i > 0; i--)
      await page.getByRole('button', { name: step }).click();
    await page.getByTestId('unseen').waitFor();
    assert.equal(await page.getByTestId('unseen').innerText(), unseen);
  }
  await page.context().close();
});

test('TruthfulQA mc2 and GSM8K (the real rows, mirrored as the hub builds them) and Winogrande 5-shot through the mirror: the page scores and generates what the CLI does', async () => {
  const { page, errors } = await newcomer();
  const tq = mkdtempSync(join(tmpdir(), 'pb-tq-'));
  cpSync(join(SHARED, 'truthfulqa', 'mc_task.json'), join(tq, 'mc_task.json'));
  for (const [benchmark, template, shots, data] of [
    ['truthfulqa_mc2', 'truthfulqa-mc2', 0, tq],
    ['winogrande', 'winogrande', 5, writeBenchmarkFixtures()],
  ] as const) {
    await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
    await page.getByTestId('benchmark').selectOption(benchmark);
    assert.equal(await page.getByTestId('template').inputValue(), template);
    assert.equal(await page.getByTestId('split').inputValue(), 'validation');
    await page.getByTestId('shots').selectOption(String(shots));
    await page.getByTestId('limit').fill('6');
    await waitUntil(page, `document.querySelector('[data-testid=plan]')?.textContent.includes('6 questions')`);
    await runToEnd(page, () => page.getByTestId('start').click());
    const r = await latestRun(page);
    assert.equal(r.run.status, 'complete', String(r.run.error ?? ''));
    const cli = cliRunArgs('--benchmark', benchmark, '--data', data, '--shots', String(shots), '--limit', '6');
    const cliLls = new Map([...cli.samples].map(([k, s]) => [k, s.loglikelihoods as number[]]));
    assertMatchesCli(r.samples as DbSample[], cliLls, `${benchmark} ${shots}-shot`);
    const headline = await page.getByTestId('headline').innerText();
    const acc = (cli.results.results as Record<string, Record<string, number>>)[benchmark]!['acc,none']!;
    assert.ok(headline.includes(`${(100 * acc).toFixed(1)}%`), `${headline} shows the CLI's ${acc}`);
    if (benchmark === 'truthfulqa_mc2') {
      assert.match(await page.getByTestId('metrics').innerText(), /mc2_split/);
      // a link carries counts of right answers, not a probability mass: said, not thrown
      assert.match(await page.getByTestId('share-refused').innerText(), /probability mass per question/);
    } else {
      await page.getByTestId('share-panel').waitFor();
      // partial scoring: each choice shows the end of its own context before the shared continuation
      const choices = await page.getByTestId('choices').locator('tbody tr td:first-child').allInnerTexts();
      assert.equal(choices.length, 2);
      assert.notEqual(choices[0], choices[1]);
    }
    await shoot(page, `${benchmark}-results-1280`);
  }
  // GSM8K: generation through the worker, read by both filters, as the CLI reads it
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  await page.getByTestId('benchmark').selectOption('gsm8k');
  assert.equal(await page.getByTestId('scoring').inputValue(), 'generate');
  assert.equal(await page.getByTestId('gen-template').inputValue(), 'gsm8k');
  assert.equal(await page.getByTestId('split').inputValue(), 'test');
  await page.getByTestId('shots').selectOption('5');
  await page.getByTestId('limit').fill('3');
  await page.getByTestId('max-new-tokens').fill('32');
  await waitUntil(page, `document.querySelector('[data-testid=plan]')?.textContent.includes('3 questions')`);
  await runToEnd(page, () => page.getByTestId('start').click());
  const g = await latestRun(page);
  assert.equal(g.run.status, 'complete', String(g.run.error ?? ''));
  const cli = cliRunArgs(
    ...['--benchmark', 'gsm8k', '--data', join(SHARED, 'gsm8k'), '--shots', '5', '--limit', '3'],
    ...['--max-new-tokens', '32'],
  );
  assert.equal(g.samples.length, 3);
  for (const s of g.samples as unknown as Record<string, unknown>[]) {
    const c = cli.samples.get(`gsm8k#${s.doc_id as number}`)!;
    for (const k of ['context', 'generated', 'filtered', 'exact_match', 'no_answer'])
      assert.deepEqual(s[k], c[k], `gsm8k #${s.doc_id as number} ${k}`);
    // the same decode, so the same tokens generated; the time is this device's
    const [pt, ct] = [s.timing, c.timing] as { output_tokens: number; ttft_s: number; seconds: number }[];
    assert.equal(pt!.output_tokens, ct!.output_tokens, `gsm8k #${s.doc_id as number} output_tokens`);
    assert.ok(pt!.ttft_s > 0 && pt!.ttft_s <= pt!.seconds, JSON.stringify(pt));
  }
  // the run's generation speed: time to first token, per output token and latency with percentiles
  assert.match(
    await page.getByTestId('generation-speed').innerText(),
    /output tokens\/s .* tokens over 3 questions.*time to first token.*time per output token.*latency/s,
  );
  assert.match(
    await page.getByTestId('metrics').innerText(),
    /exact_match,strict-match.*exact_match,flexible-extract/s,
  );
  await page.getByTestId('share-panel').waitFor();
  assert.equal(await page.getByTestId('copy-full-link').count(), 0, 'no full link: no picks to carry');
  assert.match(await page.getByTestId('extracted').innerText(), /strict-match .* · flexible-extract /);
  await shoot(page, 'gsm8k-results-1280');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the Open LLM Leaderboard suite in the page (limit 2): six tasks one after another, a reload mid-suite continues it, the columns and average equal the CLI suite', async () => {
  const { page, errors } = await newcomer();
  await page.getByTestId('suite').selectOption('openllm-v1');
  assert.match(
    await page.getByTestId('suite-tasks').innerText(),
    /ARC-Challenge 25-shot · HellaSwag 10-shot · MMLU 5-shot/,
  );
  await page.getByTestId('limit').fill('2');
  // the time before it starts: each task's first questions timed in the worker, each task's size
  await page.getByTestId('measure-suite').click();
  await waitUntil(
    page,
    `document.querySelector('[data-testid=suite-estimate]')?.innerText.includes('GSM8K: ')`,
    undefined,
    {
      timeout: 180_000,
    },
  );
  const estimate = await page.getByTestId('suite-estimate').innerText();
  assert.match(estimate, /^Time: (about \d|\d).* of it MMLU/);
  const sizes = [
    ['ARC', 2],
    ['HellaSwag', 2],
    ['MMLU', 114],
    ['TruthfulQA', 2],
    ['Winogrande', 2],
    ['GSM8K', 2],
  ];
  assert.deepEqual(
    [...estimate.matchAll(/(\w+): ([\d,]+) questions/g)].map((m) => [m[1], Number(m[2]!.replace(/,/g, ''))]),
    sizes,
  );
  await shoot(page, 'suite-setup-1280');
  await page.getByTestId('start').click();
  // the second task (HellaSwag) runs: reload the page at its address
  await waitUntil(page, `/#\\/run\\/suite-[a-z0-9]+-1-/.test(location.hash)`, undefined, {
    timeout: 240_000,
    polling: 100,
  });
  const suiteId = /#\/run\/(suite-[a-z0-9]+)-1-/.exec(page.url())![1]!;
  await page.reload();
  await waitUntil(page, 'window.__pagebench !== undefined');
  await waitUntil(page, `location.hash === '#/suite/${suiteId}'`, undefined, { timeout: 600_000, polling: 500 });
  await page.getByTestId('suite-average').waitFor({ timeout: 60_000 });
  const shown = await page.getByTestId('suite-value').allInnerTexts();
  const cli = mkdtempSync(join(tmpdir(), 'pb-e2e-suite-'));
  const rows = writeBenchmarkFixtures();
  const tq = mkdtempSync(join(tmpdir(), 'pb-tq-'));
  cpSync(join(SHARED, 'truthfulqa', 'mc_task.json'), join(tq, 'mc_task.json'));
  const data = [
    `arc_challenge=${rows}`,
    `hellaswag=${rows}`,
    `mmlu=${join(SHARED, 'mmlu')}`,
    `truthfulqa_mc2=${tq}`,
    `winogrande=${rows}`,
    `gsm8k=${join(SHARED, 'gsm8k')}`,
  ].join(',');
  const r = runCli('suite', 'openllm-v1', '--model', STORIES, '--data', data, '--limit', '2', '--output-dir', cli);
  assert.equal(r.code, 0, r.stderr);
  // the CLI's estimate counts the same tasks
  assert.deepEqual(
    [...r.stderr.matchAll(/\n {2}(\w+) +(\d+) questions/g)].map((m) => [m[1], Number(m[2])]),
    sizes,
  );
  const summary = JSON.parse(readFileSync(join(cli, 'suite.json'), 'utf8')) as {
    columns: { value: number }[];
    average: number;
  };
  assert.deepEqual(
    shown.map((t) => t.split('\n')[0]),
    summary.columns.map((c) => c.value.toFixed(2)),
  );
  assert.match(
    await page.getByTestId('suite-average').innerText(),
    new RegExp(`^${summary.average.toFixed(2)} .*PARTIAL`),
  );
  await shoot(page, 'suite-1280');
  await page.setViewportSize({ width: 390, height: 800 });
  await shoot(page, 'suite-390');
  // the suite's link reopens it in a fresh profile: the same columns and average, the model named
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('link-text').inputValue();
  assert.match(link, /#\/share\/suite1\.[\w-]+$/);
  assert.ok(!link.includes('hub='), link);
  const other = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const otherErrors: string[] = [];
  other.on('pageerror', (e) => otherErrors.push(e.message));
  await other.goto(link.replace(/^http:\/\/[^/]+/, preview.url));
  await other.getByTestId('shared-suite').waitFor();
  assert.deepEqual(
    (await other.getByTestId('suite-value').allInnerTexts()).map((t) => t.split('\n')[0]),
    summary.columns.map((c) => c.value.toFixed(2)),
  );
  assert.match(await other.getByTestId('suite-average').innerText(), new RegExp(`^${summary.average.toFixed(2)} `));
  assert.equal(await other.getByTestId('shared-suite-model').innerText(), 'local-mirror/stories260K');
  await other.screenshot({ path: join(SHOTS_DIR, 'newcomer-suite-shared-1280.png'), fullPage: true });
  // a damaged link says so
  await other.goto(`${preview.url}/#/share/suite1.AAAA`);
  await other.getByTestId('share-error').waitFor();
  assert.match(await other.getByTestId('share-error').innerText(), /damaged|malformed/);
  assert.deepEqual(otherErrors, []);
  await other.context().close();
  // a second run of the suite (BOS never) beside the first: per column, with paired statistics
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  await page.getByTestId('suite').selectOption('openllm-v1');
  await page.getByTestId('bos').selectOption('never');
  await page.getByTestId('limit').fill('2');
  await page.getByTestId('start').click();
  await waitUntil(
    page,
    `/^#\\/suite\\/suite-/.test(location.hash) && location.hash !== '#/suite/${suiteId}'`,
    undefined,
    {
      timeout: 600_000,
      polling: 500,
    },
  );
  await page.getByTestId('suite-average').waitFor({ timeout: 60_000 });
  const second = (await page.getByTestId('suite-value').allInnerTexts()).map((t) => t.split('\n')[0]);
  await page.getByTestId('suite-against').selectOption(suiteId);
  await page.getByTestId('suite-compare').waitFor();
  const cmpRows = await page
    .getByTestId('suite-compare-row')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
  assert.equal(cmpRows.length, 6);
  cmpRows.forEach((r, i) => {
    assert.equal(r[1], second[i], `this: column ${i + 1}`);
    assert.equal(r[2], shown[i]!.split('\n')[0], `other: column ${i + 1}`);
    // (each shown to 2 decimals: their difference may round the other way)
    assert.ok(
      Math.abs(Number(r[3]) - (Number(r[2]) - Number(r[1]))) <= 0.011,
      `other − this: column ${i + 1}: ${r.join(' | ')}`,
    );
  });
  assert.match(cmpRows[3]![4]!, /no right\/wrong per question/, 'TruthfulQA mc2: no paired statistics');
  assert.match(cmpRows[0]![4]!, /n=\d+: /, 'ARC: paired over the questions both scored');
  assert.match(await page.getByTestId('suite-compare').innerText(), /not like for like/);
  await shoot(page, 'suite-compare-1280');
  // a reload between a task's end and the next task's start (the page went away before the next was
  // stored): made here by deleting the second suite's last task; the address of the task before it,
  // reloaded, continues the chain and the suite completes again
  const secondId = /#\/suite\/(suite-[a-z0-9]+)/.exec(page.url())![1]!;
  const [beforeLast, last] = (await page.evaluate(`(async () => {
    const db = await new Promise((res, rej) => { const r = indexedDB.open('pagebench'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const runs = await new Promise((res) => { const r = db.transaction('runs').objectStore('runs').getAll(); r.onsuccess = () => res(r.result); });
    const tasks = runs.filter((x) => x.suite && x.suite.id === '${secondId}').sort((a, b) => a.suite.index - b.suite.index);
    const last = tasks[tasks.length - 1];
    const tx = db.transaction(['runs', 'samples'], 'readwrite');
    tx.objectStore('runs').delete(last.id);
    const keys = await new Promise((res) => { const r = tx.objectStore('samples').index('byRun').getAllKeys(last.id); r.onsuccess = () => res(r.result); });
    for (const k of keys) tx.objectStore('samples').delete(k);
    await new Promise((res) => (tx.oncomplete = res));
    db.close();
    return [tasks[tasks.length - 2].id, last.id];
  })()`)) as [string, string];
  await page.goto(`${page.url().replace(/#.*$/, '')}#/run/${beforeLast}`);
  await page.reload();
  await waitUntil(page, `location.hash === '#/suite/${secondId}'`, undefined, { timeout: 300_000, polling: 500 });
  await page.getByTestId('suite-average').waitFor({ timeout: 60_000 });
  const again = (await dump(page)).runs.filter((x) => (x.suite as { id?: string } | undefined)?.id === secondId);
  assert.equal(again.length, 6, 'six tasks again');
  assert.ok(!again.some((x) => x.id === last) && again.every((x) => x.status === 'complete'));
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('ARC-Easy through the mirror (hub parquet listing); routes: reload at #/results/<id> shows that result, back and forward', async () => {
  const { page, errors } = await newcomer();
  await page.getByTestId('benchmark').selectOption('arc_easy');
  assert.equal(await page.getByTestId('template').inputValue(), 'arc');
  assert.equal(await page.getByTestId('split').inputValue(), 'test');
  await page.getByTestId('shots').selectOption('2');
  await page.getByTestId('limit').fill('4');
  await waitUntil(page, `document.querySelector('[data-testid=plan]')?.textContent.includes('4 questions')`);
  await runToEnd(page, () => page.getByTestId('start').click());
  const r = await latestRun(page);
  assert.equal(r.run.status, 'complete', String(r.run.error ?? ''));
  // the same prompts and log-likelihoods as the CLI on the same rows (shots drawn by lm-eval's sampler)
  const cli = cliRunArgs('--benchmark', 'arc_easy', '--data', writeBenchmarkFixtures(), '--shots', '2', '--limit', '4');
  const cliLls = new Map([...cli.samples].map(([k, s]) => [k, s.loglikelihoods as number[]]));
  assertMatchesCli(r.samples as DbSample[], cliLls, 'arc_easy 2-shot');
  const url = page.url();
  assert.match(url, new RegExp(`#/results/${r.run.id}$`));
  const headline = await page.getByTestId('headline').innerText();
  assert.match(headline, /acc_norm · 4 questions/);
  assert.match(await page.getByTestId('metrics').innerText(), /acc \d+\.\d%.*acc_norm/s);
  await shoot(page, 'arc-results-1280');

  // reload at the result's address: that result
  await page.goto(`${preview.url}/?hub=${encodeURIComponent(hub.url)}#/storage`);
  await waitUntil(page, 'window.__pagebench !== undefined');
  await page.getByTestId('storage-table').waitFor();
  await page.goto(url);
  await page.reload();
  await waitUntil(page, 'window.__pagebench !== undefined');
  await page.getByTestId('headline').waitFor();
  assert.equal(await page.getByTestId('headline').innerText(), headline);
  // back and forward between views
  await page.getByRole('navigation').getByRole('button', { name: 'Storage' }).click();
  assert.match(page.url(), /#\/storage$/);
  await page.goBack();
  await page.getByTestId('headline').waitFor();
  assert.match(page.url(), new RegExp(`#/results/${r.run.id}$`));
  await page.goForward();
  await page.getByTestId('storage-table').waitFor();

  // the same rows as a local folder (<config>/<split>.jsonl): checked, stored, and run with the same numbers
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  const fixtures = writeBenchmarkFixtures();
  const bad = join(mkdtempSync(join(tmpdir(), 'pb-arc-bad-')), 'arc');
  cpSync(join(fixtures, 'ARC-Easy'), join(bad, 'ARC-Easy'), { recursive: true });
  appendFileSync(
    join(bad, 'ARC-Easy/test.jsonl'),
    '{"id": "x", "question": "Q?", "choices": {"text": ["a", "b"], "label": ["A", "B"]}, "answerKey": "C"}\n',
  );
  await page.getByTestId('bench-folder').setInputFiles(bad);
  await waitUntil(
    page,
    `/ARC-Easy\\/test\\.jsonl row 7: answerKey "C" is not one of the labels A, B/.test(document.querySelector('[data-testid=problem]')?.textContent ?? '')`,
  );
  assert.equal(
    await page.locator('[data-testid=data-source] option[value=local]').isDisabled(),
    true,
    'nothing stored',
  );
  const good = join(mkdtempSync(join(tmpdir(), 'pb-arc-local-')), 'arc');
  cpSync(join(fixtures, 'ARC-Easy'), join(good, 'ARC-Easy'), { recursive: true });
  await page.getByTestId('bench-folder').setInputFiles(good);
  await page.getByTestId('message').waitFor();
  assert.equal(await page.getByTestId('data-source').inputValue(), 'local');
  await waitUntil(page, `document.querySelector('[data-testid=plan]')?.textContent.includes('4 questions')`);
  await runToEnd(page, () => page.getByTestId('start').click());
  const local = await latestRun(page);
  assert.equal(local.run.status, 'complete', String(local.run.error ?? ''));
  assert.equal((local.run.data as { source: string }).source, 'local');
  assertMatchesCli(local.samples as DbSample[], cliLls, 'arc_easy 2-shot from a local folder');
  await page.getByRole('navigation').getByRole('button', { name: 'Storage' }).click();
  await page.getByTestId('storage-table').waitFor();
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('Trusted Types are enforced in the page and its worker: an HTML string and a foreign script URL are refused', async () => {
  const { page } = await newcomer();
  const attempt = (code: string) => `(() => { try { ${code}; return 'allowed'; } catch (e) { return e.name; } })()`;
  // Only Svelte's policy creates HTML; the default policy refuses any other HTML string…
  assert.equal(await page.evaluate(attempt(`document.createElement('div').innerHTML = '<img src=x>'`)), 'TypeError');
  // …and admits script URLs of this site only (a foreign one fails in the policy, before any fetch).
  assert.equal(await page.evaluate(attempt(`new Worker('https://example.com/w.js')`)), 'TypeError');
  for (let i = 0; !page.workers().some((w) => w.url().includes('evalWorker')); i++) {
    assert.ok(i < 100, 'the evaluation worker starts');
    await new Promise((r) => setTimeout(r, 100));
  }
  const worker = page.workers().find((w) => w.url().includes('evalWorker'))!;
  assert.equal(await worker.evaluate(attempt(`new Worker('https://example.com/w.js')`)), 'TypeError');
  assert.equal(await worker.evaluate(attempt(`new Worker(new URL('./x.js', location.href))`)), 'allowed');
});
