import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMmluCsv, parseMmluParquet } from '../../src/core/benchmarks/mmlu/parse.ts';
import { DataError } from '../../src/core/benchmarks/mmlu/question.ts';
import { hubParquetUrl, hubSource, loadSplit } from '../../src/core/benchmarks/mmlu/source.ts';
import { loadSubjectData } from '../../src/core/benchmarks/mmlu/data.ts';
import { SUBJECTS } from '../../src/core/benchmarks/mmlu/subjects.ts';
import { localDataSource } from '../../src/node/localData.ts';
import { csvToParquet, mirrorMmlu, serveStatic } from '../../src/node/hubMirror.ts';
import { FIXTURE_FILES, writeFixtures } from '../fixtures/mmluFixtures.ts';
import { SHARED_MMLU } from '../support/paths.ts';

const fixtures = writeFixtures();

test('CSV: RFC 4180 quoting, doubled quotes and embedded newlines', () => {
  const { questions, problems } = parseMmluCsv(
    FIXTURE_FILES['mmlu-mini/test/astronomy_test.csv']!,
    'f.csv',
    'astronomy',
    'test',
  );
  assert.equal(problems.length, 0);
  assert.equal(questions.length, 4);
  assert.equal(questions[0]!.question, '  What is the largest planet in the Solar System?  ');
  assert.equal(questions[1]!.question, 'Which of these is a star?\n(Pick one.)');
  assert.equal(questions[1]!.docId, 1);
  assert.equal(questions[2]!.question, 'Complete: "Twinkle, twinkle, little ..."');
  assert.deepEqual(questions[2]!.choices, ['planet', 'comet', 'star', 'moon']);
  assert.equal(questions[2]!.answer, 2);
  assert.equal(questions[3]!.docId, 3);
});

test('CSV: bad rows are reported with file and row, never returned as questions', () => {
  const { questions, problems } = parseMmluCsv(
    FIXTURE_FILES['bad/test/anatomy_test.csv']!,
    'bad.csv',
    'anatomy',
    'test',
  );
  assert.deepEqual(
    questions.map((q) => q.docId),
    [0, 2, 5],
  );
  assert.deepEqual(
    problems.map((p) => [p.file, p.row, p.message]),
    [
      // Rows count from 1, as a spreadsheet shows them (the 'row 0' for a first line).
      ['bad.csv', 2, 'expected 6 columns (question, A, B, C, D, answer), found 5'],
      ['bad.csv', 4, 'answer is not one of A, B, C, D (or 0-3)'],
      ['bad.csv', 5, 'empty choice B'],
    ],
  );
});

test('loading a subject with bad rows fails with file and row in the message', async () => {
  await assert.rejects(
    loadSubjectData(localDataSource(join(fixtures, 'bad')), 'anatomy', 'test'),
    (e: unknown) =>
      e instanceof DataError &&
      /anatomy_test\.csv row 2: expected 6 columns/.test(e.message) &&
      e.problems.length === 3,
  );
});

test('a file that is not MMLU is rejected saying why', async () => {
  assert.throws(
    () => parseMmluCsv(FIXTURE_FILES['notmmlu/test/anatomy_test.csv']!, 'people.csv', 'anatomy', 'test'),
    /people\.csv: not an MMLU file: 3 of 3 rows are invalid .*6 columns.*row 1: expected 6 columns/,
  );
  assert.throws(() => parseMmluCsv('', 'empty.csv', 'anatomy', 'test'), /empty\.csv: not an MMLU file: it has no rows/);
  await assert.rejects(
    parseMmluParquet(new TextEncoder().encode('PAR1 nope').buffer as ArrayBuffer, 'x.parquet', 'anatomy', 'test'),
    /x\.parquet: not a readable parquet file/,
  );
});

test('parquet without the MMLU columns is rejected', async () => {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const buf = parquetWriteBuffer({ columnData: [{ name: 'text', data: ['a', 'b'] }] });
  await assert.rejects(
    parseMmluParquet(buf, 'other.parquet', 'anatomy', 'test'),
    /other\.parquet: not an MMLU parquet file: missing column\(s\) question, choices, answer/,
  );
});

