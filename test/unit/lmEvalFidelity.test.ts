/**
 * "lm-eval" means what lm-evaluation-harness prints today. Every expectation here comes from
 * test/support/lm_eval_prompts.py, a plain-Python reading of lm-eval's own files at tag v0.4.12
 * (v0.4.9.1 for the older BOS default) run with Debian's python3 — real `random.Random`, `csv`,
 * `str.strip`/`capitalize`, `re` and dict equality — not from pagebench's TypeScript:
 *   lm_eval/api/samplers.py, lm_eval/api/task.py (fewshot_context, the fewshot_split == test_split
 *   comparison, fewshot_docs), lm_eval/models/huggingface.py (tok_encode), lm_eval/models/utils.py
 *   (_add_special_kwargs, has_bos_prefix), and the arc, hellaswag and mmlu task YAMLs/utils.py.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeBenchmarkFixtures } from '../fixtures/benchmarkFixtures.ts';
import { runCli } from '../support/cli.ts';
import { GPT2_TOKENIZER, REPO, SHARED_MMLU, STORIES } from '../support/paths.ts';
import { referenceLoglikelihood } from '../support/referenceLl.ts';
import { CausalLM } from '../../src/core/runtime/causalLm.ts';
import { makeEncoder, resolveBos } from '../../src/core/scoring/requests.ts';
import { evaluate, type EvalSettings } from '../../src/core/evaluate.ts';
import { loadAll } from '../../src/core/benchmarks/mmlu/data.ts';
import { localDataSource } from '../../src/node/localData.ts';
import { LATEST_LM_EVAL } from '../../src/core/lmEvalReleases.ts';
import { setupDifferences } from '../../src/core/report/merge.ts';
import { compareResults } from '../../src/core/compare/compare.ts';
import { comparableFromResults } from '../../src/core/compare/results.ts';
import { LM_EVAL_RESULTS } from '../fixtures/lmEvalResults.ts';
import { validateResults } from '../../src/core/report/validate.ts';
import '../../src/node/runtime.ts';

const PY = '/usr/bin/python3';
const REF = join(REPO, 'test/support/lm_eval_prompts.py');
const rows = writeBenchmarkFixtures();

function python(req: unknown): unknown {
  const r = spawnSync(PY, [REF], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function cliPrompts(...args: string[]): unknown[] {
  const r = runCli('prompts', ...args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

// 0 shots, 1 shot and the Open LLM Leaderboard's k for each.
const MMLU_SUBJECTS = ['sociology', 'high_school_us_history', 'abstract_algebra', 'college_medicine'];
for (const [benchmark, shots] of [
  ['arc_easy', 0],
  ['arc_easy', 1],
  ['arc_challenge', 0],
  ['arc_challenge', 1],
  ['arc_challenge', 25],
  ['hellaswag', 0],
  ['hellaswag', 1],
  ['hellaswag', 10],
  ['mmlu', 0],
  ['mmlu', 1],
  ['mmlu', 5],
] as const) {
  const where = benchmark === 'mmlu' ? `real MMLU (${MMLU_SUBJECTS.join(', ')})` : 'fixture rows';
  test(`${benchmark} ${shots}-shot: every prompt byte-identical to lm-eval v0.4.12's, rendered by python3 (${where})`, () => {
    const expected = python({ what: 'prompts', benchmark, shots, rows, mmlu: SHARED_MMLU, subjects: MMLU_SUBJECTS });
    const got =
      benchmark === 'mmlu'
        ? cliPrompts('--data', SHARED_MMLU, '--subjects', MMLU_SUBJECTS.join(','), '--shots', String(shots))
        : cliPrompts('--benchmark', benchmark, '--data', rows, '--shots', String(shots));
    assert.equal(got.length, (expected as unknown[]).length);
    assert.deepEqual(got, expected);
  });
}

test("HellaSwag's k+1 rule is what makes the prompts lm-eval's: drawing k gives other shots after the first document", () => {
  // The same stream drawn without the rule (sample(train, k) per document), in Python.
  const r = spawnSync(
    PY,
    [
      '-c',
      `import json, random, sys
sys.path.insert(0, ${JSON.stringify(join(REPO, 'test/support'))})
import lm_eval_prompts as L
a = json.load(sys.stdin)
train = [L.hellaswag_doc(r) for r in L.jsonl(a['rows'] + '/default/train.jsonl')]
val = [L.hellaswag_doc(r) for r in L.jsonl(a['rows'] + '/default/validation.jsonl')]
out = L.render(val, train, 10, lambda d: d['query'], lambda d: d['choices'], lambda d: d['gold'], eval_doc_passed=False)
print(json.dumps([p['context'] for p in out]))`,
    ],
    { input: JSON.stringify({ rows }), encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const drawK = JSON.parse(r.stdout) as string[];
  const got = cliPrompts('--benchmark', 'hellaswag', '--data', rows, '--shots', '10').map(
    (p) => (p as { context: string }).context,
  );
  assert.ok(drawK.length >= 6);
  const same = got.map((c, i) => c === drawK[i]);
  assert.deepEqual(same.slice(1), Array(got.length - 1).fill(false), 'every document after the first differs');
  const train = readFileSync(join(rows, 'default/train.jsonl'), 'utf8').trim().split('\n');
  assert.ok(train.length >= 30, `${train.length} training rows`);
});

test('a HellaSwag 10-shot run through the CLI: valid results.json (split "validation"), samples scored on exactly the prompts lm-eval renders', () => {
  const out = mkdtempSync(join(tmpdir(), 'pb-hs-'));
  const r = runCli(
    'run',
    '--benchmark',
    'hellaswag',
    '--model',
    STORIES,
    '--data',
    rows,
    '--shots',
    '10',
    '--output-dir',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  validateResults(results);
  assert.equal(results.config.split, 'validation');
  assert.equal(results.config.fewshot_draw, 'k+1, evaluated doc removed');
  const samples = readFileSync(join(out, 'samples_hellaswag.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { context: string; continuations: string[] });
  const expected = python({ what: 'prompts', benchmark: 'hellaswag', shots: 10, rows }) as typeof samples;
  assert.deepEqual(
    samples.map((s) => [s.context, s.continuations]),
    expected.map((p) => [p.context, p.continuations]),
  );
});

/** Tokenizer folders beside stories260K's and GPT-2's: BOS turned off in the config, and a Gemma-typed model. */
function tokenizerFamilies(): { name: string; dir: string; pythonAddsBos: boolean }[] {
  const root = mkdtempSync(join(tmpdir(), 'pb-tok-'));
  const noBos = join(root, 'llama-no-bos');
  cpSync(STORIES, noBos, { recursive: true, filter: (p) => !p.includes('onnx') });
  const cfg = JSON.parse(readFileSync(join(noBos, 'tokenizer_config.json'), 'utf8'));
  writeFileSync(join(noBos, 'tokenizer_config.json'), JSON.stringify({ ...cfg, add_bos_token: false }));
  const gemma = join(root, 'gemma-like');
  cpSync(STORIES, gemma, { recursive: true, filter: (p) => !p.includes('onnx') });
  writeFileSync(join(gemma, 'tokenizer_config.json'), JSON.stringify({ ...cfg, tokenizer_class: 'GemmaTokenizer' }));
  const mc = JSON.parse(readFileSync(join(gemma, 'config.json'), 'utf8'));
  writeFileSync(
    join(gemma, 'config.json'),
    JSON.stringify({ ...mc, model_type: 'gemma', architectures: ['GemmaForCausalLM'] }),
  );
  const gpt2 = join(root, 'gpt2');
  cpSync(GPT2_TOKENIZER, gpt2, { recursive: true });
  writeFileSync(join(gpt2, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_positions: 1024 }));
  // What Python's AutoTokenizer(use_fast=True) adds with add_special_tokens=True: LlamaTokenizerFast and
  // GemmaTokenizerFast rebuild their post-processor from add_bos_token (default True); GPT2TokenizerFast adds nothing.
  return [
    { name: 'Llama SentencePiece (stories260K)', dir: STORIES, pythonAddsBos: true },
    { name: 'GPT-2 BPE', dir: gpt2, pythonAddsBos: false },
    { name: 'Llama with add_bos_token: false', dir: noBos, pythonAddsBos: false },
    { name: 'Gemma', dir: gemma, pythonAddsBos: true },
  ];
}

