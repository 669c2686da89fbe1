import type { Sample } from '../records.ts';
import { quantile } from '../util/quantile.ts';

/** Over a run's questions: the mean and the 50th, 90th and 99th percentiles (numpy.percentile's linear rule). */
export interface Spread {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

/**
 * A generating run's speed as EvalScope's perf report gives it: time to first token (the prompt's
 * forward pass and the first pick), time per output token after the first, each question's latency,
 * and throughputs over the whole run (config.generation_speed; lm-eval readers ignore it).
 */
export interface GenerationSpeed {
  /** Questions timed (a resumed page run: those of every session, each sample keeps its own timing). */
  questions: number;
  output_tokens: number;
  ttft_s: Spread;
  /** (seconds − ttft) / (output tokens − 1), over the questions that generated at least two tokens. */
  tpot_s: Spread | null;
  latency_s: Spread;
  /** Tokens generated over the seconds spent generating, all questions together. */
  output_tokens_per_s: number;
  /** Prompt tokens over the seconds to the first tokens (the prefill's throughput). */
  prompt_tokens_per_s: number;
}

function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  return {
    mean: s.reduce((a, x) => a + x, 0) / s.length,
    p50: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
  };
}

/** The speed of a run's generations from its samples' timings, or null when none carries one. */
export function generationSpeed(samples: readonly Sample[]): GenerationSpeed | null {
  const timed = samples.filter((s) => s.timing);
  if (timed.length === 0) return null;
  const t = timed.map((s) => s.timing!);
  const multi = t.filter((x) => x.output_tokens >= 2);
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  return {
    questions: timed.length,
    output_tokens: sum(t.map((x) => x.output_tokens)),
    ttft_s: spread(t.map((x) => x.ttft_s)),
    tpot_s: multi.length ? spread(multi.map((x) => (x.seconds - x.ttft_s) / (x.output_tokens - 1))) : null,
    latency_s: spread(t.map((x) => x.seconds)),
    output_tokens_per_s: sum(t.map((x) => x.output_tokens)) / sum(t.map((x) => x.seconds)),
    prompt_tokens_per_s: sum(timed.map((s) => s.input_tokens)) / sum(t.map((x) => x.ttft_s)),
  };
}
