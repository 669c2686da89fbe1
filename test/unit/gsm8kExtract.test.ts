/**
 * GSM8K's extraction and exact_match against Python's own `re` and str: every expectation comes
 * from test/support/gsm8k_ref.py (a plain-Python reading of lm-eval v0.4.12's gsm8k.yaml,
 * RegexFilter and exact_match, and the v1 harness's gsm8k.py) run with Debian's python3, on the
 * real GSM8K answers (../shared/gsm8k, test and train) and on adversarial generations; the prompts
 * from test/support/gsm8k_prompts.py (lm-eval's gsm8k.yaml and its sampler with Python's random).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, SHARED } from '../support/paths.ts';
import {
  cutAtStops,
  flexibleExtract,
  GSM8K_UNTIL,
  GSM8K_V1_UNTIL,
  INVALID,
  normalizeExactMatch,
  scoreGsm8k,
  scoreGsm8kV1,
  strictMatch,
} from '../../src/core/benchmarks/gsm8k/extract.ts';
import { gsm8kContext, type Gsm8kRow } from '../../src/core/benchmarks/gsm8k/prompt.ts';
import { makeShotSampler } from '../../src/core/templates/build.ts';
import { rng } from '../support/rng.ts';

type Case = { response: string; answer: string };
type Scored = {
  strict: string;
  flexible: string;
  normalized: string;
  em_strict: number;
  em_flexible: number;
  v1: number;
};

function python(req: { cases: Case[]; cuts: { text: string; until: string[] }[] }) {
  const r = spawnSync('/usr/bin/python3', [join(REPO, 'test/support/gsm8k_ref.py')], {
    input: JSON.stringify(req),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { cases: Scored[]; cuts: string[] };
}

const answers = ['test', 'train'].flatMap((split) =>
  readFileSync(join(SHARED, 'gsm8k', `${split}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { answer: string }).answer),
);

/** Generations a small model writes, and worse: each real answer changed the ways extraction is sensitive to. */
function adversarial(answer: string, next: () => number): string[] {
  const final = answer.slice(answer.lastIndexOf('#### ') + 5);
  const body = answer.slice(0, answer.lastIndexOf('#### '));
  const cutAt = Math.floor(next() * answer.length);
  return [
    ' ' + answer,
    ' ' + answer + '.',
    ' ' + answer + '.\n',
    ' ' + answer + '\n\nQuestion: what is 5 + 5?',
    ` ${body}#### $${final}`,
    ` ${body}#### ${final}.00`,
    ` ${body}#### -${final}`,
    ` ${body}#### ${final.replace(/(\d)(\d{3})$/, '$1,$2')}`,
    ` ${body}#### ${final}\n#### 7`,
    ` ${body}The answer is ${final}...`,
    ` ${body}The answer is $${final}.`,
    ` ${body}`,
    answer.slice(0, cutAt),
    ` ${body}####${final}`,
    ` ${body}#### ${final} ,5`,
  ];
}

const ALPHABET = [
  '#',
  '#### ',
  '$',
  ',',
  '.',
  '-',
  ' ',
  '\n',
  '1',
  '2',
  '7',
  '0',
  'a',
  'Question:',
  ':',
  '.\n',
  '\u2019',
  '\u00a0',
];

