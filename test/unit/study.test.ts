/**
 * Prompt-sensitivity studies (pagebench study) on the real stories260K and the real MMLU.
 * Expected statistics are recomputed independently by test/support/study_stats.py (Debian's
 * python3 with numpy, scipy's kendalltau, statsmodels' exact McNemar test and fleiss_kappa,
 * scikit-learn's cohen_kappa_score) from the samples the study wrote; the shown choices and the
 * permutations are checked there against the CSV rows read with Python's csv module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateResults, validateSample, validateStudy } from '../../src/core/report/validate.ts';
import { cohenKappa, kendallTauB, mcnemarExact } from '../../src/core/study/stats.ts';
import { baseAxes, expandVariants } from '../../src/core/study/axes.ts';
import { describeVariant } from '../../src/core/study/describe.ts';
import { getBenchmark } from '../../src/core/benchmarks/registry.ts';
import { readSamples, runCli, storiesCli } from '../support/cli.ts';
import { REPO, SHARED_MMLU, STORIES } from '../support/paths.ts';
import { makeQuantizedVariants } from '../support/syntheticModel.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const SUBJECTS = 'abstract_algebra,anatomy,astronomy,high_school_biology';

const samplesOf = readSamples;

function close(actual: unknown, expected: unknown, path: string, tol = 1e-9): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= tol, `${path}: ${actual} vs expected ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, `${path}[${i}]`, tol));
  } else if (expected && typeof expected === 'object') {
    for (const [k, e] of Object.entries(expected))
      close((actual as Record<string, unknown>)[k], e, `${path}.${k}`, tol);
  } else assert.equal(actual, expected, path);
}

/** study.json's statistics against test/support/study_stats.py's recomputation from the samples written in `dir`. */
function matchesPython(s: { variants: unknown; pairs: unknown; overall: unknown }, dir: string): void {
  const py = spawnSync('/usr/bin/python3', [join(REPO, 'test/support/study_stats.py'), dir, SHARED_MMLU], {
    encoding: 'utf8',
  });
  assert.equal(py.status, 0, py.stderr);
  const expected = JSON.parse(py.stdout);
  assert.deepEqual(expected.permutation_errors, []);
  close(s.variants, expected.variants, 'variants');
  close(s.pairs, expected.pairs, 'pairs');
  close(s.overall, expected.overall, 'overall');
}

const study = tmp('pb-study-');
const studyRun = storiesCli('study', [
  '--subjects',
  SUBJECTS,
  '--limit',
  '12',
  '--shots',
  '5',
  '--vary',
  'order=cyclic,reverse,random:7',
  '--output-dir',
  study,
]);

test('a 6-variant study: every statistic of study.json equals the Python recomputation; permutations match the CSV', () => {
  assert.equal(studyRun.code, 0, studyRun.stderr);
  const s = JSON.parse(readFileSync(join(study, 'study.json'), 'utf8'));
  validateStudy(s);
  assert.deepEqual(
    s.variants.map((v: { id: string }) => v.id),
    ['order-cyc0', 'order-cyc1', 'order-cyc2', 'order-cyc3', 'order-reverse', 'order-random7'],
  );
  assert.equal(s.pairs.length, 15);
  for (const v of s.variants) {
    const r = JSON.parse(readFileSync(join(study, v.id, 'results.json'), 'utf8'));
    validateResults(r);
    assert.deepEqual(r.config.prompt_variant, { id: v.id, axes: v.axes });
    for (const sample of samplesOf(join(study, v.id)).values()) validateSample(sample);
  }
  matchesPython(s, study);
  // Not degenerate: the picks move with the order (a model at chance favours positions).
  assert.ok(s.overall.spread > 0 && s.pairs.some((p: { mcnemar_p: number }) => p.mcnemar_p < 1));
});

test('cyc0 at 5 shots equals pagebench run at 5 shots (1e-4); a rotation scored naively equals the shared-stem fast path', () => {
  assert.equal(studyRun.code, 0, studyRun.stderr);
  const run = tmp('pb-study-run-');
  const r = storiesCli('run', ['--subjects', SUBJECTS, '--limit', '12', '--shots', '5', '--output-dir', run]);
  assert.equal(r.code, 0, r.stderr);
  const plain = samplesOf(run);
  const cyc0 = samplesOf(join(study, 'order-cyc0'));
  assert.equal(cyc0.size, plain.size);
  for (const [k, p] of plain) {
    const c = cyc0.get(k)!;
    assert.equal(c.context, p.context, k);
    (p.loglikelihoods as number[]).forEach((l, i) => close((c.loglikelihoods as number[])[i], l, `${k}[${i}]`, 1e-4));
    assert.equal(c.pred, p.pred);
  }
  const naive = tmp('pb-study-naive-');
  const n = storiesCli('study', [
    '--subjects',
    'anatomy',
    '--limit',
    '6',
    '--shots',
    '5',
    '--scorer',
    'naive',
    '--vary',
    'order=cyc2,reverse',
    '--output-dir',
    naive,
  ]);
  assert.equal(n.code, 0, n.stderr);
  for (const id of ['order-cyc2', 'order-reverse']) {
    const fast = samplesOf(join(study, id));
    for (const [k, s] of samplesOf(join(naive, id)))
      close(fast.get(k)!.loglikelihoods, s.loglikelihoods, `${id} ${k}`, 1e-4);
  }
});

