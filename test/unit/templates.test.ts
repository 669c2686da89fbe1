import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { buildPrompt, selectShots } from '../../src/core/templates/build.ts';
import { TEMPLATES, getTemplate } from '../../src/core/templates/presets.ts';
import type { Question } from '../../src/core/benchmarks/mmlu/question.ts';
import { runCli } from '../support/cli.ts';
import { SHARED_MMLU } from '../support/paths.ts';

/** Real rows straight from ../shared, parsed here independently of the engine's loader. */
function rows(subject: string, split: string): string[][] {
  return Papa.parse<string[]>(readFileSync(join(SHARED_MMLU, split, `${subject}_${split}.csv`), 'utf8').trimEnd()).data;
}

/**
 * lm-evaluation-harness' mmlu task, as its YAML documents it:
 *   description: "The following are multiple choice questions (with answers) about {subject}.\n\n"
 *   doc_to_text: "{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\nC. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:"
 *   doc_to_choice: ["A","B","C","D"], target_delimiter " ", fewshot_delimiter "\n\n", sampler first_n over dev.
 */
function harnessText(r: string[]): string {
  return `${r[0]!.trim()}\nA. ${r[1]}\nB. ${r[2]}\nC. ${r[3]}\nD. ${r[4]}\nAnswer:`;
}
function harnessContext(subject: string, test: string[], shots: string[][]): string {
  const desc = `The following are multiple choice questions (with answers) about ${subject.replaceAll('_', ' ')}.\n\n`;
  const labeled = shots.map((s) => harnessText(s) + ' ' + s[5]).join('\n\n');
  return desc + (shots.length ? labeled + '\n\n' : '') + harnessText(test);
}

