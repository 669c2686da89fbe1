import type { SubjectData } from '../core/benchmarks/doc.ts';
import { evaluate } from '../core/evaluate.ts';
import type { CausalLM } from '../core/runtime/causalLm.ts';
import type { BenchCase, CaseResult } from './cases.ts';
import { forwardFlops, shapeFromConfig } from './flops.ts';

/** Runs one case on a loaded model (Node or browser) and computes its figures. */
export async function runCase(
  model: CausalLM,
  data: SubjectData[],
  c: BenchCase,
  runtime: CaseResult['runtime'],
  threads?: number,
  keepLoglikelihoods = false,
): Promise<CaseResult> {
  const r = await evaluate(model, data, {
    subjects: c.subjects,
    split: 'test',
    shots: c.shots,
    template: 'lm-eval',
    limit: c.limit,
    bos: 'tokenizer',
    scorer: c.mode,
    batchSize: c.batchSize ?? 1,
  });
  const flops = forwardFlops(shapeFromConfig(model.model.config as unknown as Record<string, unknown>), r.scorerStats);
  return {
    ...c,
    runtime,
    dtype: model.options.dtype,
    threads,
    batch_size: c.batchSize ?? 1,
    graph_rewrites: model.graphRewrites,
    questions: r.samples.length,
    seconds: r.seconds,
    questions_per_s: r.samples.length / r.seconds,
    prompt_tokens_per_s: r.promptTokens / r.seconds,
    tokens_computed: r.scorerStats.tokensComputed,
    forward_passes: r.scorerStats.forwardPasses,
    achieved_gflops: flops / r.seconds / 1e9,
    accuracy: r.samples.reduce((a, s) => a + s.acc, 0) / r.samples.length,
    loglikelihood_checksum: r.samples.reduce((a, s) => a + s.loglikelihoods.reduce((x, y) => x + y, 0), 0),
    ...(keepLoglikelihoods ? { loglikelihoods: r.samples.map((s) => s.loglikelihoods) } : {}),
  };
}
