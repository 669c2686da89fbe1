/**
 * Winogrande's partial scoring against Python: every expected request comes from
 * test/support/winogrande_ref.py (lm-eval v0.4.12's preprocess_winogrande.py and its
 * multiple-input path, in plain Python) run with Debian's python3, on hand-written rows (the real
 * data is not in ../shared) chosen for Python's str semantics: whitespace strip() removes and
 * trim() does not, a blank at either end, non-BMP characters before the blank.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../support/paths.ts';
import {
  winograndeDoc,
  winograndeRequests,
  type WinograndeDoc,
  type WinograndeRow,
} from '../../src/core/benchmarks/winogrande/prompt.ts';

const ROWS: WinograndeRow[] = [
  {
    sentence: 'Sarah was a much better surgeon than Maria so _ always got the harder cases.',
    option1: 'Sarah',
    option2: 'Maria',
    answer: '1',
  },
  {
    sentence: 'The trophy does not fit in the suitcase because _ is too small.',
    option1: 'the trophy',
    option2: 'the suitcase',
    answer: '2',
  },
  { sentence: '_ liked the cake more than the pie.', option1: 'Ann', option2: 'Bo', answer: '2' },
  {
    sentence: 'He gave the book to the girl, not the boy, so the gift went to _',
    option1: 'the girl',
    option2: 'the boy',
    answer: '1',
  },
  {
    sentence: 'The 🐍 scared the 🐈 because _\u00a0was hissing\u001c ',
    option1: 'the 🐍',
    option2: 'the 🐈',
    answer: '1',
  },
  { sentence: 'Kim paid Lee because _ \u0085owed money.\u200a', option1: 'Kim', option2: 'Lee', answer: '1' },
];

function python(docs: WinograndeRow[], shots: WinograndeRow[][]): [string, string][][] {
  const r = spawnSync('/usr/bin/python3', [join(REPO, 'test/support/winogrande_ref.py')], {
    input: JSON.stringify({ docs, shots }),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as [string, string][][];
}

const doc = (r: WinograndeRow) => {
  const d = winograndeDoc(r);
  assert.ok(typeof d !== 'string', `${r.sentence}: ${String(d)}`);
  return d as WinograndeDoc;
};

test("each option fills the blank as its own context; both score the text after the blank: byte-identical to lm-eval's, 0 to 5 shots", () => {
  const docs: WinograndeRow[] = [];
  const shots: WinograndeRow[][] = [];
  for (let k = 0; k <= 5; k++)
    ROWS.forEach((r, i) => {
      docs.push(r);
      shots.push(ROWS.filter((_, j) => j !== i).slice(0, k));
    });
  const py = python(docs, shots);
  docs.forEach((r, i) =>
    assert.deepEqual(
      winograndeRequests(doc(r), shots[i]!.map(doc)),
      py[i],
      `${r.sentence} with ${shots[i]!.length} shots`,
    ),
  );
  // Python's strip() removes U+001C and U+0085 where JavaScript's trim() does not.
  assert.equal(doc(ROWS[4]!).continuation, 'was hissing');
  assert.equal(doc(ROWS[5]!).continuation, 'owed money.');
  assert.deepEqual(doc(ROWS[2]!).contexts, ['Ann', 'Bo']);
  assert.equal(doc(ROWS[3]!).continuation, '');
});

test('rows lm-eval cannot score as Winogrande are refused with the reason', () => {
  const base = ROWS[0]!;
  assert.match(String(winograndeDoc({ ...base, sentence: 'no blank here' })), /no blank "_"/);
  assert.match(String(winograndeDoc({ ...base, sentence: 'two _ blanks _ here' })), /more than one "_"/);
  assert.match(String(winograndeDoc({ ...base, answer: '' })), /answer is "", not "1" or "2"/);
  assert.match(String(winograndeDoc({ ...base, answer: '3' })), /answer is "3"/);
});
