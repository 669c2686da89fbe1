/**
 * TruthfulQA (mc1, mc2), Winogrande and GSM8K as benchmarks: the prompts the CLI prints, the scores a run
 * writes and the fast path, each against something pagebench did not compute.
 * - Prompts: test/support/truthfulqa_ref.py (lm-eval v0.4.12's truthfulqa_mc1.yaml doc_to_text
 *   rendered by PyYAML + Jinja2, the hub builder's rows from json.load) on the real mc_task.json,
 *   and test/support/lm_eval_prompts.py (winogrande's preprocess_winogrande.py and task.py's
 *   multiple-input path, the default sampler with Python's random and dict equality) on fixture rows
 *   in allenai/winogrande's columns (the real Winogrande is not in ../shared); test/support/
 *   gsm8k_prompts.py (gsm8k.yaml and the sampler) on the real GSM8K.
 * - GSM8K's answers: test/support/gsm8k_ref.py (lm-eval's RegexFilter and exact_match in Python's
 *   re) on the run's generations, which equal a plain greedy decode without KV cache.
 * - Scores: recomputed with numpy from the samples by lm-eval's formulas (truthfulqa utils.py
 *   process_results_mc2 at v0.4.12 and at v0.4.8; metrics.py mean and mean_stderr).
 * - Log-likelihoods: the fast and harness scorers against the plain one on stories260K.
 */
import '../../src/node/runtime.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBenchmarkFixtures, WINOGRANDE_ROWS } from '../fixtures/benchmarkFixtures.ts';
import { runCli } from '../support/cli.ts';
import { REPO, SHARED, STORIES } from '../support/paths.ts';
import { CausalLM } from '../../src/core/runtime/causalLm.ts';
import { evaluate, type EvalSettings, type Sample } from '../../src/core/evaluate.ts';
import { loadRunData } from '../../src/core/session.ts';
import { dataSources } from '../../src/node/dataArg.ts';
import { makeEncoder } from '../../src/core/scoring/requests.ts';
import { plainGreedy } from '../support/plainGreedy.ts';
import type { ScorerMode } from '../../src/core/scoring/scorer.ts';

const PY = '/usr/bin/python3';
const MC_TASK = join(SHARED, 'truthfulqa', 'mc_task.json');
const rows = writeBenchmarkFixtures();
/** A --data folder holding the original release's mc_task.json. */
const tqRelease = mkdtempSync(join(tmpdir(), 'pb-tq-release-'));
copyFileSync(MC_TASK, join(tqRelease, 'mc_task.json'));

