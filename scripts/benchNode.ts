// One Node measurement in its own process (so its peak RSS is its own); prints one JSON line.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { SUBJECTS } from '../src/core/benchmarks/mmlu/subjects.ts';
import { runPrompts } from '../src/core/prompts.ts';
import { MIN_CONTINUED } from '../src/core/scoring/scorer.ts';
import * as ort from 'onnxruntime-node';
import '../src/node/runtime.ts';
import { loadAll } from '../src/core/benchmarks/mmlu/data.ts';
import { CausalLM } from '../src/core/runtime/causalLm.ts';
import type { BenchCase } from '../src/bench/cases.ts';
import { KERNEL_DTYPES, kernelPeak } from '../src/bench/matmul.ts';
import { readFile } from 'node:fs/promises';
import { runCase } from '../src/bench/runCase.ts';
import { localDataSource } from '../src/node/localData.ts';
import { evaluate } from '../src/core/evaluate.ts';
import { baseAxes, expandVariants } from '../src/core/study/axes.ts';
import { runStudy } from '../src/core/study/runStudy.ts';
import { mmlu } from '../src/core/benchmarks/mmlu/index.ts';

/**
 * One side of the study-cost comparison in its own process (a study's allocations would slow a
 * plain run measured after it in the same process): `plain` is one run of the questions (fast
 * scorer, batch 1), `study` the 4 cyclic rotations (order=cyclic). Prints the time, the tokens
 * computed for the questions (each subject's prefix, computed once by both, taken out) and every
 * log-likelihood (cyc0's for the study), so the parent can check cyc0 equals the plain run.
 */
async function studyCost(caseJson: string, dir: string, mmluDir: string): Promise<Record<string, unknown>> {
  const c = JSON.parse(caseJson) as { subjects: string[]; limit: number; shots: number; side: 'plain' | 'study' };
  const model = await CausalLM.load({ id: 'study', localDir: dir }, { dtype: 'fp32', device: 'cpu', rewrites: 'auto' });
  const data = await loadAll(localDataSource(mmluDir), c.subjects, 'test');
  const settings = {
    subjects: c.subjects,
    split: 'test',
    shots: c.shots,
    template: 'lm-eval',
    limit: c.limit,
    bos: 'tokenizer' as const,
    scorer: 'fast' as const,
  };
  if (c.side === 'plain') {
    const r = await evaluate(model, data, { ...settings, batchSize: 1 });
    return {
      seconds: r.seconds,
      question_seconds: r.seconds - r.scorerStats.prefixSeconds,
      question_tokens: r.scorerStats.tokensComputed - r.scorerStats.prefixTokens,
      questions: r.samples.length,
      lls: r.samples.map((s) => s.loglikelihoods),
    };
  }
  const variants = expandVariants(baseAxes(mmlu, 'lm-eval', c.shots), [['order', ['cyc0', 'cyc1', 'cyc2', 'cyc3']]]);
  const r = await runStudy(model, data, settings, variants);
  return {
    seconds: r.seconds,
    question_seconds: r.seconds - r.scorerStats.prefixSeconds,
    question_tokens: r.scorerStats.tokensComputed - r.scorerStats.prefixTokens,
    questions: r.samples.get('order-cyc0')!.length,
    lls: r.samples.get('order-cyc0')!.map((s) => s.loglikelihoods),
  };
}

/**
 * Where a case's time goes inside ONNX Runtime: the case run with the session's profiler on, each
 * operator type's summed kernel time (µs) and its node count from the trace.
 */
async function opProfile(caseJson: string, dir: string, mmluDir: string): Promise<Record<string, unknown>> {
  const c = JSON.parse(caseJson) as BenchCase;
  const prefix = join(mkdtempSync(join(tmpdir(), 'pb-profile-')), 'ort');
  const model = await CausalLM.load(
    { id: c.model, localDir: dir },
    {
      dtype: c.dtype ?? 'fp32',
      device: 'cpu',
      rewrites: 'auto',
      sessionOptions: { enableProfiling: true, profileFilePrefix: prefix },
    },
  );
  const data = await loadAll(localDataSource(mmluDir), c.subjects, 'test');
  const result = await runCase(model, data, c, 'node');
  (model.model as unknown as { sessions: Record<string, { endProfiling(): void }> }).sessions.model!.endProfiling();
  const file = readdirSync(dirname(prefix)).find((f) => f.endsWith('.json'));
  if (!file) throw new Error('ONNX Runtime wrote no profile');
  const trace = JSON.parse(readFileSync(join(dirname(prefix), file), 'utf8')) as {
    cat: string;
    name: string;
    dur: number;
    args?: { op_name?: string };
  }[];
  const ops: Record<string, { us: number; calls: number }> = {};
  for (const e of trace)
    if (e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.args?.op_name) {
      const o = (ops[e.args.op_name] ??= { us: 0, calls: 0 });
      o.us += e.dur;
      o.calls++;
    }
  return { seconds: result.seconds, questions: result.questions, graph_rewrites: result.graph_rewrites, ops };
}