function cases(): Case[] {
  const next = rng(20261205);
  const out: Case[] = [];
  answers.forEach((a, i) => {
    if (i % 3 === 0) for (const r of adversarial(a, next)) out.push({ response: r, answer: a });
    else out.push({ response: ' ' + a, answer: a });
  });
  for (let i = 0; i < 5000; i++) {
    const n = Math.floor(next() * 14);
    let s = '';
    for (let j = 0; j < n; j++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
    out.push({ response: s, answer: answers[Math.floor(next() * answers.length)]! });
  }
  return out;
}

test('strict-match, flexible-extract and exact_match equal Python re on every real GSM8K answer and adversarial generations', () => {
  const all = cases();
  const py = python({ cases: all, cuts: [] }).cases;
  assert.equal(py.length, all.length);
  let strictRight = 0;
  let flexibleRight = 0;
  for (let i = 0; i < all.length; i++) {
    const { response, answer } = all[i]!;
    const s = scoreGsm8k(response, answer);
    const where = JSON.stringify(response.slice(-80));
    assert.equal(s.strict.extracted, py[i]!.strict, `strict of ${where}`);
    assert.equal(s.flexible.extracted, py[i]!.flexible, `flexible of ${where}`);
    assert.equal(normalizeExactMatch(response), py[i]!.normalized, `normalization of ${where}`);
    assert.equal(s.strict.exact_match, py[i]!.em_strict, `exact_match,strict-match of ${where}`);
    assert.equal(s.flexible.exact_match, py[i]!.em_flexible, `exact_match,flexible-extract of ${where}`);
    assert.equal(scoreGsm8kV1(response, answer), py[i]!.v1, `v1 acc of ${where}`);
    strictRight += s.strict.exact_match;
    flexibleRight += s.flexible.exact_match;
  }
  // The cases exercise both outcomes of each filter (not everything right, not everything wrong).
  assert.ok(strictRight > 5000 && strictRight < all.length - 5000, `${strictRight} of ${all.length}`);
  assert.ok(flexibleRight > 5000 && flexibleRight < all.length - 5000, `${flexibleRight} of ${all.length}`);
});

test("the reading guide's vectors (gold 72): $, trailing periods, ellipses, the last number, no number", () => {
  const gold = 'Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 72';
  const rows: [string, string, number, string, number][] = [
    [' She sold 72 clips.\n#### 72.', '72.', 1, '72.', 1],
    [' The answer is $72.00.', INVALID, 0, '$72.00.', 0],
    [' 48 + 24 = 72 clips in total', INVALID, 0, '72', 1],
    [' #### 1,072', '1,072', 0, '1,072', 0],
    [' so the answer is 72...', INVALID, 0, '72...', 0],
    [' 72 clips.\n#### 72\nQ 5 more', '72', 1, '5', 0],
    [' #### $72', INVALID, 0, '$72', 1],
    [' no number at all', INVALID, 0, INVALID, 0],
  ];
  for (const [response, strict, emStrict, flexible, emFlexible] of rows) {
    const s = scoreGsm8k(response, gold);
    assert.deepEqual(
      [s.strict.extracted, s.strict.exact_match, s.flexible.extracted, s.flexible.exact_match],
      [strict, emStrict, flexible, emFlexible],
      response,
    );
  }
  assert.equal(strictMatch(' #### -3\n#### 4'), '-3');
  assert.equal(flexibleExtract('1, 2, 3'), '3');
  // v1 has no trailing-period rule: "#### 72." is wrong there and right in lm-eval since 0.4.2.
  assert.equal(scoreGsm8kV1(' #### 72.', gold), 0);
  assert.equal(scoreGsm8k(' #### 72.', gold).strict.exact_match, 1);
});

test('stop strings cut term by term in order, as lm-eval splits, also where a later term straddles an earlier cut', () => {
  const next = rng(7);
  const pieces = ['Question:', 'Question', ':', '</s>', '<|im_end|>', 'Ques', 'tion:', ' 42', '\n\n', 'x'];
  const cuts: { text: string; until: string[] }[] = [
    { text: 'abQuestion:', until: ['tion', 'Question:'] },
    { text: 'a</s>b<|im_end|>c', until: [...GSM8K_UNTIL, '</s>'] },
  ];
  for (let i = 0; i < 3000; i++) {
    let text = '';
    for (let j = Math.floor(next() * 8); j > 0; j--) text += pieces[Math.floor(next() * pieces.length)];
    const until = next() < 0.5 ? [...GSM8K_UNTIL] : [...GSM8K_V1_UNTIL, '</s>'];
    if (next() < 0.3) until.push(pieces[Math.floor(next() * pieces.length)]!, '');
    cuts.push({ text, until });
  }
  const py = python({ cases: [], cuts }).cuts;
  cuts.forEach((c, i) => assert.equal(cutAtStops(c.text, c.until), py[i], JSON.stringify(c)));
  // A later term straddling an earlier cut is not found: "tion" cuts "abQues", where "Question:"
  // began; the earliest of all terms would give "ab".
  assert.equal(cutAtStops('abQuestion:', ['tion', 'Question:']), 'abQues');
});

test("0- and 5-shot prompts byte-identical to lm-eval's on the real test split: whole worked answers as shots, random.Random(1234) draws k from train", () => {
  const rows = (split: string) =>
    readFileSync(join(SHARED, 'gsm8k', `${split}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l, i) => ({ ...(JSON.parse(l) as Gsm8kRow), docId: i }));
  const train = rows('train');
  const testRows = rows('test');
  for (const shots of [0, 5]) {
    const r = spawnSync('/usr/bin/python3', [join(REPO, 'test/support/gsm8k_prompts.py')], {
      input: JSON.stringify({ dir: join(SHARED, 'gsm8k'), shots, limit: 200 }),
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    assert.equal(r.status, 0, r.stderr);
    const py = JSON.parse(r.stdout) as string[];
    const asDoc = (x: Gsm8kRow & { docId: number }, split: string) => ({
      subject: 'gsm8k',
      split,
      docId: x.docId,
      question: x.question,
      choices: [x.answer],
      answer: 0,
    });
    const pool = train.map((x) => asDoc(x, 'train'));
    const sampler = makeShotSampler({ sampler: 'random', seed: 1234 });
    testRows.slice(0, 200).forEach((d, i) => {
      const drawn = sampler(pool, shots, asDoc(d, 'test')).map((s) => train[s.docId]!);
      assert.equal(gsm8kContext(d.question, drawn), py[i], `test row ${i + 1}, ${shots} shots`);
    });
  }
});
