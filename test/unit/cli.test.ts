import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { validateResults, validateSample } from '../../src/core/report/validate.ts';
import { macroAcc, microAcc, pooledStderr, subtaskStat } from '../../src/core/report/metrics.ts';
import { writeFixtures } from '../fixtures/mmluFixtures.ts';
import { readSamples, runCli, storiesCli } from '../support/cli.ts';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';

const cli = runCli;
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const fixtures = writeFixtures();

test('acceptance 3: all of anatomy test, 5-shot, through the CLI; outputs validate; numbers recomputed by hand', () => {
  const out = tmp('pb-run-');
  const r = cli(
    'run',
    '--model',
    STORIES,
    '--data',
    SHARED_MMLU,
    '--subjects',
    'anatomy',
    '--split',
    'test',
    '--shots',
    '5',
    '--template',
    'lm-eval',
    '--output-dir',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\[anatomy\] 135\/135 .* q\/s .* tok\/s/);
  assert.deepEqual(readdirSync(out).sort(), ['results.json', 'samples_anatomy.jsonl']);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  validateResults(results);
  const lines = readFileSync(join(out, 'samples_anatomy.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const nRows = Papa.parse(readFileSync(join(SHARED_MMLU, 'test/anatomy_test.csv'), 'utf8').trimEnd()).data.length;
  assert.equal(lines.length, nRows);
  lines.forEach((s, i) => {
    validateSample(s);
    assert.equal(s.doc_id, i);
    assert.equal(s.pred, s.loglikelihoods.indexOf(Math.max(...s.loglikelihoods)));
    assert.equal(s.acc, s.pred === s.target ? 1 : 0);
  });
  const accs = lines.map((s) => s.acc as number);
  const st = subtaskStat(accs);
  assert.equal(results.results.mmlu_anatomy['acc,none'], st.acc);
  assert.equal(results.results.mmlu_anatomy['acc_stderr,none'], st.stderr);
  assert.equal(results.groups.mmlu['acc,none'], microAcc([st]));
  assert.equal(results.groups.mmlu['acc_macro,none'], macroAcc([st]));
  assert.equal(results.groups.mmlu_stem['acc_stderr,none'], pooledStderr([st]));
  const c = results.config;
  assert.equal(c.num_fewshot, 5);
  assert.equal(c.template, 'lm-eval');
  // The lm-eval default for a Llama tokenizer (stories260K): BOS by the tokenizer, as lm-eval 0.4.12's HF backend.
  assert.equal(c.bos_policy, 'lm-eval');
  assert.equal(c.lm_eval_version, '0.4.12');
  assert.equal(c.bos_resolved, 'tokenizer');
  // The fingerprint: runtime and versions, and hashes that follow the template and the data.
  assert.match(c.fingerprint.runtime, /^node \d+\./);
  assert.match(c.fingerprint.onnxruntime, /^onnxruntime-node \d+\.\d+/);
  assert.match(c.fingerprint.transformers_js, /^\d+\.\d+/);
  assert.match(c.fingerprint.template_sha256, /^[0-9a-f]{64}$/);
  assert.match(c.fingerprint.data_sha256, /^[0-9a-f]{64}$/);
  assert.equal(c.max_length, 512);
  assert.equal(c.truncated_count, lines.filter((s) => s.truncated).length);
  assert.ok(c.truncated_count > 100, 'the 5-shot anatomy prompts mostly exceed 512 tokens');
  assert.match(c.model_sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(c.graph_rewrites, ['logits-to-keep'], 'stories260K has no num_logits_to_keep: added at load');
  assert.equal(c.batch_size, 1);
  assert.equal(results['n-shot'].mmlu_anatomy, 5);
});

test('--batch-size (4, auto) and --no-rewrite change speed only: the same log-likelihoods, recorded in config', () => {
  const runWith = (...extra: string[]) => {
    const out = tmp('pb-batch-');
    const res = cli(
      'run',
      '--model',
      STORIES,
      '--data',
      SHARED_MMLU,
      '--subjects',
      'anatomy,astronomy',
      '--limit',
      '12',
      '--output-dir',
      out,
      ...extra,
    );
    assert.equal(res.code, 0, res.stderr);
    const config = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).config;
    const lls = ['anatomy', 'astronomy'].flatMap((s) =>
      readFileSync(join(out, `samples_${s}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).loglikelihoods as number[]),
    );
    return { config, lls };
  };
  const base = runWith();
  const batched = runWith('--batch-size', '4', '--no-rewrite');
  const auto = runWith('--batch-size', 'auto');
  assert.equal(batched.config.batch_size, 4);
  assert.deepEqual(batched.config.graph_rewrites, []);
  assert.ok([1, 8].includes(auto.config.batch_size), `auto chose ${auto.config.batch_size}`);
  for (const other of [batched, auto]) {
    assert.equal(other.lls.length, 24);
    other.lls.forEach((row, i) => row.forEach((x, c) => assert.ok(Math.abs(x - base.lls[i]![c]!) < 1e-4)));
  }
});

test('cloze and generate run end to end (acc_norm, exact_match)', () => {
  const out = tmp('pb-cloze-');
  const r = cli(
    'run',
    '--model',
    STORIES,
    '--data',
    join(fixtures, 'mmlu-mini'),
    '--subjects',
    'astronomy,virology',
    '--template',
    'cloze',
    '--shots',
    '2',
    '--output-dir',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  validateResults(res);
  assert.ok('acc_norm,none' in res.results.mmlu_continuation_astronomy);
  // lm-eval's mmlu_continuation headlines acc_norm: so does the CLI's closing line
  assert.match(r.stderr, /^acc_norm \d\.\d{4} over 6 questions/m);
  const out2 = tmp('pb-gen-');
  const g = cli(
    'run',
    '--model',
    STORIES,
    '--data',
    join(fixtures, 'mmlu-mini'),
    '--subjects',
    'virology',
    '--scoring',
    'generate',
    '--output-dir',
    out2,
  );
  assert.equal(g.code, 0, g.stderr);
  const gres = JSON.parse(readFileSync(join(out2, 'results.json'), 'utf8'));
  validateResults(gres);
  // The metric keys name pagebench's extraction rule (not lm-eval's filters); the no-answer share apart.
  const gv = gres.results.mmlu_generative_virology;
  assert.ok(!('exact_match,none' in gv));
  assert.ok('exact_match,pagebench-letter-at-start' in gv);
  const gs = readFileSync(join(out2, 'samples_virology.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { pred: number });
  assert.equal(gv['no_answer,pagebench-letter-at-start'], gs.filter((x) => x.pred < 0).length / gs.length);
  assert.equal(gres.configs.mmlu_generative_virology.filter_list[0].name, 'pagebench-letter-at-start');
  const s = JSON.parse(readFileSync(join(out2, 'samples_virology.jsonl'), 'utf8').split('\n')[0]!);
  assert.equal(typeof s.generated, 'string');
});

/** A run over the fixture whose anatomy_test.csv has bad rows. */
const runOnBadData = (out: string) =>
  cli('run', '--model', STORIES, '--data', join(fixtures, 'bad'), '--subjects', 'anatomy', '--output-dir', out);

function assertFails(r: ReturnType<typeof cli>, message: RegExp, out?: string) {
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0]!, /^pagebench: error: /);
  assert.match(lines[0]!, message);
  if (out && existsSync(out)) assert.deepEqual(readdirSync(out), [], 'nothing is left in the output folder');
}

test('error: missing model folder', () => {
  const out = join(tmp('pb-e1-'), 'o');
  assertFails(
    cli('run', '--model', './no/such/model', '--data', SHARED_MMLU, '--subjects', 'anatomy', '--output-dir', out),
    /model folder not found: \.\/no\/such\/model/,
    out,
  );
});

test('error: a folder that is not a causal LM', () => {
  const noConfig = tmp('pb-notmodel-');
  writeFileSync(join(noConfig, 'readme.txt'), 'hello');
  assertFails(
    cli(
      'run',
      '--model',
      noConfig,
      '--data',
      SHARED_MMLU,
      '--subjects',
      'anatomy',
      '--output-dir',
      join(noConfig, 'o'),
    ),
    /is not a model folder: it has no config\.json/,
  );
  const broken = tmp('pb-broken-');
  cpSync(STORIES, broken, { recursive: true });
  writeFileSync(join(broken, 'onnx/model.onnx'), 'this is not an onnx graph');
  const out = join(broken, 'out');
  assertFails(
    cli('run', '--model', broken, '--data', SHARED_MMLU, '--subjects', 'anatomy', '--limit', '1', '--output-dir', out),
    /is not a loadable causal LM/,
    out,
  );
  const bert = tmp('pb-bert-');
  cpSync(STORIES, bert, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(bert, 'config.json'), 'utf8'));
  writeFileSync(
    join(bert, 'config.json'),
    JSON.stringify({ ...cfg, model_type: 'bert', architectures: ['BertForMaskedLM'] }),
  );
  assertFails(
    cli(
      'run',
      '--model',
      bert,
      '--data',
      SHARED_MMLU,
      '--subjects',
      'anatomy',
      '--limit',
      '1',
      '--output-dir',
      join(bert, 'out'),
    ),
    /not a loadable causal LM|not a causal LM/,
  );
});

test('error: unknown subject, template, split, bad numbers', () => {
  assertFails(cli('prompts', '--data', SHARED_MMLU, '--subjects', 'astrology'), /unknown subject or group "astrology"/);
  assertFails(
    cli('prompts', '--data', SHARED_MMLU, '--subjects', 'anatomy', '--template', 'mmlu-pro'),
    /unknown template "mmlu-pro"/,
  );
  assertFails(cli('prompts', '--data', SHARED_MMLU, '--split', 'train'), /--split must be one of test, val/);
  assertFails(cli('prompts', '--data', SHARED_MMLU, '--shots', 'five'), /--shots must be a non-negative integer/);
  assertFails(cli('prompts', '--data', SHARED_MMLU, '--shots', '6'), /dev split has 5 rows/);
  assertFails(cli('prompts', '--data', SHARED_MMLU, '--batch-size', '0'), /--batch-size must be at least 1/);
  assertFails(cli('prompts', '--data', SHARED_MMLU, '--batch-size', 'many'), /--batch-size must be a non-negative/);
  assertFails(cli('prompts', '--data', SHARED_MMLU, '--frobnicate'), /Unknown option '--frobnicate'/);
  assertFails(cli('frobnicate'), /unknown command "frobnicate"/);
  assertFails(cli('prompts', '--data', '/no/such/data'), /data folder not found: \/no\/such\/data/);
});

test('error: malformed data names file and row; no results.json', () => {
  const out = join(tmp('pb-e3-'), 'o');
  const r = runOnBadData(out);
  assertFails(r, /malformed MMLU data: .*anatomy_test\.csv row 2: expected 6 columns/, out);
  assertFails(
    cli('prompts', '--data', join(fixtures, 'notmmlu'), '--subjects', 'anatomy'),
    /anatomy_test\.csv: not an MMLU file/,
  );
});

test('error: unwritable output folder', () => {
  const dir = tmp('pb-e4-');
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  assertFails(
    cli('run', '--model', STORIES, '--data', SHARED_MMLU, '--subjects', 'anatomy', '--output-dir', join(file, 'sub')),
    /output folder .*a-file\/sub is not writable/,
  );
  assertFails(
    cli('run', '--model', STORIES, '--data', SHARED_MMLU, '--subjects', 'anatomy', '--output-dir', file),
    /is not writable: it is not a folder/,
  );
});

test('a failed run keeps an earlier complete result intact', () => {
  const out = tmp('pb-keep-');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), '{"earlier": true}');
  const r = runOnBadData(out);
  assert.notEqual(r.code, 0);
  assert.deepEqual(readdirSync(out), ['results.json']);
  assert.equal(readFileSync(join(out, 'results.json'), 'utf8'), '{"earlier": true}');
});

test('help for the CLI and for each command; misspelled options, subjects, templates and commands get the nearest names', () => {
  const top = cli('--help');
  assert.equal(top.code, 0);
  assert.match(top.stdout, /pagebench <command> --help/);
  for (const command of ['run', 'prompts']) {
    const h = cli(command, '--help');
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, new RegExp(`^Usage: pagebench ${command} `));
    assert.match(h.stdout, /--subjects <list>/);
  }
  assert.match(cli('run', '--help').stdout, /--output-dir <dir>/);
  assert.equal(cli('help', 'run').stdout, cli('run', '--help').stdout);
  assertFails(
    cli('prompts', '--data', SHARED_MMLU, '--shot', '2'),
    /Unknown option '--shot' \(did you mean --shots[ ?]/,
  );
  assertFails(
    cli('prompts', '--data', SHARED_MMLU, '--subjects', 'anatomy,astronmy'),
    /unknown subject or group "astronmy" \(did you mean astronomy\?\)/,
  );
  assertFails(
    cli('prompts', '--data', SHARED_MMLU, '--subjects', 'social_science'),
    /unknown subject or group "social_science" \(did you mean social_sciences\?\)/,
  );
  assertFails(
    cli('prompts', '--data', SHARED_MMLU, '--template', 'lm_eval'),
    /unknown template "lm_eval" \(did you mean lm-eval\?\)/,
  );
  assertFails(cli('prompts', '--data', SHARED_MMLU, '--split', 'tset'), /got "tset" \(did you mean test\?\)/);
  assertFails(cli('prmopts'), /unknown command "prmopts" \(did you mean prompts\?\)/);
});

test("BOS: the default (lm-eval 0.4.12's) equals --bos tokenizer on a Llama tokenizer; --lm-eval 0.4.9.1 equals --bos never", () => {
  const lls = (...extra: string[]) => {
    const out = tmp('pb-bos-');
    const r = storiesCli('run', ['--subjects', 'anatomy', '--limit', '3', ...extra, '--output-dir', out]);
    assert.equal(r.code, 0, r.stderr);
    return [...readSamples(out).values()].map((s) => s.loglikelihoods);
  };
  const dflt = lls();
  assert.deepEqual(dflt, lls('--bos', 'tokenizer'));
  assert.notDeepEqual(dflt, lls('--bos', 'never'));
  assert.deepEqual(lls('--lm-eval', '0.4.9.1'), lls('--bos', 'never'));
});

test('fingerprint hashes change with the template rendering and with the data, not otherwise', async () => {
  const { dataHash, templateHash } = await import('../../src/core/report/fingerprint.ts');
  const { runTemplate } = await import('../../src/core/templates/presets.ts');
  const lmEval = await templateHash(runTemplate({ template: 'lm-eval' }));
  assert.equal(await templateHash(runTemplate({ template: 'lm-eval' })), lmEval);
  assert.notEqual(await templateHash(runTemplate({ template: 'lm-eval', description: false })), lmEval);
  assert.notEqual(await templateHash(runTemplate({ template: 'helm' })), lmEval);
  const q = (docId: number, answer: number) => ({
    subject: 's',
    split: 'test',
    docId,
    question: 'Q?',
    choices: ['a', 'b', 'c', 'd'],
    answer,
  });
  const data = [{ subject: 's', questions: [q(0, 1), q(1, 2)], dev: [q(0, 0)] }];
  const h = await dataHash(data);
  assert.notEqual(await dataHash([{ ...data[0]!, questions: [q(0, 1), q(1, 3)] }]), h, 'an answer changed');
  assert.notEqual(await dataHash(data, 1), h, 'fewer questions');
  assert.equal(await dataHash(data, 2), h, 'a limit above the count changes nothing');
});