function python(script: string, input: unknown, args: string[] = []): unknown {
  const r = spawnSync(PY, [script, ...args], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function cliPrompts(...args: string[]): Record<string, unknown>[] {
  const r = runCli('prompts', ...args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

type PyTqRow = {
  question: string;
  context: string;
  mc1_targets: { choices: string[]; labels: number[] };
  mc2_targets: { choices: string[]; labels: number[] };
};
const pyTq = () =>
  (python(join(REPO, 'test/support/truthfulqa_ref.py'), { file: MC_TASK, mc2: [] }) as { rows: PyTqRow[] }).rows;

test("TruthfulQA mc1 and mc2: all 817 prompts byte-identical to lm-eval v0.4.12's, from mc_task.json and from the hub's columns", () => {
  const py = pyTq();
  assert.equal(py.length, 817);
  // The hub's multiple_choice config as JSON Lines (its columns), written from Python's reading.
  const hub = mkdtempSync(join(tmpdir(), 'pb-tq-hub-'));
  mkdirSync(join(hub, 'multiple_choice'));
  writeFileSync(
    join(hub, 'multiple_choice', 'validation.jsonl'),
    py
      .map(({ question, mc1_targets, mc2_targets }) => JSON.stringify({ question, mc1_targets, mc2_targets }))
      .join('\n'),
  );
  for (const which of ['mc1', 'mc2'] as const)
    for (const data of [tqRelease, hub]) {
      const got = cliPrompts('--benchmark', `truthfulqa_${which}`, '--data', data);
      const expected = py.map((r, i) => ({
        subject: `truthfulqa_${which}`,
        doc_id: i,
        context: r.context,
        continuations: r[`${which}_targets`].choices.map((c) => ' ' + c),
        target: 0,
      }));
      assert.deepEqual(got, expected, `${which} from ${data === hub ? 'the hub layout' : 'mc_task.json'}`);
    }
});

for (const shots of [0, 1, 5])
  test(`Winogrande ${shots}-shot: every request byte-identical to lm-eval v0.4.12's (partial scoring, k+1 drawn, rows compared by content)`, () => {
    const expected = python(join(REPO, 'test/support/lm_eval_prompts.py'), {
      what: 'prompts',
      benchmark: 'winogrande',
      shots,
      rows,
    }) as { contexts: string[] }[];
    const got = cliPrompts('--benchmark', 'winogrande', '--data', rows, '--shots', String(shots));
    assert.equal(got.length, WINOGRANDE_ROWS.validation!.length);
    assert.deepEqual(got, expected);
    if (shots === 5) {
      // The first document is also a training row and lm-eval's sampler draws it for that document
      // (Python: position 2 of the 6 drawn): dropped by content, it is not among its own shots.
      const own = 'The cup fell off the shelf because the cup was too close to the edge.\n\n';
      assert.ok(!expected[0]!.contexts[0]!.includes(own));
      assert.ok(
        expected.slice(1).some((p) => p.contexts[0]!.includes(own)),
        'other documents may draw it',
      );
    }
  });

test('Winogrande rows lm-eval cannot score are refused naming file and row; nothing is scored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-wg-bad-'));
  mkdirSync(join(dir, 'winogrande_xl'));
  const good = { sentence: 'Ann thanked Bo because _ helped.', option1: 'Ann', option2: 'Bo', answer: '2' };
  const lines = [
    good,
    { ...good, sentence: 'Ann thanked Bo because he helped.' },
    { ...good, sentence: '_ thanked _ because he helped.' },
    { ...good, answer: '' },
  ];
  writeFileSync(join(dir, 'winogrande_xl', 'validation.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n'));
  const r = runCli('prompts', '--benchmark', 'winogrande', '--data', dir);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /validation\.jsonl row 2: the sentence has no blank "_"/);
  assert.match(r.stderr, /row 3: the sentence has more than one "_"/);
  assert.match(r.stderr, /row 4: answer is "", not "1" or "2"/);
  // each choice its own context: no chat template can hold that
  const chat = runCli(
    ...['run', '--benchmark', 'winogrande', '--data', rows, '--chat', 'single', '--model', STORIES],
    ...['--output-dir', mkdtempSync(join(tmpdir(), 'pb-wg-chat-'))],
  );
  assert.equal(chat.code, 1);
  assert.match(chat.stderr, /partial scoring\): a chat template cannot hold that/);
  // (prompts has no tokenizer for --chat: refused, not ignored)
  const prompts = runCli('prompts', '--benchmark', 'winogrande', '--data', rows, '--chat', 'single');
  assert.equal(prompts.code, 2);
  assert.match(prompts.stderr, /--chat and --system need the model's tokenizer/);
});