/**
 * The 0-shot MMLU test split's prompt tokens under the model's tokenizer (lm-eval template): in all,
 * what the fast scorer computes with each subject's description reused, and with a question also
 * continuing from the one before where they start alike (questions in text order, as it scores them;
 * at least MIN_CONTINUED tokens beyond the description, never the last prompt token).
 */
async function splitTokens(dir: string, mmluDir: string): Promise<Record<string, unknown>> {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.localModelPath = `${dirname(dir)}/`;
  env.allowRemoteModels = false;
  const tok = await AutoTokenizer.from_pretrained(basename(dir));
  const encode = (text: string) => tok.encode(text) as number[];
  const subjects = SUBJECTS.map((x) => x.id);
  const data = await loadAll(localDataSource(mmluDir), subjects, 'test');
  const settings = { benchmark: 'mmlu', template: 'lm-eval', shots: 0, subjects, split: 'test' };
  const { items, prefixes } = runPrompts(settings as never, data, { fits: () => true });
  let questions = 0;
  let all = 0;
  let descriptionReused = 0;
  let continued = 0;
  for (const subject of subjects) {
    const prefix = encode(prefixes.get(subject)!).length - 1;
    const prompts = items
      .filter((it) => it.subject === subject)
      .map((it) => it.prompt.context)
      .sort()
      .map(encode);
    let previous: number[] = [];
    descriptionReused += prefix;
    continued += prefix;
    for (const ids of prompts) {
      let n = 0;
      while (n < previous.length && n < ids.length - 1 && previous[n] === ids[n]) n++;
      questions++;
      all += ids.length;
      descriptionReused += ids.length - prefix;
      continued += ids.length - (n >= prefix + MIN_CONTINUED ? n : prefix);
      previous = ids;
    }
  }
  return {
    questions,
    prompt_tokens: all,
    computed_description_reused: descriptionReused,
    computed_continued: continued,
  };
}

// kernels: <kernel models dir> <repetitions>; cases/case: <JSON> <model dir> <mmlu dir> [ll: keep each question's
// log-likelihoods]; study: <JSON> <model dir> <mmlu dir>; profile: <JSON> <model dir> <mmlu dir>
const [kind, arg, modelDir, mmluDir, keep] = process.argv.slice(2);
let out: Record<string, unknown>;
if (kind === 'kernels') {
  const peaks: Record<string, unknown> = {};
  for (const dtype of KERNEL_DTYPES)
    peaks[dtype] = await kernelPeak(
      ort as never,
      dtype,
      (file) => readFile(join(arg!, file)),
      async (bytes) => (await ort.InferenceSession.create(bytes)) as never,
      Number(modelDir ?? 5),
    );
  out = { kernel_peaks: peaks };
} else if (kind === 'split-tokens') {
  out = await splitTokens(arg!, modelDir!);
} else if (kind === 'profile') {
  out = await opProfile(arg!, modelDir!, mmluDir!);
} else if (kind === 'study') {
  out = await studyCost(arg!, modelDir!, mmluDir!);
} else {
  // one or several cases (same model, dtype, rewrites) on one loaded model
  const list = (kind === 'cases' ? JSON.parse(arg!) : [JSON.parse(arg!)]) as BenchCase[];
  const c = list[0]!;
  const model = await CausalLM.load(
    { id: c.model, localDir: modelDir! },
    {
      dtype: c.dtype ?? 'fp32',
      device: 'cpu',
      rewrites: c.rewrites ?? 'auto',
    },
  );
  const data = await loadAll(localDataSource(mmluDir ?? join(process.cwd(), '../shared/mmlu')), c.subjects, 'test');
  const results = [];
  for (const one of list) results.push(await runCase(model, data, one, 'node', undefined, keep === 'll'));
  out = kind === 'cases' ? { results } : { ...results[0]! };
}
out.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
