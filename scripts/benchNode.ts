// One Node measurement in its own process (so its peak RSS is its own); prints one JSON line.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import '../src/node/runtime.ts';
import { loadAll } from '../src/core/benchmarks/mmlu/data.ts';
import { CausalLM } from '../src/core/runtime/causalLm.ts';
import type { BenchCase } from '../src/bench/cases.ts';
import { MATMUL_SHAPE, matmulGflops } from '../src/bench/matmul.ts';
import { runCase } from '../src/bench/runCase.ts';
import { localDataSource } from '../src/node/localData.ts';
import { evaluate } from '../src/core/evaluate.ts';
import { baseAxes, expandVariants } from '../src/core/study/axes.ts';
import { runStudy } from '../src/core/study/runStudy.ts';
import { mmlu } from '../src/core/benchmarks/mmlu/index.ts';

/**
 * A 4-rotation study (order=cyclic) against one plain run of the same questions (fast scorer,
 * batch 1), same model load; plus the largest |Δ log-likelihood| between cyc0 and the plain run.
 */
async function studyCost(caseJson: string, dir: string, mmluDir: string): Promise<Record<string, unknown>> {
  const c = JSON.parse(caseJson) as { subjects: string[]; limit: number; shots: number };
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
  const variants = expandVariants(baseAxes(mmlu, 'lm-eval', c.shots), [['order', ['cyc0', 'cyc1', 'cyc2', 'cyc3']]]);
  const plain = await evaluate(model, data, { ...settings, batchSize: 1 });
  const study = await runStudy(model, data, settings, variants);
  const cyc0 = study.samples.get('order-cyc0')!;
  let maxDiff = 0;
  plain.samples.forEach((s, i) =>
    s.loglikelihoods.forEach((l, j) => (maxDiff = Math.max(maxDiff, Math.abs(l - cyc0[i]!.loglikelihoods[j]!)))),
  );
  // The question part: what is left once each subject's few-shot prefix (computed once by both) is taken out.
  const qTokens = (s: typeof plain.scorerStats) => s.tokensComputed - s.prefixTokens;
  const qSeconds = (total: number, s: typeof plain.scorerStats) => total - s.prefixSeconds;
  return {
    subjects: c.subjects.length,
    questions: plain.samples.length,
    shots: c.shots,
    plain_seconds: plain.seconds,
    study_seconds: study.seconds,
    variants: variants.length,
    study_over_plain: study.seconds / plain.seconds,
    question_part_time_ratio: qSeconds(study.seconds, study.scorerStats) / qSeconds(plain.seconds, plain.scorerStats),
    question_part_token_ratio: qTokens(study.scorerStats) / qTokens(plain.scorerStats),
    separate_over_study: (variants.length * plain.seconds) / study.seconds,
    cyc0_max_abs_ll_diff: maxDiff,
  };
}

const [kind, arg, modelDir, mmluDir] = process.argv.slice(2);
let out: Record<string, unknown>;
if (kind === 'matmul') {
  const session = await ort.InferenceSession.create(arg!);
  const { m, k, n } = MATMUL_SHAPE;
  out = { matmul_gflops: await matmulGflops(ort as never, session as never, m, k, n) };
} else if (kind === 'study') {
  out = await studyCost(arg!, modelDir!, mmluDir!);
} else {
  const c = JSON.parse(arg!) as BenchCase;
  const model = await CausalLM.load(
    { id: c.model, localDir: modelDir! },
    {
      dtype: 'fp32',
      device: 'cpu',
      rewrites: c.rewrites ?? 'auto',
    },
  );
  const data = await loadAll(localDataSource(mmluDir ?? join(process.cwd(), '../shared/mmlu')), c.subjects, 'test');
  out = { ...(await runCase(model, data, c, 'node')) };
}
out.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