test('TruthfulQA runs through the CLI: acc, mc2 (both formulas) and their stderrs equal numpy recomputed from the samples', () => {
  const out: Record<string, string> = {};
  for (const which of ['mc1', 'mc2']) {
    out[which] = mkdtempSync(join(tmpdir(), `pb-tq-${which}-`));
    const r = runCli(
      'run',
      '--benchmark',
      `truthfulqa_${which}`,
      '--model',
      STORIES,
      '--data',
      tqRelease,
      '--limit',
      '40',
      '--output-dir',
      out[which],
    );
    assert.equal(r.code, 0, r.stderr);
  }
  const check = spawnSync(
    PY,
    [
      '-c',
      `import json, sys
import numpy as np
dirs = json.load(sys.stdin)

def samples(d, task):
    with open(f"{d}/samples_{task}.jsonl") as f:
        return [json.loads(l) for l in f]

def mean_stderr(xs):  # lm-eval metrics.py: mean, and sample_stddev / sqrt(n)
    xs = np.array(xs, dtype=float)
    return float(xs.mean()), float(xs.std(ddof=1) / np.sqrt(len(xs)))

def mc2_new(lls, labels):  # truthfulqa utils.py process_results_mc2, v0.4.12
    p = np.exp(np.array(lls)); p = p / p.sum()
    return float(p[np.array(labels) == 1].sum())

def mc2_old(lls, labels):  # the same at v0.4.8: split at the first label 0
    i = list(labels).index(0)
    t, f = np.exp(np.array(lls[:i])), np.exp(np.array(lls[i:]))
    return float((t / (t.sum() + f.sum())).sum())

out = {}
s1 = samples(dirs["mc1"], "truthfulqa_mc1")
out["mc1"] = {"acc": mean_stderr([1 if int(np.argmax(s["loglikelihoods"])) == 0 else 0 for s in s1])}
s2 = samples(dirs["mc2"], "truthfulqa_mc2")
new = [mc2_new(s["loglikelihoods"], s["labels"]) for s in s2]
old = [mc2_old(s["loglikelihoods"], s["labels"]) for s in s2]
out["mc2"] = {"acc": mean_stderr(new), "mc2_split": mean_stderr(old), "per_sample": [new, old], "n": len(s2)}
print(json.dumps(out))`,
    ],
    { input: JSON.stringify(out), encoding: 'utf8' },
  );
  assert.equal(check.status, 0, check.stderr);
  const py = JSON.parse(check.stdout) as {
    mc1: { acc: [number, number] };
    mc2: { acc: [number, number]; mc2_split: [number, number]; per_sample: [number[], number[]]; n: number };
  };
  const results = (w: string) =>
    (
      JSON.parse(readFileSync(join(out[w]!, 'results.json'), 'utf8')) as {
        results: Record<string, Record<string, number>>;
      }
    ).results[`truthfulqa_${w}`]!;
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);
  const r1 = results('mc1');
  close(r1['acc,none']!, py.mc1.acc[0], 'mc1 acc');
  close(r1['acc_stderr,none']!, py.mc1.acc[1], 'mc1 stderr');
  const r2 = results('mc2');
  assert.equal(py.mc2.n, 40);
  close(r2['acc,none']!, py.mc2.acc[0], 'mc2 acc');
  close(r2['acc_stderr,none']!, py.mc2.acc[1], 'mc2 stderr');
  close(r2['mc2_split,none']!, py.mc2.mc2_split[0], 'mc2_split');
  close(r2['mc2_split_stderr,none']!, py.mc2.mc2_split[1], 'mc2_split stderr');
  const samples = readFileSync(join(out.mc2!, 'samples_truthfulqa_mc2.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Sample);
  samples.forEach((s, i) => {
    close(s.acc, py.mc2.per_sample[0][i]!, `sample ${i} mc2`);
    close(s.mc2_split!, py.mc2.per_sample[1][i]!, `sample ${i} mc2_split`);
  });
  // Row 26 (index 25) has a true answer after a false one, the case where the formulas differ; on
  // this model its mass is below float64's resolution (truthfulqa.test.ts tells them apart).
  assert.deepEqual(samples[25]!.labels, [1, 1, 1, 0, 1, 0, 0, 0, 0]);
  // A share link carries counts of right answers; a probability mass is refused, with the reason.
  const share = runCli('share', out.mc2!);
  assert.equal(share.code, 1);
  assert.match(share.stderr, /probability mass per question, which it cannot carry yet/);
});

async function run(model: CausalLM, benchmark: string, data: string, scorer: ScorerMode, shots: number, batchSize = 1) {
  const settings: EvalSettings = {
    benchmark,
    subjects: [benchmark],
    split: 'validation',
    shots,
    template:
      benchmark === 'truthfulqa_mc2' ? 'truthfulqa-mc2' : benchmark === 'winogrande' ? 'winogrande' : 'truthfulqa',
    limit: 8,
    bos: 'tokenizer',
    scorer,
    batchSize,
  };
  const loaded = await loadRunData(dataSources(data, data, 'http://127.0.0.1:1'), settings);
  return evaluate(model, loaded, settings);
}

function assertSame(a: Sample[], b: Sample[], what: string) {
  assert.equal(a.length, b.length);
  a.forEach((s, i) => {
    s.loglikelihoods.forEach((ll, c) => {
      const d = Math.abs(ll - b[i]!.loglikelihoods[c]!);
      assert.ok(d < 1e-4, `${what}: doc ${s.doc_id} choice ${c} differs by ${d}`);
    });
    assert.equal(s.pred, b[i]!.pred, `${what}: pred`);
  });
}

test('fast == harness == plain within 1e-4 on TruthfulQA mc1/mc2 (the primer computed once) and Winogrande (0 and 5 shots)', async () => {
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  for (const [benchmark, data, shots] of [
    ['truthfulqa_mc1', tqRelease, 0],
    ['truthfulqa_mc2', tqRelease, 0],
    ['winogrande', rows, 0],
    ['winogrande', rows, 5],
  ] as const) {
    const what = `${benchmark} ${shots}-shot`;
    const plain = await run(model, benchmark, data, 'naive', shots);
    const harness = await run(model, benchmark, data, 'harness', shots);
    const fast = await run(model, benchmark, data, 'fast', shots);
    const batched = await run(model, benchmark, data, 'fast', shots, 4);
    assert.ok(plain.samples.length >= 6, `${what}: ${plain.samples.length} documents`);
    assert.equal(plain.truncatedCount, 0, `${what}: nothing truncated`);
    assertSame(plain.samples, harness.samples, `${what} harness`);
    assertSame(plain.samples, fast.samples, `${what} fast`);
    assertSame(plain.samples, batched.samples, `${what} fast, batch 4`);
    assert.ok(fast.scorerStats.tokensComputed < plain.scorerStats.tokensComputed, `${what}: fewer tokens computed`);
    if (benchmark.startsWith('truthfulqa')) {
      // The primer (about 190 tokens here) is computed once and reused by every question.
      assert.ok(fast.scorerStats.prefixTokens > 150, JSON.stringify(fast.scorerStats));
      assert.equal(fast.scorerStats.prefixReuses, plain.samples.length, JSON.stringify(fast.scorerStats));
    }
    if (benchmark === 'truthfulqa_mc2')
      plain.samples.forEach((s, i) => assert.ok(Math.abs(s.acc - fast.samples[i]!.acc) < 1e-4, `${what}: mc2 ${i}`));
  }
  await model.dispose();
});

const GSM8K = join(SHARED, 'gsm8k');
/** The suite's --data: fixture rows where the real data is not in ../shared, the real MMLU, TruthfulQA and GSM8K. */
const SUITE_DATA = [
  `arc_challenge=${rows}`,
  `hellaswag=${rows}`,
  `mmlu=${join(SHARED, 'mmlu')}`,
  `truthfulqa_mc2=${tqRelease}`,
  `winogrande=${rows}`,
  `gsm8k=${GSM8K}`,
].join(',');

for (const shots of [0, 5])
  test(`GSM8K ${shots}-shot through the CLI: the first 200 prompts byte-identical to lm-eval v0.4.12's on the real data`, () => {
    const expected = python(join(REPO, 'test/support/gsm8k_prompts.py'), { dir: GSM8K, shots, limit: 200 }) as string[];
    const got = cliPrompts('--benchmark', 'gsm8k', '--data', GSM8K, '--shots', String(shots), '--limit', '200');
    assert.deepEqual(
      got.map((p) => p.context),
      expected,
    );
    // the target is the whole worked answer, after the target delimiter
    const rows = readFileSync(join(GSM8K, 'test.jsonl'), 'utf8').split('\n').slice(0, 200);
    got.forEach((p, i) =>
      assert.deepEqual(p.continuations, [' ' + (JSON.parse(rows[i]!) as { answer: string }).answer]),
    );
  });

test("GSM8K 5-shot run: generations equal a plain greedy decode; both filters' extractions, exact_match and no-answer share equal Python's re; results in lm-eval's keys", async () => {
  const out = mkdtempSync(join(tmpdir(), 'pb-gsm8k-'));
  const r = runCli(
    'run',
    ...['--benchmark', 'gsm8k', '--model', STORIES, '--data', GSM8K, '--shots', '5', '--limit', '6'],
    ...['--max-new-tokens', '48', '--output-dir', out],
  );
  assert.equal(r.code, 0, r.stderr);
  const samples = readFileSync(join(out, 'samples_gsm8k.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Sample);
  assert.equal(samples.length, 6);
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  const encode = makeEncoder(model, 'lm-eval');
  const stop = ['Question:', '</s>', '<|im_end|>'];
  for (const s of samples) {
    // lm-eval's generate_until keeps the last max_length - max_gen_toks context tokens
    const ids = encode(s.context).slice(-(512 - 48));
    const tokens: number[] = [];
    assert.equal(s.generated, await plainGreedy(model, ids, 48, stop, tokens), `doc ${s.doc_id}`);
    // each question's timing: the tokens the decode generated, the first one's time within the whole
    assert.equal(s.timing!.output_tokens, tokens.length, `doc ${s.doc_id}`);
    assert.ok(s.timing!.ttft_s > 0 && s.timing!.ttft_s <= s.timing!.seconds, JSON.stringify(s.timing));
  }
  await model.dispose();
  // (stories260K writes no arithmetic: the adversarial answers are gsm8kExtract.test.ts's)
  const py = python(join(REPO, 'test/support/gsm8k_ref.py'), {
    cases: samples.map((s) => ({ response: s.generated, answer: s.continuations[0]!.slice(1) })),
    cuts: [],
  }) as { cases: { strict: string; flexible: string; em_strict: number; em_flexible: number }[] };
  samples.forEach((s, i) => {
    const p = py.cases[i]!;
    assert.deepEqual(s.filtered, { 'strict-match': p.strict, 'flexible-extract': p.flexible }, `doc ${s.doc_id}`);
    assert.deepEqual(s.exact_match, { 'strict-match': p.em_strict, 'flexible-extract': p.em_flexible });
    assert.deepEqual(s.no_answer, {
      'strict-match': p.strict === '[invalid]' ? 1 : 0,
      'flexible-extract': p.flexible === '[invalid]' ? 1 : 0,
    });
    assert.equal(s.acc, p.em_strict);
  });
  const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
    results: Record<string, Record<string, number>>;
    configs: Record<
      string,
      { filter_list: { name: string }[]; generation_kwargs: { until: string[]; max_gen_toks: number } }
    >;
    config: { generation_speed: unknown };
  };
  // config.generation_speed recomputed with numpy from the samples' timings (np.percentile's default linear rule)
  const speed = spawnSync(
    PY,
    [
      '-c',
      `import json, sys
import numpy as np
t = [json.loads(l) for l in sys.stdin if l.strip()]
T = [s["timing"] for s in t]
def spread(xs):
    return {"mean": float(np.mean(xs)), **{f"p{q}": float(np.percentile(xs, q)) for q in (50, 90, 99)}}
multi = [x for x in T if x["output_tokens"] >= 2]
print(json.dumps({
    "questions": len(T),
    "output_tokens": sum(x["output_tokens"] for x in T),
    "ttft_s": spread([x["ttft_s"] for x in T]),
    "tpot_s": spread([(x["seconds"] - x["ttft_s"]) / (x["output_tokens"] - 1) for x in multi]) if multi else None,
    "latency_s": spread([x["seconds"] for x in T]),
    "output_tokens_per_s": sum(x["output_tokens"] for x in T) / sum(x["seconds"] for x in T),
    "prompt_tokens_per_s": sum(s["input_tokens"] for s in t) / sum(x["ttft_s"] for x in T),
}))`,
    ],
    { input: readFileSync(join(out, 'samples_gsm8k.jsonl'), 'utf8'), encoding: 'utf8' },
  );
  assert.equal(speed.status, 0, speed.stderr);
  const close = (a: unknown, b: unknown, path: string): void => {
    if (typeof a === 'number' && typeof b === 'number')
      return assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${path}: ${a} vs ${b}`);
    if (a && b && typeof a === 'object')
      return Object.keys(b).forEach((k) =>
        close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`),
      );
    assert.deepEqual(a, b, path);
  };
  close(res.config.generation_speed, JSON.parse(speed.stdout), 'generation_speed');
  const e = res.results.gsm8k!;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const f of ['strict-match', 'flexible-extract']) {
    assert.equal(e[`exact_match,${f}`], mean(samples.map((s) => s.exact_match![f]!)));
    assert.equal(e[`no_answer,${f}`], mean(samples.map((s) => s.no_answer![f]!)));
    assert.ok(`exact_match_stderr,${f}` in e);
  }
  assert.deepEqual(
    res.configs.gsm8k!.filter_list.map((f) => f.name),
    ['strict-match', 'flexible-extract'],
  );
  assert.deepEqual(res.configs.gsm8k!.generation_kwargs.until, stop);
  assert.equal(res.configs.gsm8k!.generation_kwargs.max_gen_toks, 48);
  // A summary link carries the counts; a full link (a pick per question) has nothing to carry.
  assert.equal(runCli('share', out).code, 0);
  const full = runCli('share', '--full', out);
  assert.equal(full.code, 1);
  assert.match(full.stderr, /GSM8K's answers are free text/);
});

