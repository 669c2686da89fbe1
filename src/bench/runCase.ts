import type { SubjectData } from '../core/benchmarks/doc.ts';
import { evaluate, type EvalOutput } from '../core/evaluate.ts';
import type { CausalLM } from '../core/runtime/causalLm.ts';
import type { BenchCase, CaseResult } from './cases.ts';
import { forwardFlops, shapeFromConfig } from './flops.ts';
import { median } from './median.ts';
import { generationSpeed } from '../core/report/generationSpeed.ts';

/** Runs one case on a loaded model (Node or browser) and computes its figures. */
export async function runCase(
  model: CausalLM,
  data: SubjectData[],
  c: BenchCase,
  runtime: CaseResult['runtime'],
  threads?: number,
  keepLoglikelihoods = false,
): Promise<CaseResult> {
  const every = c.every ?? 1;
  const sampled = data.map((d) => ({
    ...d,
    questions: d.questions.slice(0, c.limit).filter((_, i) => i % every === 0),
  }));
  const settings = {
    subjects: c.subjects,
    split: 'test',
    shots: c.shots,
    template: c.generate ? 'generate' : 'lm-eval',
    bos: 'tokenizer' as const,
    scorer: c.mode,
    batchSize: c.batchSize ?? 1,
    ...(c.generate ? { generation: { maxNewTokens: c.generate, stop: [] } } : {}),
  };
  const runs: EvalOutput[] = [];
  for (let i = 0; i < (c.repeats ?? 1); i++) runs.push(await evaluate(model, sampled, settings));
  const seconds = median(runs.map((r) => r.seconds));
  const r = runs[0]!;
  const flops = forwardFlops(shapeFromConfig(model.model.config as unknown as Record<string, unknown>), r.scorerStats);
  return {
    ...c,
    runtime,
    dtype: model.options.dtype,
    threads,
    batch_size: c.batchSize ?? 1,
    graph_rewrites: model.graphRewrites,
    questions: r.samples.length,
    seconds,
    seconds_each: runs.map((x) => x.seconds),
    questions_per_s: r.samples.length / seconds,
    prompt_tokens_per_s: r.promptTokens / seconds,
    tokens_computed: r.scorerStats.tokensComputed,
    forward_passes: r.scorerStats.forwardPasses,
    achieved_gflops: flops / seconds / 1e9,
    accuracy: r.samples.reduce((a, s) => a + s.acc, 0) / r.samples.length,
    loglikelihood_checksum: r.samples.reduce((a, s) => a + s.loglikelihoods.reduce((x, y) => x + y, 0), 0),
    ...(keepLoglikelihoods ? { loglikelihoods: r.samples.map((s) => s.loglikelihoods) } : {}),
    ...(c.generate ? { generation: generationSpeed(r.samples) } : {}),
  };
}