function promptsCli(args: string[]): Record<string, unknown>[] {
  const r = runCli('prompts', '--data', SHARED_MMLU, ...args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

test('acceptance 1: `pagebench prompts` reproduces lm-eval anatomy test row 0 byte for byte, 0- and 5-shot', () => {
  const test0 = rows('anatomy', 'test')[0]!;
  const dev = rows('anatomy', 'dev');
  for (const k of [0, 5]) {
    const [line] = promptsCli(['--subjects', 'anatomy', '--template', 'lm-eval', '--shots', String(k), '--limit', '1']);
    assert.equal(line!.context, harnessContext('anatomy', test0, dev.slice(0, k)));
    assert.deepEqual(line!.continuations, [' A', ' B', ' C', ' D']);
    assert.equal(line!.target, 'ABCD'.indexOf(test0[5]!));
    assert.equal(line!.subject, 'anatomy');
    assert.equal(line!.doc_id, 0);
  }
});

test('acceptance 1: the original template shows the double space after "about"', () => {
  const [line] = promptsCli([
    '--subjects',
    'high_school_us_history',
    '--template',
    'original',
    '--shots',
    '0',
    '--limit',
    '1',
  ]);
  assert.match(
    line!.context as string,
    /^The following are multiple choice questions \(with answers\) about {2}high school us history\.\n\n/,
  );
  const [anat] = promptsCli(['--subjects', 'anatomy', '--template', 'original', '--shots', '0', '--limit', '1']);
  assert.ok(
    (anat!.context as string).startsWith(
      'The following are multiple choice questions (with answers) about  anatomy.\n\n',
    ),
  );
});

const q = (question: string, choices: string[], answer: number, docId = 0): Question => ({
  subject: 'college_physics',
  split: 'test',
  docId,
  question,
  choices: choices as Question['choices'],
  answer,
});
const shot1 = q('What is 1+1?', ['1', '2', '3', '4'], 1);
const shot2 = q(' Unit of force? ', ['newton', 'joule', 'watt', 'pascal'], 0);
const item = q('  Speed of light?\n', ['3e8 m/s', '300 m/s', '1 m/s', '42 m/s'], 0);

test('lm-eval template on a fixture: strip, labels, shots and delimiters', () => {
  const p = buildPrompt(TEMPLATES['lm-eval']!, item, [shot1, shot2]);
  assert.equal(
    p.context,
    'The following are multiple choice questions (with answers) about college physics.\n\n' +
      'What is 1+1?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer: B\n\n' +
      'Unit of force?\nA. newton\nB. joule\nC. watt\nD. pascal\nAnswer: A\n\n' +
      'Speed of light?\nA. 3e8 m/s\nB. 300 m/s\nC. 1 m/s\nD. 42 m/s\nAnswer:',
  );
  assert.deepEqual(p.continuations, [' A', ' B', ' C', ' D']);
  assert.equal(p.target, 0);
});

test('original template: question not stripped, subject words space-prefixed', () => {
  const p = buildPrompt(TEMPLATES.original!, item, [shot2]);
  assert.equal(
    p.context,
    'The following are multiple choice questions (with answers) about  college physics.\n\n' +
      ' Unit of force? \nA. newton\nB. joule\nC. watt\nD. pascal\nAnswer: A\n\n' +
      '  Speed of light?\n\nA. 3e8 m/s\nB. 300 m/s\nC. 1 m/s\nD. 42 m/s\nAnswer:',
  );
  assert.equal(TEMPLATES.original!.overflow, 'drop-shots');
});

test('helm template: Question:/Answer: prefixes with lettered references', () => {
  const p = buildPrompt(TEMPLATES.helm!, item, [shot1]);
  assert.equal(
    p.context,
    'The following are multiple choice questions (with answers) about college physics.\n\n' +
      'Question: What is 1+1?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer: B\n\n' +
      'Question: Speed of light?\nA. 3e8 m/s\nB. 300 m/s\nC. 1 m/s\nD. 42 m/s\nAnswer:',
  );
  assert.deepEqual(p.continuations, [' A', ' B', ' C', ' D']);
});

test('cloze template: choice texts are the continuations, acc_norm reported', () => {
  const p = buildPrompt(TEMPLATES.cloze!, item, [shot1]);
  assert.equal(
    p.context,
    'The following are questions (with answers) about college physics.\n\nQuestion: What is 1+1?\nAnswer: 2\n\nQuestion: Speed of light?\nAnswer:',
  );
  assert.deepEqual(p.continuations, [' 3e8 m/s', ' 300 m/s', ' 1 m/s', ' 42 m/s']);
  assert.ok(TEMPLATES.cloze!.reportAccNorm);
});

test('generate template: lm-eval prompt, greedy settings, documented answer regex', () => {
  const t = getTemplate('generate');
  assert.equal(buildPrompt(t, item, [shot1]).context, buildPrompt(TEMPLATES['lm-eval']!, item, [shot1]).context);
  assert.equal(t.scoring, 'generate');
  const re = t.generation!.answerRegex!;
  const pick = (s: string) => re.exec(s)?.[1] ?? null;
  assert.equal(pick(' B'), 'B');
  assert.equal(pick(' (C) because'), 'C');
  assert.equal(pick('D.'), 'D');
  assert.equal(pick(' Because A'), null);
  assert.equal(pick(' E'), null);
  assert.ok(t.generation!.stop.includes('\n'));
});

test('few-shot selection is first_n of dev; too many shots is an error; unknown template named', () => {
  const dev = [shot1, shot2, item];
  assert.deepEqual(selectShots(dev, 2), [shot1, shot2]);
  assert.throws(() => selectShots(dev, 4), /4 shots requested but the few-shot split has only 3 rows/);
  assert.throws(
    () => getTemplate('mmlu-pro'),
    /unknown template "mmlu-pro" \(expected one of: lm-eval, original, helm, helm-prompt, cloze, generate, arc, hellaswag, truthfulqa, truthfulqa-mc2, winogrande, gsm8k, gsm8k-v1\)/,
  );
});