test('parquet: answer outside 0-3 and wrong choice count are bad rows', async () => {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'question', data: ['q0', 'q1', 'q2', 'q3', 'q4'] },
      {
        name: 'choices',
        data: [
          ['a', 'b', 'c', 'd'],
          ['a', 'b', 'c'],
          ['a', 'b', 'c', 'd'],
          ['a', 'b', 'c', 'd'],
          ['a', 'b', 'c', 'd'],
        ],
      },
      { name: 'answer', data: [1, 2, 7, 0, 3] },
    ],
  });
  const { questions, problems } = await parseMmluParquet(buf, 'p.parquet', 'anatomy', 'test');
  assert.deepEqual(
    questions.map((q) => [q.docId, q.answer]),
    [
      [0, 1],
      [3, 0],
      [4, 3],
    ],
  );
  assert.deepEqual(
    problems.map((p) => [p.row, p.message]),
    [
      [2, 'expected 4 choices, found 3'],
      [3, 'answer is not one of A, B, C, D (or 0-3)'],
    ],
  );
});

test('CSV and parquet loaders give the same questions (real anatomy, all splits)', async () => {
  for (const split of ['dev', 'val', 'test'] as const) {
    const csv = readFileSync(join(SHARED_MMLU, split, `anatomy_${split}.csv`), 'utf8');
    const a = parseMmluCsv(csv, 'a.csv', 'anatomy', split);
    const b = await parseMmluParquet(csvToParquet(csv, 'anatomy'), 'a.parquet', 'anatomy', split);
    assert.ok(a.questions.length > 0);
    assert.deepEqual(b.questions, a.questions);
  }
});

test('local folder in the parquet layout loads like the CSV layout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-pq-'));
  mkdirSync(join(dir, 'astronomy'));
  for (const [split, hub] of [
    ['dev', 'dev'],
    ['test', 'test'],
  ]) {
    const csv = FIXTURE_FILES[`mmlu-mini/${split}/astronomy_${split}.csv`]!;
    writeFileSync(
      join(dir, 'astronomy', `${hub}-00000-of-00001.parquet`),
      new Uint8Array(csvToParquet(csv, 'astronomy')),
    );
  }
  const fromPq = await loadSubjectData(localDataSource(dir), 'astronomy', 'test');
  const fromCsv = await loadSubjectData(localDataSource(join(fixtures, 'mmlu-mini')), 'astronomy', 'test');
  assert.deepEqual(fromPq, fromCsv);
  await assert.rejects(loadSplit(localDataSource(dir), 'astronomy', 'val'), /no val data for subject astronomy/);
});

test('every real subject and split loads without a bad row; counts match the data README', async () => {
  const src = localDataSource(SHARED_MMLU);
  const totals = { dev: 0, val: 0, test: 0 };
  for (const s of SUBJECTS) {
    for (const split of ['dev', 'val', 'test'] as const) {
      const { questions, problems } = await loadSplit(src, s.id, split);
      assert.deepEqual(problems, [], `${s.id} ${split}`);
      totals[split] += questions.length;
    }
  }
  const readme = readFileSync(join(SHARED_MMLU, 'README.md'), 'utf8');
  assert.ok(readme.includes(`(${totals.dev})`), `dev=${totals.dev}`);
  assert.ok(readme.includes(`${totals.val} rows`), `val=${totals.val}`);
  assert.ok(readme.includes(`${totals.test} rows`), `test=${totals.test}`);
});

test('hub source: cais/mmlu URLs from a configurable base, read from a local mirror', async () => {
  assert.equal(
    hubParquetUrl({ baseUrl: 'https://huggingface.co/' }, 'anatomy', 'val'),
    'https://huggingface.co/datasets/cais/mmlu/resolve/main/anatomy/validation-00000-of-00001.parquet',
  );
  const root = mkdtempSync(join(tmpdir(), 'pb-hub-'));
  mirrorMmlu(root, SHARED_MMLU, ['anatomy']);
  const srv = await serveStatic(root);
  try {
    const fromHub = await loadSubjectData(hubSource({ baseUrl: srv.url }), 'anatomy', 'test');
    const fromDisk = await loadSubjectData(localDataSource(SHARED_MMLU), 'anatomy', 'test');
    assert.deepEqual(fromHub, fromDisk);
    await assert.rejects(
      loadSplit(hubSource({ baseUrl: srv.url }), 'virology', 'test'),
      /could not fetch .*virology\/test-00000-of-00001\.parquet: HTTP 404/,
    );
  } finally {
    await srv.close();
  }
});