test("BOS per tokenizer family and release: the add_special_tokens lm-eval's tok_encode passes, as Python's tokenizer applies it", async () => {
  const texts = [
    'The following are multiple choice questions (with answers) about anatomy.\n\nWhat is a bone?\nAnswer:',
    'Question: Which gas do plants take in?\nAnswer: carbon dioxide',
    '<s>Question: already begins with the BOS text',
    '<|endoftext|>starts with GPT-2 special text',
  ];
  let checked = 0;
  for (const fam of tokenizerFamilies()) {
    const { tokenizer } = await CausalLM.loadTokenizer({ id: fam.dir.split('/').pop()!, localDir: fam.dir });
    const bosText = tokenizer.bosText;
    for (const release of ['0.4.12', '0.4.9.1']) {
      const decisions = python({
        what: 'add_special_tokens',
        release,
        texts,
        model_type: tokenizer.modelType ?? '',
        bos_text: bosText,
      }) as (boolean | null)[];
      const encode = makeEncoder(tokenizer, 'lm-eval', release);
      texts.forEach((t, i) => {
        // null: lm-eval leaves add_special_tokens out, so the tokenizer's default (True) applies.
        const special = decisions[i] ?? true;
        const plain = tokenizer.encode(t, false);
        const expected = special && fam.pythonAddsBos ? [tokenizer.bosTokenId!, ...plain] : plain;
        assert.deepEqual(encode(t), expected, `${fam.name}, lm-eval ${release}: ${JSON.stringify(t.slice(0, 20))}`);
        checked++;
      });
    }
  }
  assert.equal(checked, 32);
});

