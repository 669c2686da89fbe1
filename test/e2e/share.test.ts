/**
 * Share links, comparison and the classroom in a real browser (Debian's chromium, the production
 * build, a local mirror of the hub on 127.0.0.1): a link reopened in a fresh context with empty
 * storage, a run split over three browser contexts and merged, the compare view against
 * lm-evaluation-harness' own results file, and mutated links through the shared view.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildPayload, encodePayload } from '../../src/core/share/payload.ts';
import { LM_EVAL_RESULTS } from '../fixtures/lmEvalResults.ts';
import { fuzzLinks } from '../support/fuzzLinks.ts';
import { runCli } from '../support/cli.ts';
import { readShownQr } from '../support/qr.ts';
import { STORIES } from '../support/paths.ts';
import {
  clippedLabels,
  cliRun,
  configure,
  runToEnd,
  sideways,
  SHOTS_DIR,
  startMirroredApp,
  waitUntil,
  type MirroredApp,
} from '../support/browser.ts';

const SUBJECTS = ['anatomy', 'astronomy'];
let env: MirroredApp;
let browser: Browser;
const pageErrors: string[] = [];

before(async () => {
  env = await startMirroredApp(SUBJECTS);
  browser = env.browser;
});

after(async () => {
  await env?.close();
  assert.deepEqual(pageErrors, [], 'no uncaught exception in any page');
});

const base = () => env.base;
/** A link opened by a receiver whose page is set to the mirror (?hub= before the route). */
const withHub = (link: string) => link.replace(/(\?[^#]*)?#/, `?hub=${encodeURIComponent(env.hub.url)}#`);

async function open(width = 1280, url = base()): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => {
    pageErrors.push(`a dialog opened: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  await waitUntil(page, 'window.__pagebench !== undefined');
  return { context, page };
}

/** The link a share panel shows after "Copy link" / "Copy full link". */
async function linkFrom(page: Page, which: 'copy-link' | 'copy-full-link'): Promise<string> {
  await page.getByTestId(which).first().click();
  return page.getByTestId('link-text').first().inputValue();
}

async function downloadJson(page: Page, testid: string): Promise<Record<string, unknown>> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return JSON.parse(readFileSync((await dl.path())!, 'utf8'));
}

const withoutMark = (r: Record<string, unknown>) => {
  const config = { ...(r.config as Record<string, unknown>) };
  delete config.shared_link;
  return { ...r, config };
};

let summaryLink = '';

test('a result reopens from its summary and full links in a fresh context with empty storage: identical numbers and picks', async () => {
  const { context, page } = await open();
  await configure(page, { subjects: SUBJECTS, shots: 0, limit: 8 });
  await runToEnd(page, () => page.getByTestId('start').click());
  await page.getByTestId('share-panel').waitFor();
  const results = await downloadJson(page, 'download-results');
  summaryLink = await linkFrom(page, 'copy-link');
  const fullLink = await linkFrom(page, 'copy-full-link');
  assert.match(summaryLink, /#\/share\/v1\.[\w-]+$/);
  // The sender's hub is a mirror on 127.0.0.1: the links leave it out and the panel says so.
  assert.ok(!summaryLink.includes('hub=') && !fullLink.includes('hub='), summaryLink);
  assert.match(await page.getByTestId('link-drops-hub').first().innerText(), /only this machine reaches/);
  const firstPick = (await page.getByTestId('choices').locator('tr.pred td').first().textContent())!;
  await context.close();

  const fresh = await open();
  const hubRequests: string[] = [];
  fresh.page.on('request', (r) => {
    if (r.url().startsWith(env.hub.url)) hubRequests.push(r.url());
  });
  // The receiver here sets its own hub (the same mirror: this machine is also the receiver's).
  await fresh.page.goto(withHub(summaryLink));
  await fresh.page.getByTestId('shared-view').waitFor();
  const reopened = await downloadJson(fresh.page, 'shared-download');
  assert.deepEqual(withoutMark(reopened), results);
  assert.deepEqual((reopened.config as Record<string, unknown>).shared_link, { version: 1, kind: 'summary' });
  await fresh.page.goto(withHub(fullLink));
  await fresh.page.getByTestId('shared-view').waitFor();
  assert.deepEqual(withoutMark(await downloadJson(fresh.page, 'shared-download')), results);
  assert.deepEqual(hubRequests, [], 'opening a link downloads nothing');
  await fresh.page.getByTestId('show-questions').click();
  await fresh.page.getByTestId('shared-prompt').waitFor({ timeout: 60_000 });
  assert.equal(
    (await fresh.page.getByTestId('shared-choices').locator('tr.pred td').first().textContent())!,
    firstPick,
  );
  await fresh.page.getByTestId('show-qr').first().click();
  await fresh.page.getByTestId('qr').waitFor();
  // The QR code reads back as the summary link (the receiver's page leaves out its 127.0.0.1 hub too).
  assert.equal(await readShownQr(fresh.page.getByTestId('qr')), summaryLink);
  await fresh.page.screenshot({ path: join(SHOTS_DIR, 'share-1280.png'), fullPage: true });
  // "Run this yourself": the setup form takes the shared run's setup.
  await fresh.page.getByTestId('run-yourself').click();
  // The mirror's model list offers test-org/stories260K, so it is chosen in the picker itself.
  await fresh.page.getByTestId('limit').waitFor();
  assert.equal(await fresh.page.getByTestId('model-select').inputValue(), 'test-org/stories260K');
  assert.equal(await fresh.page.getByTestId('limit').inputValue(), '8');
  assert.deepEqual(
    await fresh.page
      .getByTestId('subjects')
      .evaluate((el) => [...(el as HTMLSelectElement).selectedOptions].map((o) => o.value)),
    SUBJECTS,
  );
  await fresh.context.close();
  const narrow = await open(390, withHub(summaryLink));
  await narrow.page.getByTestId('shared-view').waitFor();
  await narrow.page.screenshot({ path: join(SHOTS_DIR, 'share-390.png'), fullPage: true });
  await narrow.context.close();
});

test('classroom: a run split into 3 parts on 3 browser contexts and merged equals one run, numbers exactly', async () => {
  const presenter = await open();
  const P = presenter.page;
  await configure(P, { subjects: SUBJECTS, shots: 1, limit: 9 });
  await P.getByRole('navigation').getByRole('button', { name: 'Classroom' }).click();
  await P.getByTestId('parts').fill('3');
  await P.getByTestId('start-session').click();
  const joinLink = await P.getByTestId('join-link').inputValue();
  assert.match(joinLink, /#\/join\/j1\.[\w-]+$/);
  await P.getByTestId('join-qr').waitFor();
  await P.screenshot({ path: join(SHOTS_DIR, 'present-1280.png'), fullPage: true });

  // Every QR code the presenter draws reads back (a real decoder on the pixels as shown) as its link:
  // the join code, and one code per part that assigns the part.
  assert.equal(await readShownQr(P.getByTestId('join-qr')), joinLink);
  await P.getByTestId('part-links').locator('summary').click();
  const partQrs = P.getByTestId('part-qr');
  await waitUntil(P, `document.querySelectorAll('[data-testid=part-qr]').length === 3`);
  for (const i of [1, 2, 3]) assert.equal(await readShownQr(partQrs.nth(i - 1)), `${joinLink}/part/${i}`);

  const links: string[] = [];
  for (const i of [1, 2, 3]) {
    // Part 1 picks its number from the plain join link; parts 2 and 3 come with theirs.
    const student = await open(i === 2 ? 390 : 1280, i === 1 ? joinLink : `${joinLink}/part/${i}`);
    if (i === 1) await student.page.getByTestId('part-number').selectOption(String(i));
    else {
      assert.equal(await student.page.getByTestId('assigned-part').innerText(), `You are part ${i} of 3`);
      assert.equal(await student.page.getByTestId('part-number').count(), 0, 'an assigned part cannot be changed');
    }
    if (i === 2) await student.page.screenshot({ path: join(SHOTS_DIR, 'join-390.png'), fullPage: true });
    await runToEnd(student.page, () => student.page.getByTestId('run-part').click());
    await student.page.getByTestId('share-panel').waitFor();
    links.push(await linkFrom(student.page, 'copy-link'));
    // "Show this to your teacher", large, with a QR code that reads as the part's link (on a phone for part 2).
    assert.match(
      await student.page.getByTestId('hand-in').innerText(),
      new RegExp(`Show this to your teacher: part ${i} of 3`),
    );
    assert.equal(await readShownQr(student.page.getByTestId('hand-in-qr')), links.at(-1));
    if (i === 2) await student.page.screenshot({ path: join(SHOTS_DIR, 'hand-in-390.png'), fullPage: true });
    if (i === 1) {
      // Part 1 scores anatomy's first 6 questions only: its explorer offers only what it scored.
      await student.page.getByRole('navigation').getByRole('button', { name: 'Results' }).click();
      const subjects = student.page.locator('select[aria-label=Subject] option');
      await subjects.first().waitFor({ state: 'attached' });
      const offered = await subjects.allTextContents();
      assert.equal(offered.length, 1, offered.join(', '));
      assert.match(offered[0]!, /^Anatomy/);
    }
    await student.context.close();
  }
  // Parts arrive one by one; a part given twice and a result that is not a part are refused.
  await P.getByTestId('paste-links').fill(links[0]!);
  await P.getByTestId('add-links').click();
  await P.getByTestId('merged').waitFor();
  assert.match((await P.getByTestId('missing').textContent())!, /Waiting for parts 2, 3/);
  await P.getByTestId('paste-links').fill(`${links[0]!}\n${summaryLink}`);
  await P.getByTestId('add-links').click();
  const refused = (await P.getByTestId('refused').textContent())!;
  assert.match(refused, /part 1\/3 is given twice/);
  assert.match(refused, /not a part of a classroom run/);
  await P.getByTestId('paste-links').fill(`${links[2]!} ${links[1]!}`);
  await P.getByTestId('add-links').click();
  await waitUntil(P, `document.querySelector('[data-testid=missing]')?.textContent.includes('All 3 parts')`);
  // With every part in, the earlier refusals are no longer shown as alarms.
  assert.equal(await P.getByTestId('refused').evaluate((e) => e.classList.contains('settled')), true);
  assert.notEqual(
    await P.getByTestId('refused').evaluate((e) => getComputedStyle(e).color),
    'rgb(201, 42, 42)',
    'not in the error red',
  );
  await P.screenshot({ path: join(SHOTS_DIR, 'present-merged-1280.png'), fullPage: true });
  const merged = await downloadJson(P, 'merged-download');
  const single = cliRun(SUBJECTS, 1, 9).results as Record<string, unknown>;
  assert.deepEqual(merged.results, single.results);
  assert.deepEqual(merged.groups, single.groups);
  assert.deepEqual(merged['n-samples'], single['n-samples']);
  const cfg = merged.config as {
    parts: { index: number; environment: Record<string, unknown> }[];
    environment_differs: string[];
  };
  assert.deepEqual(
    cfg.parts.map((p) => p.index),
    [1, 2, 3],
  );
  assert.equal(cfg.parts[0]!.environment.device, 'wasm');
  // The session survives a reload of the presenter's page.
  await P.reload();
  await waitUntil(P, 'window.__pagebench !== undefined');
  await P.getByRole('navigation').getByRole('button', { name: 'Classroom' }).click();
  await waitUntil(P, `document.querySelector('[data-testid=missing]')?.textContent.includes('All 3 parts')`);
  await P.setViewportSize({ width: 390, height: 900 });
  await P.screenshot({ path: join(SHOTS_DIR, 'present-390.png'), fullPage: true });
  await presenter.context.close();
});

test("compare view: a pagebench run against lm-evaluation-harness' results.json shows both files' numbers", async () => {
  const mine = cliRun(SUBJECTS, 0, 8);
  const dir = mkdtempSync(join(tmpdir(), 'pb-cmp-files-'));
  const ours = join(dir, 'pagebench-results.json');
  const theirs = join(dir, 'lm-eval-results.json');
  writeFileSync(ours, JSON.stringify(mine.results));
  writeFileSync(theirs, JSON.stringify(LM_EVAL_RESULTS));
  for (const width of [1280, 390]) {
    const { context, page } = await open(width);
    await page.getByRole('navigation').getByRole('button', { name: 'Compare' }).click();
    await page.getByTestId('compare-files').setInputFiles([ours, theirs]);
    await page.getByTestId('compare-table').waitFor();
    const row = page.getByTestId('compare-table').locator('tr', { hasText: 'anatomy' }).first();
    const text = (await row.textContent())!;
    const acc = (mine.results as { results: Record<string, Record<string, number>> }).results.mmlu_anatomy![
      'acc,none'
    ]!;
    assert.ok(text.includes(`${(100 * acc).toFixed(1)}%`), text);
    assert.ok(text.includes('45.2% ± 8.4%'), text);
    const warnings = await page.getByTestId('compare-warning').allTextContents();
    assert.ok(
      warnings.some((w) => /different numbers of questions/.test(w)),
      warnings.join('\n'),
    );
    assert.ok(warnings.some((w) => /lm-evaluation-harness/.test(w)));
    await page.screenshot({ path: join(SHOTS_DIR, `compare-${width}.png`), fullPage: true });
    await context.close();
  }
});

test('compare: runs that share no question get no coloured difference; a run is not added twice; the list survives leaving the tab; a phone does not scroll sideways', async () => {
  const { context, page } = await open();
  await configure(page, { subjects: ['anatomy'], shots: 0, limit: 4 });
  await runToEnd(page, () => page.getByTestId('start').click());
  await configure(page, { subjects: ['astronomy'], shots: 1, limit: 4 });
  await runToEnd(page, () => page.getByTestId('start').click());
  // A CLI result with a model folder's long path, to see it wrap on a phone.
  const cli = cliRun(['anatomy'], 0, 4);
  await page.getByRole('navigation').getByRole('button', { name: 'Compare' }).click();
  const runs = await page
    .getByTestId('compare-run')
    .locator('option')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
  assert.equal(runs.length, 2);
  for (const id of [...runs, runs[0]!]) await page.getByTestId('compare-run').selectOption(id);
  await page.getByTestId('compare-table').waitFor();
  assert.equal(await page.getByTestId('compare-sides').locator('li').count(), 2, 'the same run is not added twice');
  assert.match(await page.getByTestId('compare-problems').innerText(), /is already in the list/);
  // The MMLU group is in both: its B − A is shown grey and said not to be a finding.
  assert.match(
    await page.getByTestId('compare-verdict').innerText(),
    /is not a like-for-like difference: no question in common; different few-shot counts, data \(questions\)/,
  );
  const diffs = page.getByTestId('compare-table').locator('td.diff');
  assert.ok((await diffs.count()) > 0);
  assert.equal(await page.getByTestId('compare-table').locator('td.up, td.down').count(), 0, 'nothing coloured');
  assert.equal(await diffs.first().evaluate((e) => e.classList.contains('unlike')), true);
  // Leaving the tab and coming back keeps the list.
  await page.getByRole('navigation').getByRole('button', { name: 'Results' }).click();
  await page.getByRole('navigation').getByRole('button', { name: 'Compare' }).click();
  assert.equal(await page.getByTestId('compare-sides').locator('li').count(), 2, 'the list is kept');
  const file = join(mkdtempSync(join(tmpdir(), 'pb-cmp-long-')), 'results.json');
  writeFileSync(file, JSON.stringify(cli.results));
  await page.getByTestId('compare-files').setInputFiles(file);
  await waitUntil(page, `document.querySelectorAll('[data-testid=compare-sides] li').length === 3`);
  await page.waitForTimeout(300);
  assert.deepEqual(await clippedLabels(page, '[data-testid=compare-chart]'), [], 'chart labels cut at 1280 px');
  await page.screenshot({ path: join(SHOTS_DIR, 'compare-unlike-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(500);
  assert.equal(await sideways(page), 0, 'Compare scrolls sideways at 390 px');
  assert.deepEqual(await clippedLabels(page, '[data-testid=compare-chart]'), [], 'chart labels cut at 390 px');
  // The table fits: its last column (C − A) is inside the screen.
  const last = await page
    .getByTestId('compare-table')
    .locator('thead th')
    .last()
    .evaluate((e) => e.getBoundingClientRect().right);
  assert.ok(last <= 390, `the last column ends at ${last} px`);
  await page.screenshot({ path: join(SHOTS_DIR, 'compare-unlike-390.png'), fullPage: true });
  await context.close();
});

test("a CLI result from a model folder: its link shows the folder's name, not the sender's path, and says how to run it", async () => {
  const { dir } = cliRun(['anatomy'], 0, 4);
  const link = runCli('share', dir).stdout.trim();
  const payload = link.slice(link.indexOf('#/share/') + 8);
  const { context, page } = await open(1280, `${base()}#/share/${payload}`);
  await page.getByTestId('shared-view').waitFor();
  const model = await page.getByTestId('shared-model').innerText();
  assert.match(model, /^stories260K \(a model folder on the sender's device, not on a hub\)$/);
  assert.ok(!(await page.locator('main').innerText()).includes(STORIES), 'no file-system path shown');
  assert.match(await page.getByTestId('local-model-note').innerText(), /cannot download it/);
  await page.getByTestId('run-yourself').click();
  await page.getByTestId('limit').waitFor();
  assert.equal(await page.getByTestId('limit').inputValue(), '4');
  assert.equal(await page.getByTestId('problem').count(), 0, 'no "is not a hub model id" problem');
  assert.ok(!(await page.locator('main').innerText()).includes(STORIES), 'no file-system path shown');
  assert.notEqual(await page.getByTestId('model-select').inputValue(), 'custom', 'the model choice is left as it was');
  await context.close();
});

test('10,000 mutated and hostile links through the shared view: each renders or shows the error, no script runs', async () => {
  const { context, page } = await open();
  const good = summaryLink.slice(summaryLink.indexOf('#/share/') + 8);
  const mine = cliRun(SUBJECTS, 0, 8);
  const hostile = buildPayload(mine.results as never);
  hostile.config.model = '<img src=x onerror=alert(1)><script>alert(2)</script>';
  hostile.config.model_source = 'hub'; // shown in full (a local folder shows only its last name)
  hostile.config.data = '{@html "<b>x</b>"}';
  const cases = [
    encodePayload(hostile),
    'v1.',
    'v9.' + good.slice(3),
    good.slice(0, 50),
    ...Array.from({ length: 40 }, (_, i) => {
      const s = good.split('');
      s[3 + ((i * 7919) % (s.length - 3))] = 'ABCxyz019-_'[i % 11]!;
      return s.join('');
    }),
  ];
  for (const c of cases) {
    await page.goto(`${base()}#/share/${c}`);
    await waitUntil(page, `!!document.querySelector('[data-testid=shared-view], [data-testid=share-error]')`);
  }
  await page.goto(`${base()}#/share/${encodePayload(hostile)}`);
  await page.getByTestId('shared-view').waitFor();
  const facts = (await page.getByTestId('shared-facts').textContent())!;
  assert.ok(facts.includes('<img src=x onerror=alert(1)><script>alert(2)</script>'), 'shown as text');
  assert.equal(await page.locator('[data-testid=shared-view] img[src=x], [data-testid=shared-view] script').count(), 0);
  // The same 10,000 random and mutated links as the unit fuzz, through the page's view: each must
  // render the shared result or show the error, with no uncaught exception (checked in after()).
  const links = fuzzLinks(buildPayload(mine.results as never, [...mine.samples.values()] as never), 10_000);
  await page.evaluate((all) => Object.assign(window, { fuzzLinks: all }), links);
  // A string, so the TypeScript transpiler adds no helpers to code that runs in the page.
  const outcome = (await page.evaluate(`(async () => {
    const counts = { rendered: 0, refused: 0, neither: 0, examples: [] };
    for (const link of window.fuzzLinks) {
      location.hash = '#/share/' + link;
      // The address as the browser keeps it (it percent-encodes some characters), which the view reads.
      const shown = location.hash.length - '#/share/'.length;
      let el = null;
      for (let k = 0; k < 100 && !el; k++) {
        await new Promise((r) => setTimeout(r, 0));
        el = document.querySelector('[data-link-length="' + shown + '"]');
      }
      const id = el && el.getAttribute('data-testid');
      if (id === 'shared-view') counts.rendered++;
      else if (id === 'share-error') counts.refused++;
      else if (counts.neither++ < 3) counts.examples.push(JSON.stringify(link.slice(0, 80)));
    }
    return counts;
  })()`)) as { rendered: number; refused: number; neither: number };
  assert.equal(outcome.neither, 0, JSON.stringify(outcome));
  assert.equal(outcome.rendered + outcome.refused, 10_000);
  assert.ok(outcome.rendered > 300 && outcome.refused > 5000, JSON.stringify(outcome));
  await page.goto(`${base()}#/share/v9.abc`);
  assert.match((await page.getByTestId('share-error').textContent())!, /format v9; this pagebench reads v1/);
  await page.screenshot({ path: join(SHOTS_DIR, 'share-error-1280.png') });
  await context.close();
});

test('generation in the page: helm by generation with decoding settings, recorded in config.generation and equal to the CLI', async () => {
  const { context, page } = await open();
  await configure(page, { subjects: ['anatomy'], shots: 1, limit: 6 });
  await page.getByTestId('scoring').selectOption('generate');
  await page.getByTestId('gen-template').selectOption('helm');
  await page.getByTestId('max-new-tokens').fill('3');
  await page.screenshot({ path: join(SHOTS_DIR, 'generation-setup-1280.png'), fullPage: true });
  await runToEnd(page, () => page.getByTestId('start').click());
  await page.getByTestId('share-panel').waitFor();
  const greedy = await downloadJson(page, 'download-results');
  const cfg = greedy.config as Record<string, unknown>;
  assert.equal(cfg.template, 'helm');
  assert.deepEqual(cfg.generation, { max_new_tokens: 3, stop: [], temperature: 0, top_k: 0, top_p: 1, seed: 0 });
  const cli = cliRun(['anatomy'], 1, 6, '--template', 'helm', '--max-new-tokens', '3');
  assert.deepEqual(greedy.results, cli.results.results);
  await configure(page, { subjects: ['anatomy'], shots: 1, limit: 6 });
  await page.getByTestId('stop').fill('\\n\\n,Answer');
  await page.getByTestId('temperature').fill('0.7');
  await page.getByTestId('top-k').fill('20');
  await page.getByTestId('seed').fill('3');
  await runToEnd(page, () => page.getByTestId('start').click());
  await page.getByTestId('share-panel').waitFor();
  const sampled = (await downloadJson(page, 'download-results')).config as Record<string, unknown>;
  assert.deepEqual(sampled.generation, {
    max_new_tokens: 3,
    stop: ['\n\n', 'Answer'],
    temperature: 0.7,
    top_k: 20,
    top_p: 1,
    seed: 3,
  });
  await context.close();
});
