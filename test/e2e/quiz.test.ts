/**
 * A teacher's own quiz in the app (Chromium): pasted with one malformed row it is refused naming the
 * row and column and nothing is kept; fixed, it is saved in IndexedDB, run on stories260K (WASM)
 * with the same log-likelihoods as `pagebench run --benchmark quiz` on the same table (within
 * 1e-4), and its quiz link opens the same quiz in a fresh browser context. Screenshot:
 * test-results/screenshots/quiz-setup.png.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  configure,
  saveQuizInPage,
  latestRun,
  runToEnd,
  SHOTS_DIR,
  startMirroredApp,
  waitUntil,
  type MirroredApp,
} from '../support/browser.ts';
import { readSamples, runCli } from '../support/cli.ts';
import { STORIES } from '../support/paths.ts';

let env: MirroredApp;
before(async () => {
  env = await startMirroredApp(['anatomy']);
});
after(() => env?.close());

const HEADER = 'Question\tA\tB\tC\tD\tAnswer\tSubject';
const ROWS = [
  'What do plants take in from the air?\tOxygen\tCarbon dioxide\tNitrogen\tHelium\tB\tbiology',
  'Which organ pumps blood?\tLiver\tLung\tHeart\t\tHeart\tbiology',
  'What is 7 × 6?\t42\t36\t48\t\ta\tarithmetic',
  'Which is a prime number?\t21\t27\t29\t33\tC\tarithmetic',
  'What is half of 10?\t2\t5\t\t\tB\tarithmetic',
];
const BAD_ROW = 'Which is a prime number?\t21\t27\t29\t33\tE\tarithmetic';

test("a teacher's quiz: refused naming the bad row, fixed, run in the page = the CLI, and its link opens elsewhere", async () => {
  const page = await env.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(env.base);
  await waitUntil(page, 'window.__pagebench !== undefined');
  await saveQuizInPage(page, 'week3', [HEADER, ...ROWS.slice(0, 3), BAD_ROW, ROWS[4]].join('\n'));
  const problem = (await page.getByTestId('quiz-problem').textContent())!;
  assert.match(
    problem,
    /row 5, column "Answer": "E" is neither a letter of the 4 choices \(A–D\) nor one of their texts/,
  );
  assert.match(problem, /nothing was imported/);
  assert.equal(await page.locator('[data-testid=benchmark] option', { hasText: 'Quiz:' }).count(), 0, 'nothing kept');

  await page.getByTestId('quiz-table').fill([HEADER, ...ROWS].join('\n'));
  await page.getByTestId('quiz-save').click();
  await page.getByTestId('quiz-summary').waitFor();
  assert.match((await page.getByTestId('quiz-summary').textContent())!, /week3: 5 questions · biology, arithmetic/);
  const quizId = await page.getByTestId('benchmark').inputValue();
  assert.match(quizId, /^quiz:[0-9a-f]{16}$/);
  const link = await page.getByTestId('quiz-link').inputValue();
  await page.screenshot({ path: join(SHOTS_DIR, 'quiz-setup.png'), fullPage: true });

  await configure(page, { subjects: ['biology', 'arithmetic'], shots: 0, limit: 10 });
  await runToEnd(page, () => page.getByTestId('start').click());
  const { run, samples } = await latestRun(page);
  assert.equal(run.status, 'complete', String(run.error ?? ''));
  assert.equal((run.settings as { benchmark: string }).benchmark, quizId);
  assert.equal(samples.length, 5);
  // the result names the quiz as the CLI's does
  await page.getByRole('navigation').getByRole('button', { name: 'Results' }).click();
  await page.getByTestId('facts').waitFor();
  await page.screenshot({ path: join(SHOTS_DIR, 'quiz-results.png'), fullPage: true });

  // the CLI on the same table (its title is the file's name): the same quiz, the same numbers
  const dir = mkdtempSync(join(tmpdir(), 'pb-quiz-e2e-'));
  const file = join(dir, 'week3.tsv');
  writeFileSync(file, [HEADER, ...ROWS].join('\n'));
  const r = runCli('run', '--benchmark', 'quiz', '--data', file, '--model', STORIES, '--output-dir', join(dir, 'out'));
  assert.equal(r.code, 0, r.stderr);
  const cli = readSamples(join(dir, 'out'));
  let worst = 0;
  for (const s of samples) {
    const c = cli.get(`${s.subject}/${s.doc_id}`)!.loglikelihoods as number[];
    s.loglikelihoods.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - c[i]!))));
  }
  assert.ok(worst < 1e-4, `largest |page − CLI| = ${worst}`);
  await page.close();

  // the quiz link in a fresh context (another browser, a colleague): the same quiz, kept there and selected
  const ctx = await env.browser.newContext();
  const other = await ctx.newPage();
  await other.goto(`${env.base}${link.slice(link.indexOf('#'))}`);
  assert.match((await other.getByTestId('quiz-opened').textContent())!, /week3: 5 questions · biology, arithmetic/);
  await other.getByTestId('quiz-keep').click();
  await other.getByTestId('quiz-summary').waitFor();
  assert.equal(await other.getByTestId('benchmark').inputValue(), quizId, 'the same content, the same quiz');
  // a changed link is refused with the reason
  await other.goto(`${env.base}${link.slice(link.indexOf('#')).slice(0, -8)}`);
  assert.match((await other.getByTestId('quiz-link-problem').textContent())!, /damaged/);
  await ctx.close();
});