test('label sets, shot order and chat axes build the prompts they name; a model without a chat template is refused', () => {
  const out = tmp('pb-study-axes-');
  const r = storiesCli('study', [
    '--subjects',
    'anatomy',
    '--limit',
    '3',
    '--shots',
    '2',
    '--vary',
    'labels=1234,(A)',
    '--vary',
    'shot_order=first_n,random:3',
    '--output-dir',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const ids = readdirSync(out)
    .filter((f) => f !== 'study.json')
    .sort();
  assert.deepEqual(ids, [
    'labels-1234_shot_order-first_n',
    'labels-1234_shot_order-random3',
    'labels-A_shot_order-first_n',
    'labels-A_shot_order-random3',
  ]);
  const numbered = [...samplesOf(join(out, 'labels-1234_shot_order-first_n')).values()][0]!;
  assert.match(numbered.context as string, /\n1\. [^\n]*\n2\. [^\n]*\n3\. [^\n]*\n4\. [^\n]*\nAnswer:$/);
  assert.deepEqual(numbered.continuations, [' 1', ' 2', ' 3', ' 4']);
  const paren = [...samplesOf(join(out, 'labels-A_shot_order-first_n')).values()][0]!;
  assert.match(paren.context as string, /\n\(A\) [^\n]*\n\(B\) [^\n]*\n\(C\) [^\n]*\n\(D\) [^\n]*\nAnswer:$/);
  assert.deepEqual(paren.continuations, [' (A)', ' (B)', ' (C)', ' (D)']);
  // Seeded shots: other examples than the first two dev rows, the same for both label sets.
  const firstN = [...samplesOf(join(out, 'labels-1234_shot_order-first_n')).values()];
  const random1 = [...samplesOf(join(out, 'labels-1234_shot_order-random3')).values()];
  const randomA = [...samplesOf(join(out, 'labels-A_shot_order-random3')).values()];
  assert.ok(firstN.some((s, i) => s.context !== random1[i]!.context));
  random1.forEach((s, i) => {
    assert.equal(s.shots_used, 2);
    assert.equal(randomA[i]!.doc_id, s.doc_id);
  });

  const refused = storiesCli('study', [
    '--subjects',
    'anatomy',
    '--limit',
    '2',
    '--vary',
    'chat=none,single',
    '--output-dir',
    tmp('pb-study-nochat-'),
  ]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^pagebench: error: .*has no chat template: chat variants need one\n$/);

  // The same model with a chat template in its tokenizer_config.json (as instruct exports ship it).
  const chatModel = tmp('pb-chat-model-');
  cpSync(STORIES, chatModel, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(chatModel, 'tokenizer_config.json'), 'utf8'));
  cfg.chat_template =
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";
  writeFileSync(join(chatModel, 'tokenizer_config.json'), JSON.stringify(cfg));
  const chatOut = tmp('pb-study-chat-');
  const c = storiesCli(
    'study',
    [
      '--subjects',
      'anatomy',
      '--limit',
      '2',
      '--shots',
      '1',
      '--vary',
      'chat=none,single,multiturn',
      '--system',
      'Answer with a letter.',
      '--output-dir',
      chatOut,
    ],
    chatModel,
  );
  assert.equal(c.code, 0, c.stderr);
  const single = [...samplesOf(join(chatOut, 'chat-single')).values()][0]!;
  const multi = [...samplesOf(join(chatOut, 'chat-multiturn')).values()][0]!;
  assert.match(single.context as string, /^<\|system\|>\nAnswer with a letter\.<\|end\|>\n<\|user\|>\nThe following/);
  assert.match(single.context as string, /\nAnswer:<\|end\|>\n<\|assistant\|>\n$/);
  assert.equal((single.context as string).split('<|user|>').length, 2);
  assert.equal((multi.context as string).split('<|user|>').length, 3);
  assert.match(multi.context as string, /<\|assistant\|>\n[ABCD]<\|end\|>\n<\|user\|>\n/);
  assert.deepEqual(single.continuations, ['A', 'B', 'C', 'D']);
});

test('study usage errors name the problem in one line', () => {
  const base = [
    'study',
    '--model',
    STORIES,
    '--data',
    SHARED_MMLU,
    '--subjects',
    'anatomy',
    '--output-dir',
    tmp('pb-e-'),
  ];
  const cases: [string[], RegExp][] = [
    [['--vary', 'dtype=fp32,int3'], /dtype must be one of fp32, fp16, q8, q4, q4f16, got "int3"/],
    [['--vary', 'dtype=fp32,q8'], /--vary dtype: .*stories260K has no onnx\/model_quantized.onnx \(the q8 file\)/],
    [['--vary', 'ordr=cyclic'], /axis one of template, shots, .*did you mean order\?/],
    [['--vary', 'order=identity'], /at least two variants/],
    [['--vary', 'order=sideways,identity'], /order must be identity, cyclic/],
    [['--template', 'cloze', '--vary', 'labels=ABCD,1234'], /template cloze shows no labels/],
    [['--vary', 'template=lm-eval,generate'], /template generate scores by generation/],
    [['--vary', 'shots=0,9'], /shots=9: MMLU's dev split has 5 rows/],
    [['--vary', 'order=cyclic', '--vary', 'order=reverse'], /--vary order given twice/],
  ];
  for (const [args, re] of cases) {
    const r = runCli(...base, ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr.split('\n')[0]!, re, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const runVary = storiesCli('run', ['--vary', 'order=cyclic', '--output-dir', tmp('pb-e-')]);
  assert.match(runVary.stderr, /--vary is a study option/);
});

test('statistics at their edges: no discordant pairs, a constant rater, constant per-subject accuracies', () => {
  assert.equal(mcnemarExact(0, 0), 1);
  // scipy.stats.binomtest(0, 10, 0.5).pvalue = 2 * 0.5**10
  assert.equal(mcnemarExact(0, 10), 2 * 0.5 ** 10);
  assert.equal(mcnemarExact(5, 5), 1);
  assert.equal(cohenKappa([2, 2, 2], [2, 2, 2], 4), 1);
  assert.equal(kendallTauB([0.5, 0.5, 0.5], [0.1, 0.2, 0.3]), null);
  // scipy.stats.kendalltau([1, 2, 3, 3], [1, 3, 2, 2]).statistic = 0.19999999999999998 (ties on both sides)
  close(kendallTauB([1, 2, 3, 3], [1, 3, 2, 2]), 0.19999999999999998, 'tau', 1e-12);
});

test('run --chat single|multiturn and --description off; description is a study axis', () => {
  const chatModel = tmp('pb-chat-run-model-');
  cpSync(STORIES, chatModel, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(chatModel, 'tokenizer_config.json'), 'utf8'));
  cfg.chat_template =
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";
  writeFileSync(join(chatModel, 'tokenizer_config.json'), JSON.stringify(cfg));
  const run = (...extra: string[]) => {
    const out = tmp('pb-chat-run-');
    const r = storiesCli(
      'run',
      ['--subjects', 'anatomy', '--limit', '3', '--shots', '2', ...extra, '--output-dir', out],
      chatModel,
    );
    assert.equal(r.code, 0, r.stderr);
    return {
      results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')),
      samples: [...samplesOf(out).values()],
    };
  };
  const multi = run('--chat', 'multiturn', '--system', 'Be brief.');
  assert.equal(multi.results.config.chat, 'multiturn');
  assert.equal(multi.results.config.system_prompt, 'Be brief.');
  assert.match(multi.samples[0]!.context as string, /^<\|system\|>\nBe brief\.<\|end\|>\n<\|user\|>\nThe following/);
  assert.equal((multi.samples[0]!.context as string).split('<|assistant|>').length, 4);
  assert.deepEqual(multi.samples[0]!.continuations, ['A', 'B', 'C', 'D']);
  // The chat run's numbers are a study variant's: chat=multiturn scored alone or among variants.
  const study = tmp('pb-chat-study-');
  const s = storiesCli(
    'study',
    [
      '--subjects',
      'anatomy',
      '--limit',
      '3',
      '--shots',
      '2',
      '--system',
      'Be brief.',
      '--vary',
      'chat=none,multiturn',
      '--vary',
      'description=on,off',
      '--output-dir',
      study,
    ],
    chatModel,
  );
  assert.equal(s.code, 0, s.stderr);
  const variant = [...samplesOf(join(study, 'chat-multiturn_description-on')).values()];
  multi.samples.forEach((x, i) => {
    assert.equal(variant[i]!.context, x.context);
    close(variant[i]!.loglikelihoods, x.loglikelihoods, `chat ${i}`, 1e-4);
  });
  const off = run('--description', 'off');
  assert.equal(off.results.config.description, false);
  assert.match(off.samples[0]!.context as string, /^(?!The following)/);
  assert.equal(off.results.configs.mmlu_anatomy.description, '');
  const offVariant = [...samplesOf(join(study, 'chat-none_description-off')).values()];
  off.samples.forEach((x, i) => assert.equal(offVariant[i]!.context, x.context));
  assert.equal(storiesCli('run', ['--system', 'x', '--output-dir', tmp('pb-e-')]).code, 2);
});

test('dtype is a study axis: each dtype’s variants are that dtype’s plain run; the statistics equal the Python recomputation', () => {
  const model = makeQuantizedVariants(STORIES, 'q8');
  const out = tmp('pb-study-dtype-');
  const common = ['--subjects', 'anatomy,astronomy', '--limit', '10', '--shots', '1'];
  const r = storiesCli(
    'study',
    [...common, '--vary', 'dtype=fp32,q8', '--vary', 'order=identity,reverse', '--output-dir', out],
    model,
  );
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(readFileSync(join(out, 'study.json'), 'utf8'));
  validateStudy(s);
  assert.deepEqual(
    s.variants.map((v: { id: string }) => v.id),
    ['dtype-fp32_order-identity', 'dtype-fp32_order-reverse', 'dtype-q8_order-identity', 'dtype-q8_order-reverse'],
  );
  assert.equal(s.dtype, 'fp32, q8');
  assert.ok(
    s.graph_rewrites.q8.includes('per-row-dynamic-quant') && !s.graph_rewrites.fp32.includes('per-row-dynamic-quant'),
  );
  const sha = new Map<string, string>();
  for (const dtype of ['fp32', 'q8']) {
    const plain = tmp(`pb-study-dtype-${dtype}-`);
    const p = storiesCli('run', [...common, '--dtype', dtype, '--output-dir', plain], model);
    assert.equal(p.code, 0, p.stderr);
    const variant = join(out, `dtype-${dtype}_order-identity`);
    const res = JSON.parse(readFileSync(join(variant, 'results.json'), 'utf8'));
    validateResults(res);
    const plainRes = JSON.parse(readFileSync(join(plain, 'results.json'), 'utf8'));
    // the variant's run facts are its own model's, as in a plain run of that dtype
    for (const k of ['dtype', 'model_sha256', 'graph_rewrites']) assert.deepEqual(res.config[k], plainRes.config[k], k);
    sha.set(dtype, res.config.model_sha256);
    const got = samplesOf(variant);
    const want = samplesOf(plain);
    assert.equal(got.size, want.size);
    for (const [k, w] of want) {
      assert.equal(got.get(k)!.context, w.context, k);
      close(got.get(k)!.loglikelihoods, w.loglikelihoods, `${dtype} ${k}`, 1e-4);
    }
  }
  assert.notEqual(sha.get('fp32'), sha.get('q8'));
  matchesPython(s, out);
  // quantization moves some log-likelihoods: the fp32 and q8 identity variants are not the same numbers
  const a = samplesOf(join(out, 'dtype-fp32_order-identity'));
  const b = samplesOf(join(out, 'dtype-q8_order-identity'));
  assert.ok(
    [...a].some(([k, x]) =>
      (x.loglikelihoods as number[]).some((l, i) => Math.abs(l - (b.get(k)!.loglikelihoods as number[])[i]!) > 1e-3),
    ),
  );
});

test('study variants are named in words from their varied axes', () => {
  const vary: [Parameters<typeof expandVariants>[1][number][0], string[]][] = [
    ['order', ['cyc0', 'cyc1', 'reverse', 'random:7']],
    ['description', ['on', 'off']],
  ];
  const base = baseAxes(getBenchmark('mmlu'), 'lm-eval', 0);
  const variants = expandVariants(base, vary);
  const words = variants.map((v) => describeVariant(v.axes, ['order', 'description']));
  assert.deepEqual(words.slice(0, 4), [
    'choices in their original order, with the description line',
    'choices in their original order, without the description line',
    'choices rotated by 1, with the description line',
    'choices rotated by 1, without the description line',
  ]);
  assert.equal(words[4], 'choices reversed, with the description line');
  assert.equal(words[7], 'choices shuffled (seed 7), without the description line');
  const t = expandVariants(base, [['template', ['lm-eval', 'cloze']]]);
  assert.deepEqual(
    t.map((v) => describeVariant(v.axes, ['template'])),
    ['lm-eval template (headline acc)', 'cloze template (headline acc_norm)'],
  );
});
