/**
 * A teacher's quiz: the pasted table (a spreadsheet's tab-separated copy, or CSV) checked row by
 * row, the quiz link, and the quiz run by the CLI — on real MMLU anatomy rows (read from ../shared
 * at test time) its prompts and log-likelihoods equal MMLU's own run of the same questions.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Papa from 'papaparse';
import { parseQuizTable } from '../../src/core/quiz/parseTable.ts';
import { QuizError, type Quiz } from '../../src/core/quiz/quiz.ts';
import { decodeQuiz, encodeQuiz, MAX_LINK_CHARS } from '../../src/core/quiz/quizLink.ts';
import { quizHash } from '../../src/core/benchmarks/quiz/index.ts';
import { readSamples, runCli } from '../support/cli.ts';
import { loadRunData } from '../../src/core/session.ts';
import { dataSources } from '../../src/node/dataArg.ts';
import { getBenchmark } from '../../src/core/benchmarks/registry.ts';
import { quizOfDocs } from '../../src/core/quiz/fromBenchmark.ts';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';

function problemOf(f: () => unknown): QuizError {
  try {
    f();
  } catch (e) {
    if (e instanceof QuizError) return e;
    throw e;
  }
  assert.fail('expected a QuizError');
}

describe('the pasted table', () => {
  test("a spreadsheet's tab-separated copy: letters in any case, the answer's text, 2 to 5 choices, optional subject", () => {
    const tsv = [
      'Question\tA\tB\tC\tD\tE\tAnswer\tSubject',
      'What is 2 + 2?\t3\t4\t5\t\t\tb\tArithmetic',
      'Largest planet?\tMars\tJupiter\tVenus\tEarth\tSaturn\tJupiter\tAstronomy',
      'Is water wet?\tYes\tNo\t\t\t\tA)\t',
    ].join('\r\n');
    const q = parseQuizTable(tsv, '  Week 3  ');
    assert.equal(q.title, 'Week 3');
    assert.deepEqual(
      q.questions.map((x) => [x.question, x.choices.length, x.answer, x.subject]),
      [
        ['What is 2 + 2?', 3, 1, 'Arithmetic'],
        ['Largest planet?', 5, 1, 'Astronomy'],
        ['Is water wet?', 2, 0, ''],
      ],
    );
  });

  test('CSV with quoted commas and a line break inside a cell, semicolons too', () => {
    const csv = 'question,A,B,answer\n"Which, of these?\nPick one.","x, y",z,A\n';
    assert.deepEqual(parseQuizTable(csv, 't').questions[0], {
      question: 'Which, of these?\nPick one.',
      choices: ['x, y', 'z'],
      answer: 0,
      subject: '',
    });
    assert.equal(parseQuizTable('question;A;B;answer\nQ?;1;2;B\n', 't').questions[0]!.answer, 1);
  });

  test('each malformed row is named with its column; nothing is imported', () => {
    const tsv = [
      'question\tA\tB\tC\tanswer',
      'Fine?\tyes\tno\t\tA',
      '\tyes\tno\t\tA', // row 3: empty question
      'Gap?\tyes\t\tmaybe\tA', // row 4: an empty choice before a filled one
      'Range?\tyes\tno\t\tC', // row 5: C is not among 2 choices
      'One?\tonly\t\t\tA', // row 6: one choice
      'Same?\tyes\tyes\t\tA', // row 7: duplicate choices
    ].join('\n');
    const e = problemOf(() => parseQuizTable(tsv, 't'));
    assert.deepEqual(
      e.problems.map((p) => [p.row, p.column]),
      [
        [3, 'question'],
        [4, 'B'],
        [5, 'answer'],
        [6, 'B'],
        [7, null],
      ],
    );
    assert.match(e.message, /^row 3, column "question": the question is empty; row 4, column "B": an empty choice/);
    assert.match(
      e.message,
      /row 5, column "answer": "C" is neither a letter of the 2 choices \(A–B\) nor one of their texts/,
    );
    assert.match(e.message, /nothing was imported$/);
  });

  test('a header without question or answer, an empty table, too few choice columns', () => {
    assert.match(
      problemOf(() => parseQuizTable('q\tA\tB\tanswer\nx\t1\t2\tA', 't')).message,
      /row 1 \(the header\) has no "question" column/,
    );
    assert.match(problemOf(() => parseQuizTable('  \n', 't')).message, /the table is empty/);
    assert.match(problemOf(() => parseQuizTable('question\tA\tanswer\nx\t1\tA', 't')).message, /names 1 choice column/);
    assert.match(problemOf(() => parseQuizTable('question\tA\tB\tanswer\n', 't')).message, /no questions/);
  });
});

describe('the quiz link', () => {
  const quiz = parseQuizTable('question\tA\tB\tanswer\tsubject\nWhat is 2 + 2?\t4\t5\tA\tArithmetic', 'Week 3');

  test('round trip; the address part is accepted whole', () => {
    const link = encodeQuiz(quiz);
    assert.deepEqual(decodeQuiz(link), quiz);
    assert.deepEqual(decodeQuiz(`https://example.org/pagebench/#/quiz/${link}`), quiz);
  });

  test('a changed, cut or foreign link is refused with the reason', () => {
    const link = encodeQuiz(quiz);
    assert.throws(() => decodeQuiz(link.slice(0, -6)), /damaged/);
    assert.throws(() => decodeQuiz('j1.abc'), /not a pagebench quiz link/);
    const wrongAnswer: Quiz = { ...quiz, questions: [{ ...quiz.questions[0]!, answer: 7 }] };
    assert.throws(() => decodeQuiz(encodeQuiz(wrongAnswer)), /question 1 answer \(A–B\) is not valid/);
  });

  test('a quiz too large for a link says to share the file', () => {
    // random text does not compress: 200 questions of 60 random letters
    let seed = 7;
    const rnd = () => (seed = (seed * 48271) % 2147483647);
    const word = () => Array.from({ length: 60 }, () => String.fromCharCode(97 + (rnd() % 26))).join('');
    const big: Quiz = {
      ...quiz,
      questions: Array.from({ length: 200 }, () => ({
        question: word(),
        choices: [word(), word()],
        answer: 0,
        subject: '',
      })),
    };
    assert.throws(
      () => encodeQuiz(big),
      new RegExp(`too large for a link \\(\\d+ characters, at most ${MAX_LINK_CHARS}\\): share the quiz file`),
    );
  });

  test('the content hash changes with any question, choice, answer or the description', () => {
    const h = quizHash(quiz);
    assert.equal(quizHash(structuredClone(quiz)), h);
    assert.notEqual(quizHash({ ...quiz, description: quiz.description + ' ' }), h);
    assert.notEqual(quizHash({ ...quiz, questions: [{ ...quiz.questions[0]!, answer: 1 }] }), h);
  });
});

describe('a quiz in the CLI', () => {
  /** The first n anatomy test rows of the real MMLU as a teacher's table (subject "anatomy"). */
  function anatomyQuiz(n: number): string {
    const rows = Papa.parse<string[]>(readFileSync(join(SHARED_MMLU, 'test/anatomy_test.csv'), 'utf8'), {
      skipEmptyLines: true,
    }).data.slice(0, n);
    return Papa.unparse([['question', 'A', 'B', 'C', 'D', 'answer', 'subject'], ...rows.map((r) => [...r, 'anatomy'])]);
  }

  test('real MMLU rows as a quiz: the same prompts and log-likelihoods as MMLU itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-quiz-'));
    const file = join(dir, 'anatomy-quiz.csv');
    writeFileSync(file, anatomyQuiz(6));
    const qp = runCli('prompts', '--benchmark', 'quiz', '--data', file);
    const mp = runCli('prompts', '--data', SHARED_MMLU, '--subjects', 'anatomy', '--limit', '6');
    assert.equal(qp.code, 0, qp.stderr);
    const ctx = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { context: string }).context);
    assert.deepEqual(ctx(qp.stdout), ctx(mp.stdout));

    const q = runCli(
      'run',
      '--benchmark',
      'quiz',
      '--data',
      file,
      '--model',
      STORIES,
      '--output-dir',
      join(dir, 'quiz'),
    );
    const m = runCli(
      'run',
      '--data',
      SHARED_MMLU,
      '--subjects',
      'anatomy',
      '--limit',
      '6',
      '--model',
      STORIES,
      '--output-dir',
      join(dir, 'mmlu'),
    );
    assert.equal(q.code, 0, q.stderr);
    assert.equal(m.code, 0, m.stderr);
    const qs = readSamples(join(dir, 'quiz'));
    const ms = readSamples(join(dir, 'mmlu'));
    assert.equal(qs.size, 6);
    for (let i = 0; i < 6; i++) {
      const a = qs.get(`anatomy/${i}`)!;
      const b = ms.get(`anatomy/${i}`)!;
      assert.deepEqual(a.loglikelihoods, b.loglikelihoods, `question ${i}`);
      assert.equal(a.target, b.target);
    }
    const results = JSON.parse(readFileSync(join(dir, 'quiz/results.json'), 'utf8')) as {
      results: Record<string, unknown>;
      config: { data: string };
    };
    assert.ok('quiz_anatomy' in results.results);
    assert.match(results.config.data, /^quiz "anatomy-quiz" \(6 questions, sha256 [0-9a-f]{16}\)$/);
  });

  test('a malformed quiz file is refused naming the file, row and column; nothing is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-quiz-'));
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'question,A,B,answer\nFine?,yes,no,A\nBroken?,yes,no,Z\n');
    const r = runCli(
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
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /bad\.csv: row 3, column "answer": "Z" is neither a letter/);
    assert.equal(
      runCli(
        'run',
        '--benchmark',
        'quiz',
        '--data',
        join(dir, 'missing.csv'),
        '--model',
        STORIES,
        '--output-dir',
        join(dir, 'out'),
      ).stderr.includes('no such quiz file'),
      true,
    );
  });

  test("a benchmark subset's first questions as a quiz: MMLU's own prompts (quiz file .json)", async () => {
    const settings = {
      subjects: ['anatomy', 'high_school_biology'],
      split: 'test',
      shots: 0,
      template: 'lm-eval',
      limit: 3,
      bos: 'lm-eval' as const,
      scorer: 'fast' as const,
    };
    const data = await loadRunData(dataSources(SHARED_MMLU, SHARED_MMLU, 'http://127.0.0.1:1'), settings);
    const quiz = quizOfDocs(getBenchmark('mmlu'), data, 5, 3);
    assert.equal(quiz.title, 'MMLU: Anatomy, High School Biology');
    assert.deepEqual(
      quiz.questions.map((q) => q.subject),
      ['anatomy', 'anatomy', 'anatomy', 'high school biology', 'high school biology'],
    );
    const dir = mkdtempSync(join(tmpdir(), 'pb-quiz-'));
    const file = join(dir, 'mmlu-quiz.json');
    writeFileSync(file, JSON.stringify(quiz));
    const ctx = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { context: string }).context);
    const qp = runCli('prompts', '--benchmark', 'quiz', '--data', file);
    assert.equal(qp.code, 0, qp.stderr);
    const mp = runCli('prompts', '--data', SHARED_MMLU, '--subjects', 'anatomy,high_school_biology', '--limit', '3');
    assert.deepEqual(ctx(qp.stdout), ctx(mp.stdout).slice(0, 5));
  });
});