test('suite openllm-v1 --limit: six task folders, suite.json columns and average equal Python recomputed from the samples; a rerun keeps them; other options are refused', () => {
  const out = mkdtempSync(join(tmpdir(), 'pb-suite-'));
  const args = ['suite', 'openllm-v1', '--model', STORIES, '--data', SUITE_DATA];
  args.push('--limit', '2', '--max-new-tokens', '24');
  // --estimate alone: each task's first questions timed, nothing run or written but the options file
  const est = runCli(...args, '--estimate', '--output-dir', out);
  assert.equal(est.code, 0, est.stderr);
  assert.deepEqual(readdirSync(out), ['suite-options.json']);
  const timed = JSON.parse(est.stdout) as {
    timings: Record<string, { questions: number; subsets: number; questionSeconds: number[]; subsetStarts: number[] }>;
    seconds: { lo: number; hi: number };
  };
  assert.deepEqual(
    Object.entries(timed.timings).map(([b, t]) => [
      b,
      t.questions,
      t.subsets,
      t.questionSeconds.length,
      t.subsetStarts,
    ]),
    [
      ['arc_challenge', 2, 1, 3, [0]],
      ['hellaswag', 2, 1, 3, [0]],
      ['mmlu', 114, 57, 6, [0, 3]],
      ['truthfulqa_mc2', 2, 1, 3, [0]],
      ['winogrande', 2, 1, 3, [0]],
      ['gsm8k', 2, 1, 3, [0]],
    ],
  );
  assert.ok(timed.seconds.lo > 0 && timed.seconds.hi >= timed.seconds.lo);
  const r = runCli(...args, '--output-dir', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /PARTIAL \(--limit\)/);
  // the estimate comes before the first task, each task's line with the questions it then scored
  assert.ok(r.stderr.indexOf('Estimated time: ') < r.stderr.indexOf('[1/6]'), r.stderr);
  assert.match(r.stderr, /\n {2}MMLU +114 questions {2}/);
  assert.match(r.stderr, /\n {2}GSM8K +2 questions {2}/);
  const check = spawnSync(
    PY,
    [
      '-c',
      `import json, sys, glob
import numpy as np
sys.path.insert(0, ${JSON.stringify(join(REPO, 'test/support'))})
out = sys.argv[1]

def samples(task):
    rows = []
    for f in sorted(glob.glob(f"{out}/{task}/samples_*.jsonl")):
        with open(f) as fh:
            rows += [json.loads(l) for l in fh]
    return rows

def acc_norm(s):  # lm-eval: argmax of loglikelihood / len(choice) (Python len, code points)
    lens = [len(c[1:]) for c in s["continuations"]]
    return 1 if int(np.argmax(np.array(s["loglikelihoods"]) / np.array(lens))) == s["target"] else 0

def acc(s):
    return 1 if int(np.argmax(s["loglikelihoods"])) == s["target"] else 0

def mc2(s):  # truthfulqa utils.py process_results_mc2, v0.4.12
    p = np.exp(np.array(s["loglikelihoods"])); p = p / p.sum()
    return float(p[np.array(s["labels"]) == 1].sum())

mmlu = {}
for s in samples("mmlu"):
    mmlu.setdefault(s["subject"], []).append(acc(s))
cols = {
    "ARC": 100 * np.mean([acc_norm(s) for s in samples("arc_challenge")]),
    "HellaSwag": 100 * np.mean([acc_norm(s) for s in samples("hellaswag")]),
    # the leaderboard's read_evals.py: np.mean over the 57 subject accuracies
    "MMLU": 100 * np.mean([np.mean(v) for v in mmlu.values()]),
    "TruthfulQA": 100 * np.mean([mc2(s) for s in samples("truthfulqa_mc2")]),
    "Winogrande": 100 * np.mean([acc(s) for s in samples("winogrande")]),
    "GSM8K": 100 * np.mean([s["exact_match"]["strict-match"] for s in samples("gsm8k")]),
}
print(json.dumps({"cols": cols, "average": float(np.mean(list(cols.values()))), "subjects": len(mmlu)}))`,
      out,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(check.status, 0, check.stderr);
  const py = JSON.parse(check.stdout) as { cols: Record<string, number>; average: number; subjects: number };
  assert.equal(py.subjects, 57);
  const summary = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as {
    columns: { column: string; value: number; shots: number; beside?: { value: number } }[];
    average: number;
    partial: boolean;
  };
  assert.equal(summary.partial, true);
  assert.deepEqual(
    summary.columns.map((c) => [c.column, c.shots]),
    [
      ['ARC', 25],
      ['HellaSwag', 10],
      ['MMLU', 5],
      ['TruthfulQA', 0],
      ['Winogrande', 5],
      ['GSM8K', 5],
    ],
  );
  for (const c of summary.columns)
    assert.ok(Math.abs(c.value - py.cols[c.column]!) < 1e-9, `${c.column}: ${c.value} vs ${py.cols[c.column]}`);
  assert.ok(Math.abs(summary.average - py.average) < 1e-9);
  assert.ok(summary.columns[2]!.beside, "MMLU's size-weighted group beside the unweighted mean");
  // The same command again keeps every task; other options in the same folder are refused.
  const again = runCli(...args, '--output-dir', out);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((again.stderr.match(/: kept \(/g) ?? []).length, 6);
  assert.doesNotMatch(again.stderr, /Estimated time/, 'nothing left to time');
  const other = runCli(...args.slice(0, -2), '--limit', '3', '--output-dir', out);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /holds an openllm-v1 run with other options/);
  const shots = runCli(...args, '--shots', '3', '--output-dir', mkdtempSync(join(tmpdir(), 'pb-suite-')));
  assert.equal(shots.code, 2);
  assert.match(shots.stderr, /--shots: the suite sets it for each task/);
});

// The v1 leaderboard's harness: each task at the leaderboard's k (and 0 and 1), documents in its
// Random(42) order, rendered by test/support/leaderboard_v1_prompts.py from b281b09's files.
for (const [benchmark, shots, limit] of [
  ['arc_challenge', 25, undefined],
  ['arc_challenge', 1, undefined],
  ['hellaswag', 10, undefined],
  ['hellaswag', 0, undefined],
  ['mmlu', 5, 6],
  ['winogrande', 5, undefined],
  ['winogrande', 1, undefined],
  ['gsm8k', 5, 40],
  ['gsm8k', 0, 40],
  ['truthfulqa_mc2', 0, undefined],
] as const)
  test(`leaderboard-v1 ${benchmark} ${shots}-shot${limit ? ` --limit ${limit}` : ''}: every prompt and its order byte-identical to b281b09's, rendered by python3`, () => {
    const subjects = ['sociology', 'abstract_algebra', 'high_school_us_history'];
    const expected = python(join(REPO, 'test/support/leaderboard_v1_prompts.py'), {
      benchmark,
      shots,
      limit: limit ?? null,
      rows,
      mmlu: join(SHARED, 'mmlu'),
      subjects,
      gsm8k: GSM8K,
      truthfulqa: tqRelease,
    }) as unknown[];
    const data =
      benchmark === 'mmlu'
        ? join(SHARED, 'mmlu')
        : benchmark === 'gsm8k'
          ? GSM8K
          : benchmark.startsWith('truthfulqa')
            ? tqRelease
            : rows;
    const got = cliPrompts(
      ...['--benchmark', benchmark, '--data', data, '--shots', String(shots), '--lm-eval', 'leaderboard-v1'],
      ...(benchmark === 'mmlu' ? ['--subjects', subjects.join(',')] : []),
      ...(limit ? ['--limit', String(limit)] : []),
    );
    assert.ok(expected.length > 0);
    assert.deepEqual(got, expected);
  });

test('suite openllm-v1 --fidelity leaderboard-v1: every task names the v1 harness (no BOS, Random(42) order), TruthfulQA reads mc2_split and GSM8K the v1 scoring, recomputed in Python', () => {
  const out = mkdtempSync(join(tmpdir(), 'pb-suite-v1-'));
  const r = runCli(
    ...['suite', 'openllm-v1', '--fidelity', 'leaderboard-v1', '--model', STORIES, '--data', SUITE_DATA],
    ...['--limit', '3', '--max-new-tokens', '24', '--output-dir', out],
  );
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as {
    fidelity: string;
    columns: { column: string; key: string; value: number }[];
  };
  assert.equal(summary.fidelity, 'leaderboard-v1');
  for (const b of ['arc_challenge', 'hellaswag', 'mmlu', 'truthfulqa_mc2', 'winogrande', 'gsm8k']) {
    const c = (JSON.parse(readFileSync(join(out, b, 'results.json'), 'utf8')) as { config: Record<string, unknown> })
      .config;
    assert.equal(c.lm_eval_version, 'leaderboard-v1', b);
    assert.equal(c.bos_resolved, 'never', `${b}: b281b09 encodes with add_special_tokens=False`);
  }
  const col = (name: string) => summary.columns.find((c) => c.column === name)!;
  assert.equal(col('TruthfulQA').key, 'mc2_split,none');
  assert.equal(col('GSM8K').key, 'exact_match,v1-harness');
  const check = spawnSync(
    PY,
    [
      '-c',
      `import json, sys
import numpy as np
out = sys.argv[1]
def samples(task):
    with open(f"{out}/{task}/samples_{task}.jsonl") as f:
        return [json.loads(l) for l in f]
def mc2_old(lls, labels):  # truthfulqa.py at b281b09 (and utils.py at v0.4.8): split at the first label 0
    i = list(labels).index(0)
    t, f = np.exp(np.array(lls[:i])), np.exp(np.array(lls[i:]))
    return float((t / (t.sum() + f.sum())).sum())
import re
ANS_RE = re.compile(r"#### (\\-?[0-9\\.\\,]+)")
def extract(c):  # gsm8k.py at b281b09: _extract_answer
    m = ANS_RE.search(c)
    return m.group(1).strip().replace(",", "") if m else "[invalid]"
tq = samples("truthfulqa_mc2")
gs = samples("gsm8k")
print(json.dumps({
    "TruthfulQA": 100 * np.mean([mc2_old(s["loglikelihoods"], s["labels"]) for s in tq]),
    "GSM8K": 100 * np.mean([1 if extract(s["generated"]) == extract(s["continuations"][0][1:]) else 0 for s in gs]),
}))`,
      out,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(check.status, 0, check.stderr);
  const py = JSON.parse(check.stdout) as Record<string, number>;
  for (const name of ['TruthfulQA', 'GSM8K'])
    assert.ok(Math.abs(col(name).value - py[name]!) < 1e-9, `${name}: ${col(name).value} vs ${py[name]}`);
  // a study keeps lm-eval's per-task samplers
  const study = runCli(
    ...[
      'study',
      '--model',
      STORIES,
      '--data',
      join(SHARED, 'mmlu'),
      '--subjects',
      'anatomy',
      '--lm-eval',
      'leaderboard-v1',
    ],
    ...['--vary', 'shots=0,1', '--output-dir', mkdtempSync(join(tmpdir(), 'pb-st-'))],
  );
  assert.equal(study.code, 2);
  assert.match(study.stderr, /leaderboard-v1 \(the v1 leaderboard's order\) is for run and suite/);
});

test("a suite's link: pagebench share <suite folder> gives one the page's decoder reads back (columns, average recomputed); tampered links are refused naming the problem", async () => {
  const out = mkdtempSync(join(tmpdir(), 'pb-suite-link-'));
  const run = runCli(
    ...['suite', 'openllm-v1', '--model', STORIES, '--data', SUITE_DATA, '--limit', '1', '--max-new-tokens', '8'],
    ...['--output-dir', out],
  );
  assert.equal(run.code, 0, run.stderr);
  const share = runCli('share', out);
  assert.equal(share.code, 0, share.stderr);
  const link = share.stdout.trim();
  const { decodeSuite, encodeSuite } = await import('../../src/core/share/suiteLink.ts');
  const { payload, summary } = decodeSuite(link);
  const written = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as { columns: unknown[]; average: number };
  assert.deepEqual(summary.columns, written.columns);
  assert.ok(Math.abs(summary.average - written.average) < 1e-12);
  // the sender's folder is not in the link, only the model folder's name
  assert.equal(payload.model, "stories260K (a model folder on the sender's device)");
  assert.ok(!link.includes(encodeURIComponent(STORIES)) && !JSON.stringify(payload).includes(STORIES));
  for (const [bad, why] of [
    [{ ...payload, columns: payload.columns.slice(1) }, /has 5 columns; Open LLM Leaderboard \(v1\) has 6/],
    [
      { ...payload, columns: payload.columns.map((c, i) => (i === 5 ? { ...c, shots: 8 } : c)) },
      /column 6 is gsm8k 8-shot/,
    ],
    [
      { ...payload, columns: payload.columns.map((c, i) => (i === 3 ? { ...c, value: 170 } : c)) },
      /malformed: \/columns\/3\/value/,
    ],
    [{ ...payload, suite: 'openllm-v9' }, /suite "openllm-v9", which this pagebench does not know/],
  ] as const)
    assert.throws(() => decodeSuite(encodeSuite(bad as never)), why);
  const full = runCli('share', '--full', out);
  assert.equal(full.code, 2);
  assert.match(full.stderr, /a suite link carries the columns only/);
});

test('compare two suite folders: each column A, B and B − A from their suite.json; paired statistics per task where answers are right/wrong (not mc2); the setup difference named', () => {
  const dirs = ['lm-eval', 'never'].map((bos) => {
    const out = mkdtempSync(join(tmpdir(), `pb-suite-cmp-${bos}-`));
    const r = runCli(
      ...['suite', 'openllm-v1', '--model', STORIES, '--data', SUITE_DATA, '--limit', '1', '--max-new-tokens', '8'],
      ...['--bos', bos, '--output-dir', out],
    );
    assert.equal(r.code, 0, r.stderr);
    return out;
  });
  const r = runCli('compare', dirs[0]!, dirs[1]!, '--json');
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as {
    rows: {
      benchmark: string;
      a: number;
      b: number;
      diff: number;
      paired: { n: number } | null;
      not_like_for_like: string;
    }[];
    average: { a: number; b: number; diff: number };
    warnings: string[];
  };
  const [A, B] = dirs.map(
    (d) =>
      JSON.parse(readFileSync(join(d, 'suite.json'), 'utf8')) as {
        columns: { benchmark: string; value: number; n: number }[];
        average: number;
      },
  );
  assert.equal(c.rows.length, 6);
  c.rows.forEach((row, i) => {
    assert.equal(row.a, A!.columns[i]!.value);
    assert.equal(row.b, B!.columns[i]!.value);
    assert.equal(row.diff, row.b - row.a);
    if (row.benchmark === 'truthfulqa_mc2') assert.equal(row.paired, null, 'a probability mass has no right/wrong');
    else assert.equal(row.paired?.n, A!.columns[i]!.n, row.benchmark);
    assert.match(row.not_like_for_like, /different BOS policies/);
  });
  assert.equal(c.average.diff, B!.average - A!.average);
  assert.ok(c.warnings.some((w) => /partial/.test(w)));
  const mixed = runCli('compare', dirs[0]!, join(dirs[1]!, 'mmlu'));
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /compare two suite folders, or two results: not one of each/);
});
