import type { Dtype } from '../core/runtime/causalLm.ts';
import type { ScorerMode } from '../core/scoring/scorer.ts';

/** One benchmark measurement: a model, a shot count and a scoring mode on a fixed question set. */
export interface BenchCase {
  model: string;
  shots: number;
  mode: ScorerMode;
  subjects: string[];
  /** Questions per subject (the first ones of the test split). */
  limit: number;
  /** Questions per forward pass (fast mode); default 1. */
  batchSize?: number;
  /** Load-time graph rewrites; default 'auto'. */
  rewrites?: 'auto' | 'none';
  /** Which ONNX file of the model (onnx/model{_fp16,_quantized,_q4}.onnx); default fp32. */
  dtype?: Dtype;
}

export interface CaseResult extends BenchCase {
  runtime: 'node' | 'chromium-wasm' | 'chromium-webgpu';
  dtype: Dtype;
  batch_size: number;
  graph_rewrites: string[];
  questions: number;
  seconds: number;
  questions_per_s: number;
  prompt_tokens_per_s: number;
  tokens_computed: number;
  forward_passes: number;
  achieved_gflops: number;
  threads?: number;
  accuracy: number;
  /** Sum of all log-likelihoods: identical across modes when the numbers are identical. */
  loglikelihood_checksum: number;
  /** Each question's log-likelihoods, when asked for (the parity tests compare them). */
  loglikelihoods?: number[][];
}

export const BENCH_SUBJECTS = ['anatomy', 'high_school_geography', 'college_physics'];

/** The fixed question sets: the same for the three modes of a model and shot count. */
export function benchCases(models: string[], quick: boolean): BenchCase[] {
  const out: BenchCase[] = [];
  for (const model of models) {
    const big = model.startsWith('smollm2');
    // Quick: one subject; the number of questions lets the fast path's per-subject prefix amortize
    // as it does in a real run (where a subject has 100+ questions) only partly, so quick ratios
    // understate fast/naive and fast/harness.
    const subjects = quick ? BENCH_SUBJECTS.slice(0, 1) : BENCH_SUBJECTS;
    const limit = quick ? (big ? 8 : 20) : big ? 20 : 40;
    for (const shots of [0, 5]) {
      if (model.endsWith('-nokeep')) {
        // The same weights exported without num_logits_to_keep: as exported, and rewritten at load.
        for (const rewrites of ['none', 'auto'] as const)
          out.push({ model, shots, mode: 'fast', subjects, limit, rewrites });
        continue;
      }
      for (const mode of ['naive', 'harness', 'fast'] as const) out.push({ model, shots, mode, subjects, limit });
      if (big && !quick) out.push({ model, shots, mode: 'fast', subjects, limit, batchSize: 8 });
    }
  }
  return out;
}
