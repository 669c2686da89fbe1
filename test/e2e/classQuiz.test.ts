/**
 * The class against the model, end to end in Chromium: the presenter makes a 5-question quiz, runs
 * stories260K on it, starts a class quiz; three students (one on a 390 px phone) join by its link,
 * answer and get answer links; two come back pasted and one as a QR image fed to the presenter's
 * scanner; a repeated link and one from another session are refused with reasons; the class-vs-model
 * table equals the answers given and the model's run (and its picks from the run's full result link);
 * a reload keeps the session; the reveal mode
 * shows a question's class answers only once revealed; a class quiz made of MMLU anatomy's first
 * questions. Screenshots: test-results/screenshots/class-*.png.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { quizHash } from '../../src/core/benchmarks/quiz/index.ts';
import { encodeAnswers, randomId } from '../../src/core/classQuiz/links.ts';
import { parseQuizTable } from '../../src/core/quiz/parseTable.ts';
import {
  configure,
  latestRun,
  runToEnd,
  saveQuizInPage,
  SHOTS_DIR,
  sideways,
  startMirroredApp,
  waitUntil,
  type MirroredApp,
} from '../support/browser.ts';

let env: MirroredApp;
before(async () => {
  env = await startMirroredApp(['anatomy']);
});
after(() => env?.close());

const TABLE = [
  'question\tA\tB\tC\tD\tanswer\tsubject',
  'What do plants take in from the air?\tOxygen\tCarbon dioxide\tNitrogen\tHelium\tB\tbiology',
  'Which organ pumps blood?\tLiver\tLung\tHeart\t\tC\tbiology',
  'What is 7 × 6?\t42\t36\t48\t\tA\tarithmetic',
  'Which is a prime number?\t21\t27\t29\t33\tC\tarithmetic',
  'What is half of 10?\t2\t5\t\t\tB\tarithmetic',
].join('\n');
const QUIZ = parseQuizTable(TABLE, 'week3');
const GOLD = QUIZ.questions.map((q) => q.answer);
// each student's picks (-1: skipped) and how sure they said they were
const STUDENTS = [
  { nick: 'Ada', answers: [1, 2, 0, 2, 1], sure: [2, 2, 1, -1, 0], phone: false },
  { nick: 'Bo', answers: [0, 2, 1, 2, -1], sure: [0, 1, -1, 2, -1], phone: true },
  { nick: 'Cy', answers: [1, 0, 0, 3, 0], sure: [-1, -1, -1, -1, -1], phone: false },
];

async function answerAs(browser: Browser, joinLink: string, s: (typeof STUDENTS)[number], i: number) {
  const ctx = await browser.newContext(
    s.phone
      ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
      : { viewport: { width: 1024, height: 768 } },
  );
  const page = await ctx.newPage();
  await page.goto(joinLink);
  await page.getByTestId('class-nick').fill(s.nick);
  await page.getByTestId('class-begin').click();
  for (let q = 0; q < s.answers.length; q++) {
    assert.match((await page.getByTestId('class-count').textContent())!, new RegExp(`Question ${q + 1} of 5`));
    if (s.answers[q]! >= 0) await page.getByTestId('class-choice').nth(s.answers[q]!).click();
    if (s.sure[q]! >= 0) await page.getByTestId('class-sure').nth(s.sure[q]!).click();
    if (s.phone && q === 0) {
      assert.equal(await sideways(page), 0, 'no sideways scroll on the phone');
      await page.screenshot({ path: join(SHOTS_DIR, 'class-student-phone.png'), fullPage: true });
    }
    // a reload mid-quiz keeps what was answered
    if (i === 0 && q === 2) {
      await page.reload();
      await page.getByTestId('class-count').waitFor();
      assert.match((await page.getByTestId('class-count').textContent())!, /Question 3 of 5/);
    }
    await page.getByTestId(q + 1 < s.answers.length ? 'class-next' : 'class-finish').click();
  }
  const link = await page.getByTestId('class-answer-link').inputValue();
  await page.getByTestId('class-answer-qr').waitFor();
  const qr = (await page.getByTestId('class-answer-qr').getAttribute('src'))!;
  if (s.phone) await page.screenshot({ path: join(SHOTS_DIR, 'class-student-done.png'), fullPage: true });
  await ctx.close();
  return { link, qrPng: Buffer.from(qr.replace(/^data:image\/png;base64,/, ''), 'base64') };
}

const receipts = (p: Page) => p.getByTestId('cq-receipts').locator('li').allTextContents();

test('class quiz: three students against the model, links and a QR image, refusals, reload, reveal', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(env.base);
  await waitUntil(page, 'window.__pagebench !== undefined');
  await saveQuizInPage(page, 'week3', TABLE);
  await page.getByTestId('quiz-summary').waitFor();
  await configure(page, { subjects: ['biology', 'arithmetic'], shots: 0, limit: 10 });
  await runToEnd(page, () => page.getByTestId('start').click());
  const { samples } = await latestRun(page);

  await page.getByRole('navigation').getByRole('button', { name: 'Classroom' }).click();
  await page.getByTestId('cq-quiz').selectOption(`quiz:${quizHash(QUIZ)}`);
  await page.getByTestId('cq-start').click();
  const joinLink = await page.getByTestId('cq-join-link').inputValue();
  assert.match(joinLink, /#\/class\/c1\./);

  const got = [];
  for (const [i, s] of STUDENTS.entries()) got.push(await answerAs(env.browser, joinLink, s, i));

  await page.getByTestId('cq-paste').fill(`${got[0]!.link}\n${got[1]!.link}`);
  await page.getByTestId('cq-add').click();
  const dir = mkdtempSync(join(tmpdir(), 'pb-class-'));
  writeFileSync(join(dir, 'cy.png'), got[2]!.qrPng);
  await page.getByTestId('cq-files').setInputFiles(join(dir, 'cy.png'));
  await waitUntil(page, `document.querySelectorAll('[data-testid=cq-receipts] li').length === 3`);
  assert.deepEqual(await receipts(page), [
    'counted — Ada: 5 of 5 answered',
    'counted — Bo: 4 of 5 answered',
    'counted — Cy: 5 of 5 answered',
  ]);
  // the same link again, and one from another session: refused with the reason, counted once
  const foreign = encodeAnswers({
    v: 1,
    session: randomId(),
    quiz: quizHash(QUIZ),
    student: randomId(),
    nick: 'Dee',
    answers: [1, 1, 1, 1, 1],
    sure: [-1, -1, -1, -1, -1],
  });
  await page.getByTestId('cq-paste').fill(`${got[0]!.link} ${foreign}`);
  await page.getByTestId('cq-add').click();
  const all = await receipts(page);
  assert.equal(all[3], 'Ada: already counted (the same link again)');
  assert.match(all[4]!, /^Dee's answer link is for another class quiz/);
  assert.match((await page.getByTestId('cq-count').textContent())!, /^3 students counted/);

  // class beside the model: each question's counts are the answers given, the model's probabilities its run's
  const check = async () => {
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=cq-questions] tbody tr')].map((r) => ({
        counts: JSON.parse(r.getAttribute('data-counts')!) as number[],
        probs: JSON.parse(r.getAttribute('data-probs') || 'null') as number[] | null,
      })),
    );
    assert.equal(rows.length, 5);
    rows.forEach((r, q) => {
      const want = QUIZ.questions[q]!.choices.map((_, c) => STUDENTS.filter((s) => s.answers[q] === c).length);
      assert.deepEqual(r.counts, want, `question ${q + 1}`);
      const subject = QUIZ.questions[q]!.subject;
      const docId = QUIZ.questions.slice(0, q).filter((x) => x.subject === subject).length;
      const lls = samples.find((s) => s.subject === subject && s.doc_id === docId)!.loglikelihoods;
      const m = Math.max(...lls);
      const z = lls.reduce((a, l) => a + Math.exp(l - m), 0);
      r.probs!.forEach((p, c) => assert.ok(Math.abs(p - Math.exp(lls[c]! - m) / z) < 1e-12, `q${q + 1} choice ${c}`));
    });
    const classAcc = STUDENTS.reduce((a, s) => a + s.answers.filter((x, q) => x === GOLD[q]).length / 5, 0) / 3;
    assert.match(
      (await page.getByTestId('cq-summary').textContent())!,
      new RegExp(`Class ${(classAcc * 100).toFixed(1)}% \\(3 students\\)`),
    );
  };
  await page.getByTestId('cq-model-run').waitFor();
  await waitUntil(page, `!!document.querySelector('[data-testid=cq-questions] tbody tr[data-probs^="["]')`);
  await check();
  await page.screenshot({ path: join(SHOTS_DIR, 'class-projector.png'), fullPage: true });

  // a reload keeps the session and its counted answers
  await page.reload();
  await waitUntil(page, `!!document.querySelector('[data-testid=cq-count]')`);
  assert.match((await page.getByTestId('cq-count').textContent())!, /^3 students counted/);
  await waitUntil(page, `!!document.querySelector('[data-testid=cq-questions] tbody tr[data-probs^="["]')`);
  await check();

  // the model's answers from a full result link of the run instead (someone else's device): its picks
  await page.getByRole('navigation').getByRole('button', { name: 'Results' }).click();
  await page.getByTestId('copy-full-link').first().click();
  await waitUntil(page, `document.querySelector('[data-testid=link-text]')?.value.includes('#/share/')`);
  const fullLink = await page.getByTestId('link-text').inputValue();
  await page.getByRole('navigation').getByRole('button', { name: 'Classroom' }).click();
  await page.getByTestId('cq-model-link').fill(fullLink);
  await page.getByTestId('cq-model-link-use').click();
  await waitUntil(
    page,
    `[...document.querySelectorAll('[data-testid=cq-questions] tbody tr')].every((r) => r.getAttribute('data-pick') !== '' && !r.getAttribute('data-probs'))`,
  );
  const picks = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=cq-questions] tbody tr')].map((r) =>
      Number(r.getAttribute('data-pick')),
    ),
  );
  picks.forEach((pick, q) => {
    const subject = QUIZ.questions[q]!.subject;
    const docId = QUIZ.questions.slice(0, q).filter((x) => x.subject === subject).length;
    const lls = samples.find((s) => s.subject === subject && s.doc_id === docId)!.loglikelihoods;
    assert.equal(pick, lls.indexOf(Math.max(...lls)), `question ${q + 1}: the link's pick is the run's`);
  });
  assert.match((await page.getByTestId('cq-summary').textContent())!, /from a link/);

  // question by question: the class's answers appear only once revealed
  await page.getByTestId('cq-reveal-mode').click();
  assert.equal(await page.getByTestId('cq-reveal-count').count(), 0);
  await page.getByTestId('cq-reveal').click();
  assert.deepEqual(
    (await page.getByTestId('cq-reveal-count').allTextContents()).map((t) => Number(t.trim())),
    [1, 2, 0, 0],
  );
  await page.screenshot({ path: join(SHOTS_DIR, 'class-reveal.png') });
  await page.getByTestId('cq-next').click();
  assert.equal(await page.getByTestId('cq-reveal-count').count(), 0);

  // a class quiz from a benchmark subset: the first questions of MMLU anatomy (from the mirror) as a quiz
  await page.getByTestId('cq-reveal-mode').click();
  await page.getByTestId('cq-end').click();
  await page.getByRole('navigation').getByRole('button', { name: 'New run' }).click();
  await page.getByTestId('benchmark').selectOption('mmlu');
  await page.getByTestId('limit').fill('3');
  await page.getByRole('navigation').getByRole('button', { name: 'Classroom' }).click();
  await page.getByTestId('cq-from-setup').click();
  await waitUntil(
    page,
    `document.querySelector('[data-testid=cq-quiz]')?.selectedOptions[0]?.textContent.startsWith('MMLU: Anatomy')`,
    undefined,
    { timeout: 60_000 },
  );
  assert.equal(
    (await page.getByTestId('cq-quiz').locator('option:checked').textContent())!.trim(),
    'MMLU: Anatomy (3 questions)',
  );
  await page.close();
});