test('acceptance: default runs on stories260K equal a float64 reference that encodes as lm-eval 0.4.12 does (BOS); 0.4.9.1 named, without', async () => {
  const session = await ort.InferenceSession.create(join(STORIES, 'onnx/model.onnx'));
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  const { tokenizer } = await CausalLM.loadTokenizer({ id: 'stories260K', localDir: STORIES });
  const data = await loadAll(localDataSource(SHARED_MMLU), ['anatomy', 'astronomy'], 'test');
  const base: EvalSettings = {
    subjects: ['anatomy', 'astronomy'],
    split: 'test',
    shots: 1,
    template: 'lm-eval',
    limit: 6,
    bos: 'lm-eval',
    scorer: 'fast',
  };
  const runs = {
    latest: await evaluate(model, data, base),
    legacy: await evaluate(model, data, { ...base, lmEval: '0.4.9.1' }),
  };
  const withBos = (s: string) => [1, ...tokenizer.encode(s, false)];
  const without = (s: string) => tokenizer.encode(s, false);
  let worst = 0;
  let moved = 0;
  let picksChanged = 0;
  for (let i = 0; i < runs.latest.samples.length; i++) {
    const a = runs.latest.samples[i]!;
    const b = runs.legacy.samples[i]!;
    if (a.pred !== b.pred) picksChanged++;
    for (let c = 0; c < a.continuations.length; c++) {
      const refA = await referenceLoglikelihood(session, withBos, a.context, a.continuations[c]!, 512);
      const refB = await referenceLoglikelihood(session, without, b.context, b.continuations[c]!, 512);
      worst = Math.max(worst, Math.abs(refA - a.loglikelihoods[c]!), Math.abs(refB - b.loglikelihoods[c]!));
      moved = Math.max(moved, Math.abs(a.loglikelihoods[c]! - b.loglikelihoods[c]!));
    }
  }
  assert.ok(worst < 1e-4, `largest |engine - reference| = ${worst}`);
  assert.ok(moved > 1e-3, `the BOS default moves the log-likelihoods (largest move ${moved})`);
  console.log(
    `# lm-eval 0.4.12 vs 0.4.9.1 on stories260K: largest |ΔLL| ${moved.toFixed(4)} nats, ${picksChanged} of 12 picks changed`,
  );
  assert.equal(resolveBos('lm-eval', 'llama'), 'tokenizer');
  assert.equal(resolveBos('lm-eval', 'llama', '0.4.9.1'), 'never');
  await model.dispose();
});

test('results name the release: CLI default 0.4.12 (BOS by the tokenizer), --lm-eval 0.4.9.1 on request; merge refuses and compare warns across releases', () => {
  const out = (release?: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-release-'));
    const r = runCli(
      'run',
      '--model',
      STORIES,
      '--data',
      SHARED_MMLU,
      '--subjects',
      'anatomy',
      '--limit',
      '3',
      ...(release ? ['--lm-eval', release] : []),
      '--output-dir',
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  };
  const latest = out();
  const legacy = out('0.4.9.1');
  assert.equal(latest.config.lm_eval_version, LATEST_LM_EVAL);
  assert.equal(latest.config.bos_resolved, 'tokenizer');
  assert.equal(legacy.config.lm_eval_version, '0.4.9.1');
  assert.equal(legacy.config.bos_resolved, 'never');
  assert.deepEqual(setupDifferences(latest.config, legacy.config), [
    'lm_eval_version: 0.4.12 vs 0.4.9.1',
    'bos_resolved: tokenizer vs never',
  ]);
  const old = structuredClone(legacy.config);
  delete old.lm_eval_version; // a results.json written before the field: it emulated 0.4.9.1
  assert.deepEqual(setupDifferences(old, legacy.config), []);
  const cmp = compareResults(comparableFromResults('A', latest), comparableFromResults('B', legacy));
  assert.ok(
    cmp.warnings.some((w) => /different lm-eval releases: A 0\.4\.12, B 0\.4\.9\.1/.test(w)),
    cmp.warnings.join('\n'),
  );
  const lmEvalFile = { ...structuredClone(LM_EVAL_RESULTS), lm_eval_version: '0.4.8' };
  const vsHarness = compareResults(comparableFromResults('pb', latest), comparableFromResults('harness', lmEvalFile));
  assert.ok(vsHarness.warnings.some((w) => /different lm-eval releases: pb 0\.4\.12, harness 0\.4\.8/.test(w)));
  const bad = runCli('run', '--model', STORIES, '--data', SHARED_MMLU, '--lm-eval', '0.4.7', '--output-dir', tmpdir());
  assert.match(bad.stderr, /--lm-eval must be one of 0\.4\.12, 0\.4\.9\.1, leaderboard-v1, got "0\.4\.7"/);
});
