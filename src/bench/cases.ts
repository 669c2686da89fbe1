import type { Dtype } from '../core/runtime/causalLm.ts';
import type { ScorerMode } from '../core/scoring/scorer.ts';
import type { GenerationSpeed } from '../core/report/generationSpeed.ts';

/** One benchmark measurement: a model, a shot count and a scoring mode on a fixed question set. */
export interface BenchCase {
  model: string;
  shots: number;
  mode: ScorerMode;
  subjects: string[];
  /** Questions per subject (the first ones of the test split). */
  limit: number;
  /**
   * Of those, every n-th (default 1: all). The naive and harness scorers cost the same per question
   * whichever other questions run, so they are timed on a sample; the fast scorer always sees all
   * of them, since its per-subject prefix amortizes over the subject's questions.
   */
  every?: number;
  /** Runs of the case in the same process (default 1); its time is their median. */
  repeats?: number;
  /** Questions per forward pass (fast mode); default 1. */
  batchSize?: number;
  /** Load-time graph rewrites; default 'auto'. */
  rewrites?: 'auto' | 'none';
  /** Which ONNX file of the model (onnx/model{_fp16,_quantized,_q4}.onnx); default fp32. */
  dtype?: Dtype;
  /**
   * Generate this many tokens per question, greedy, with no stop sequence (the lm-eval "generate"
   * prompt), instead of scoring log-likelihoods: the generation rows.
   */
  generate?: number;
}

export interface CaseResult extends BenchCase {
  runtime: 'node' | 'chromium-wasm' | 'chromium-webgpu';
  dtype: Dtype;
  batch_size: number;
  graph_rewrites: string[];
  questions: number;
  /** Median over the repeats. */
  seconds: number;
  /** Every repeat's time. */
  seconds_each: number[];
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
  /** Generation cases: time to first token, per output token, throughputs (report/generationSpeed.ts). */
  generation?: GenerationSpeed | null;
}

export const BENCH_SUBJECTS = ['anatomy', 'high_school_geography', 'college_physics'];

/** Quantized files of the 135M-shaped model the bench makes (scripts/quantize_onnx.py). */
/** What the bench page logs once its model is loaded (the runner then measures scoring's memory). */
export const MODEL_LOADED = 'pagebench-bench: model loaded';

export const BENCH_DTYPES: Dtype[] = ['fp32', 'q8', 'q4', 'fp16'];

/**
 * The fixed question sets. Quick and full runs time the same questions for every fast-scorer case
 * (so that each subject's prefix amortizes over the same questions); the naive and harness
 * scorers, whose cost per question does not depend on the other questions, are timed on a sample
 * of them: a denser one in the full run. The full run adds cases: batch 8, the graph exported
 * without logits-to-keep, the naive and harness scorers on the quantized files, those files in
 * Chromium, and fp16.
 */
export function benchCases(models: string[], quick: boolean, runtime: 'node' | 'chromium-wasm'): BenchCase[] {
  const out: BenchCase[] = [];
  for (const model of models) {
    const big = model.startsWith('smollm2');
    const subjects = BENCH_SUBJECTS;
    const limit = big ? 20 : 40;
    // naive/harness sample per shot count (a 5-shot naive question costs ~4x a 0-shot one)
    const every = (shots: number) => (!big ? 1 : quick ? (shots ? 10 : 5) : shots ? 4 : 2);
    // runs per case, median taken: the fast scorer's (the shortest) three times
    const repeats = (mode: string) => (mode === 'fast' ? 3 : 1);
    for (const shots of [0, 5]) {
      if (model.endsWith('-nokeep')) {
        // The same weights exported without num_logits_to_keep: as exported, and rewritten at load.
        for (const rewrites of ['none', 'auto'] as const)
          out.push({ model, shots, mode: 'fast', subjects, limit, rewrites, repeats: repeats('fast') });
        continue;
      }
      for (const dtype of big ? BENCH_DTYPES : (['fp32'] as const)) {
        // Quick: the quantized files in Node only (their Chromium rows take minutes each).
        if (quick && dtype !== 'fp32' && (dtype === 'fp16' || runtime !== 'node')) continue;
        const withBaselines = dtype === 'fp32' || (!quick && dtype !== 'fp16');
        if (withBaselines)
          for (const mode of ['naive', 'harness'] as const)
            out.push({ model, shots, mode, subjects, limit, every: every(shots), repeats: repeats(mode), dtype });
        out.push({ model, shots, mode: 'fast', subjects, limit, repeats: repeats('fast'), dtype });
        if (big && !quick && dtype === 'fp32')
          out.push({ model, shots, mode: 'fast', subjects, limit, batchSize: 8, repeats: repeats('fast'), dtype });
      }
    }
  }
  return out;
}

/** Cases that share a loaded model (model, dtype, rewrites), in order: one process or page each. */
export function groupByLoad(cases: BenchCase[]): BenchCase[][] {
  const groups = new Map<string, BenchCase[]>();
  for (const c of cases) {
    const key = `${c.model}|${c.dtype ?? 'fp32'}|${c.rewrites ?? 'auto'}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(c);
  }
  return [...groups.values()];
}
