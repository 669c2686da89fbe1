/**
 * The class against the model: the join and answer links (round trip, damage, another session or
 * quiz, a student counted twice) and the class's statistics beside the model's — expected values
 * recomputed by numpy from the same answers (test/support/class_stats.py).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuizTable } from '../../src/core/quiz/parseTable.ts';
import { quizDocKeys, quizHash } from '../../src/core/benchmarks/quiz/index.ts';
import { modelFromLink } from '../../src/core/classQuiz/modelFromLink.ts';
import { readSamples, runCli } from '../support/cli.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  admitAnswers,
  decodeAnswers,
  decodeSession,
  encodeAnswers,
  encodeSession,
  randomId,
  type AnswerSheet,
  type ClassSession,
} from '../../src/core/classQuiz/links.ts';
import { classStats, softmaxPick } from '../../src/core/classQuiz/classStats.ts';
import { REPO, STORIES } from '../support/paths.ts';

const TABLE = [
  'question\tA\tB\tC\tD\tanswer\tsubject',
  'Plants take in?\tOxygen\tCarbon dioxide\tNitrogen\tHelium\tB\tbiology',
  'Pumps blood?\tLiver\tLung\tHeart\t\tC\tbiology',
  '7 × 6?\t42\t36\t48\t\tA\tarithmetic',
  'A prime?\t21\t27\t29\t33\tC\tarithmetic',
  'Half of 10?\t2\t5\t\t\tB\tarithmetic',
].join('\n');
const quiz = parseQuizTable(TABLE, 'week3');
const session: ClassSession = { v: 1, session: randomId(), quiz, askSure: true, created: 1764900000000 };
const sheet = (nick: string, answers: number[], sure = answers.map(() => -1)): AnswerSheet => ({
  v: 1,
  session: session.session,
  quiz: quizHash(quiz),
  student: randomId(),
  nick,
  answers,
  sure,
});

describe('links', () => {
  test('the join link and an answer link round-trip, as a whole address too', () => {
    assert.deepEqual(decodeSession(`https://x.org/#/class/${encodeSession(session)}`), session);
    const a = sheet('Ada', [1, 2, 0, -1, 1], [2, 1, 0, -1, 2]);
    assert.deepEqual(decodeAnswers(`https://x.org/#/answers/${encodeAnswers(a)}`), a);
    assert.ok(encodeAnswers(a).length < 200, 'short enough for a small QR code');
  });

  test('admission: counted once, with reasons for everything refused', () => {
    const counted: AnswerSheet[] = [];
    const ada = sheet('Ada', [1, 2, 0, 2, 1]);
    const first = admitAnswers(session, counted, encodeAnswers(ada));
    assert.ok(first.ok);
    counted.push(first.sheet);
    const again = admitAnswers(session, counted, encodeAnswers(ada));
    assert.deepEqual(again, { ok: false, reason: 'Ada: already counted (the same link again)' });
    const changed = admitAnswers(session, counted, encodeAnswers({ ...ada, answers: [0, 0, 0, 0, 0] }));
    assert.match(
      changed.ok ? '' : changed.reason,
      /Ada already sent answers; this second, different link is not counted/,
    );
    const other = admitAnswers(
      session,
      counted,
      encodeAnswers({ ...sheet('Bo', [1, 2, 0, 2, 1]), session: randomId() }),
    );
    assert.match(other.ok ? '' : other.reason, /Bo's answer link is for another class quiz/);
    const otherQuiz = admitAnswers(
      session,
      counted,
      encodeAnswers({ ...sheet('Cy', [1, 2, 0, 2, 1]), quiz: '0'.repeat(16) }),
    );
    assert.match(otherQuiz.ok ? '' : otherQuiz.reason, /another class quiz/);
    const short = admitAnswers(session, counted, encodeAnswers(sheet('Di', [1, 2])));
    assert.match(short.ok ? '' : short.reason, /2 answers for 5 questions/);
    const range = admitAnswers(session, counted, encodeAnswers(sheet('Ed', [1, 2, 0, 2, 3])));
    assert.match(range.ok ? '' : range.reason, /question 5 does not have/);
    const cut = admitAnswers(session, counted, encodeAnswers(sheet('Fy', [1, 2, 0, 2, 1])).slice(0, -5));
    assert.match(cut.ok ? '' : cut.reason, /damaged/);
    assert.match(
      (admitAnswers(session, counted, encodeSession(session)) as { reason: string }).reason,
      /not a pagebench answer link/,
    );
    const late = admitAnswers(session, counted, encodeAnswers(sheet('Gus', [-1, -1, 0, -1, -1])));
    assert.deepEqual(late.ok ? late.note : '', 'Gus: 1 of 5 answered');
  });
});

test('class statistics equal numpy on the same answers', () => {
  const sheets = [sheet('Ada', [1, 2, 0, 2, 1]), sheet('Bo', [0, 2, 1, 2, -1]), sheet('Cy', [1, 0, 0, 3, 0])];
  const lls = [
    [-2.1, -1.3, -3.0, -2.2],
    [-1.0, -0.9, -1.4],
    [-0.5, -2.5, -1.7],
    [-1.9, -1.2, -2.8, -2.0],
    [-0.7, -0.8],
  ];
  const stats = classStats(quiz, sheets, lls.map(softmaxPick));
  const r = spawnSync('/usr/bin/python3', [join(REPO, 'test/support/class_stats.py')], {
    input: JSON.stringify({
      answers: quiz.questions.map((q) => q.answer),
      subjects: quiz.questions.map((q) => q.subject),
      sheets: sheets.map((s) => s.answers),
      lls,
    }),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const py = JSON.parse(r.stdout) as {
    counts: number[][];
    class_right: (number | null)[];
    class_accuracy: number;
    model_accuracy: number;
    probs: number[][];
    subjects: Record<string, [number, number]>;
  };
  assert.deepEqual(
    stats.questions.map((q) => q.counts),
    py.counts,
  );
  stats.questions.forEach((q, i) => {
    assert.ok(Math.abs((q.classRight ?? NaN) - py.class_right[i]!) < 1e-12);
    q.model!.probs!.forEach((p, j) => assert.ok(Math.abs(p - py.probs[i]![j]!) < 1e-12));
  });
  assert.ok(Math.abs(stats.classAccuracy! - py.class_accuracy) < 1e-12);
  assert.ok(Math.abs(stats.modelAccuracy! - py.model_accuracy) < 1e-12);
  for (const s of stats.subjects) {
    assert.ok(Math.abs(s.classAccuracy! - py.subjects[s.subject]![0]) < 1e-12, s.subject);
    assert.ok(Math.abs(s.modelAccuracy! - py.subjects[s.subject]![1]) < 1e-12, s.subject);
  }
  // who did better, question by question (class: most who answered were right; model: its pick is the answer):
  // Q2 and Q4 most of the class and not the model; Q5 half the class (not most) and not the model
  assert.deepEqual(
    stats.questions.map((q) => q.winner),
    ['both', 'class', 'both', 'class', 'neither'],
  );
});

test("the model's answers from a full result link of a CLI run of the quiz: its picks, matched by the data hash", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-classlink-'));
  const file = join(dir, 'week3.tsv');
  writeFileSync(file, TABLE);
  const run = runCli(
    'run',
    '--benchmark',
    'quiz',
    '--data',
    file,
    '--model',
    STORIES,
    '--output-dir',
    join(dir, 'out'),
  );
  assert.equal(run.code, 0, run.stderr);
  const share = runCli('share', join(dir, 'out'), '--full');
  assert.equal(share.code, 0, share.stderr);
  const link = share.stdout.trim().split('\n').at(-1)!;
  const got = await modelFromLink(link, quiz);
  assert.match(got.label, /stories260K \(fp32, from a link\)$/);
  const samples = readSamples(join(dir, 'out'));
  const keys = quizDocKeys(quiz);
  got.answers.forEach((a, i) => {
    assert.equal(a!.probs, null);
    assert.equal(a!.pick, samples.get(`${keys[i]!.subject}/${keys[i]!.docId}`)!.pred, `question ${i + 1}`);
  });
  const other = parseQuizTable(TABLE.replace('Half of 10?', 'Half of 12?'), 'week3');
  await assert.rejects(modelFromLink(link, other), /another benchmark or quiz, not of "week3"/);
  const summary = runCli('share', join(dir, 'out')).stdout.trim().split('\n').at(-1)!;
  await assert.rejects(modelFromLink(summary, quiz), /summary link carries no per-question picks/);
});
