import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CausalLM } from '../../src/core/runtime/causalLm.ts';
import { makeEncoder } from '../../src/core/scoring/requests.ts';
import { sampleToken } from '../../src/core/scoring/generate.ts';
import { getTemplate } from '../../src/core/templates/presets.ts';
import { pyStrip } from '../../src/core/util/pyStr.ts';
import { PyRandom } from '../../src/core/util/pyRandom.ts';
import { readSamples, storiesCli } from '../support/cli.ts';
import { STORIES } from '../support/paths.ts';
import { plainGreedy } from '../support/plainGreedy.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));

test('helm scores by generation as HELM does: one greedy token, strip(), exact letter; equal to a plain greedy decode', async () => {
  const dir = tmp('pb-helm-');
  const r = storiesCli('run', [
    '--subjects',
    'anatomy,virology',
    '--limit',
    '8',
    '--shots',
    '2',
    '--template',
    'helm',
    '--output-dir',
    dir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const res = results(dir);
  assert.deepEqual(res.config.generation, { max_new_tokens: 1, stop: [], temperature: 0, top_k: 0, top_p: 1, seed: 0 });
  assert.equal(res.config.scoring, 'generate');
  const task = res.results.mmlu_helm_anatomy;
  assert.ok('exact_match,helm-strip-exact' in task, JSON.stringify(task));
  assert.ok('no_answer,helm-strip-exact' in task);
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  const encode = makeEncoder(model, 'lm-eval');
  const rule = getTemplate('helm').generation!;
  let noAnswer = 0;
  for (const s of readSamples(dir).values()) {
    const expected = await plainGreedy(model, encode(s.context as string), 1, []);
    assert.equal(s.generated, expected);
    const m = rule.answerRegex!.exec(pyStrip(expected));
    const pred = m ? ['A', 'B', 'C', 'D'].indexOf(m[1]!) : -1;
    assert.equal(s.pred, pred);
    if (pred < 0) noAnswer++;
  }
  // The no-answer share is reported apart from wrong answers.
  const anatomy = [...readSamples(dir).values()].filter((s) => s.subject === 'anatomy');
  assert.equal(
    task['no_answer,helm-strip-exact'],
    anatomy.filter((s) => (s.pred as number) < 0).length / anatomy.length,
  );
  assert.ok(noAnswer <= readSamples(dir).size);
  await model.dispose();
});

test("helm's extraction: strip() is Python's, the whole stripped text must be one letter", () => {
  const rule = getTemplate('helm').generation!;
  const pick = (text: string) => rule.answerRegex!.exec(pyStrip(text))?.[1] ?? null;
  assert.equal(pick(' C'), 'C');
  assert.equal(pick('C\n'), 'C');
  assert.equal(pick('\u0085B\u001f'), 'B'); // Python strips U+0085 and U+001F; String.trim does not
  assert.equal(pick('C.'), null);
  assert.equal(pick('Ca'), null);
  assert.equal(pick('E'), null);
  assert.equal(pick(''), null);
  assert.equal(getTemplate('helm').withLabels, undefined);
  assert.equal(getTemplate('helm-prompt').scoring, 'loglikelihood');
});

test('the generate template equals a plain greedy decode over its 8-token budget and stops', async () => {
  const dir = tmp('pb-gen-');
  const r = storiesCli('run', ['--subjects', 'anatomy', '--limit', '6', '--template', 'generate', '--output-dir', dir]);
  assert.equal(r.code, 0, r.stderr);
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  const encode = makeEncoder(model, 'lm-eval');
  const g = getTemplate('generate').generation!;
  for (const s of readSamples(dir).values())
    assert.equal(s.generated, await plainGreedy(model, encode(s.context as string), g.maxNewTokens, g.stop));
  await model.dispose();
});

test('sampling: options recorded; the same seed gives the same texts in any run order (a part equals its slice of the whole)', () => {
  const args = [
    '--subjects',
    'anatomy',
    '--limit',
    '12',
    '--template',
    'generate',
    '--max-new-tokens',
    '5',
    '--temperature',
    '0.9',
    '--top-k',
    '50',
    '--top-p',
    '0.95',
  ];
  const a = tmp('pb-s-');
  const b = tmp('pb-s-');
  const part = tmp('pb-s-');
  const c = tmp('pb-s-');
  assert.equal(storiesCli('run', [...args, '--seed', '5', '--output-dir', a]).code, 0);
  assert.equal(storiesCli('run', [...args, '--seed', '5', '--output-dir', b]).code, 0);
  assert.equal(storiesCli('run', [...args, '--seed', '5', '--part', '2/2', '--output-dir', part]).code, 0);
  assert.equal(storiesCli('run', [...args, '--seed', '6', '--output-dir', c]).code, 0);
  const res = results(a);
  assert.deepEqual(res.config.generation, {
    max_new_tokens: 5,
    stop: ['\n', '</s>', '<|im_end|>', '<|endoftext|>'],
    temperature: 0.9,
    top_k: 50,
    top_p: 0.95,
    seed: 5,
  });
  const kw = res.configs[Object.keys(res.configs)[0]!].generation_kwargs;
  assert.deepEqual(kw, {
    until: ['\n', '</s>', '<|im_end|>', '<|endoftext|>'],
    max_gen_toks: 5,
    do_sample: true,
    temperature: 0.9,
    top_k: 50,
    top_p: 0.95,
    seed: 5,
  });
  const sa = readSamples(a);
  const texts = (m: Map<string, Record<string, unknown>>) => [...m.entries()].map(([k, s]) => [k, s.generated]);
  assert.deepEqual(texts(readSamples(b)), texts(sa));
  for (const [k, s] of readSamples(part)) assert.equal(s.generated, sa.get(k)!.generated, k);
  assert.notDeepEqual(texts(readSamples(c)), texts(sa));
  const bad = storiesCli('run', [
    '--subjects',
    'anatomy',
    '--template',
    'lm-eval',
    '--temperature',
    '1',
    '--output-dir',
    tmp('pb-s-'),
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /apply to templates that generate \(helm, generate, gsm8k, gsm8k-v1\), not lm-eval/);
  const seedOnly = storiesCli('run', [
    '--subjects',
    'anatomy',
    '--template',
    'generate',
    '--seed',
    '3',
    '--output-dir',
    tmp('pb-s-'),
  ]);
  assert.match(seedOnly.stderr, /give --temperature above 0/);
});

test('sampleToken: top-k 1 and a tiny top-p are the argmax; otherwise draws follow the softmax', () => {
  const row = Float32Array.from([0.1, 2.0, 1.5, -1, 0.3]);
  const base = { maxNewTokens: 1, stop: [], temperature: 1, topK: 0, topP: 1, seed: 0 };
  const rng = new PyRandom(1);
  for (let i = 0; i < 20; i++) {
    assert.equal(sampleToken(row, { ...base, topK: 1 }, rng), 1);
    assert.equal(sampleToken(row, { ...base, topP: 0.01 }, rng), 1);
  }
  const counts = [0, 0, 0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampleToken(row, base, rng)]!++;
  const z = [...row].reduce((a, x) => a + Math.exp(x), 0);
  row.forEach((x, i) => assert.ok(Math.abs(counts[i]! / n - Math.exp(x) / z) < 0.015, `token ${i}`));
  // top-k 2 renormalises over tokens 1 and 2 only
  const two = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) two[sampleToken(row, { ...base, topK: 2 }, rng)]!++;
  assert.equal(two[0]! + two[3]! + two[4]!, 0);
  assert.ok(Math.abs(two[1]! / n - Math.exp(2) / (Math.exp(2) + Math.exp(1.5))) < 0.015);
});

test('PyRandom.random() is CPython random.random()', () => {
  // python3 -c "import random; r=random.Random(42); print([r.random() for _ in range(3)])"
  const r = new PyRandom(42);
  assert.deepEqual(
    [r.random(), r.random(), r.random()],
    [0.6394267984578837, 0.025010755222666936, 0.27502931836911926],
  );
});
