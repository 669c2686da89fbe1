/** Accuracy statistics exactly as lm-evaluation-harness computes them. */

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** lm-eval's mean_stderr: sample standard deviation (n-1) / sqrt(n); null where n < 2. */
export function meanStderr(xs: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const mu = mean(xs);
  const variance = xs.reduce((a, x) => a + (x - mu) ** 2, 0) / (n - 1);
  return Math.sqrt(variance) / Math.sqrt(n);
}

export interface SubtaskStat {
  acc: number;
  stderr: number | null;
  n: number;
}

/** Group accuracy weighted by size (lm-eval's weight_by_size groups; the paper's "micro" average). */
export function microAcc(parts: readonly SubtaskStat[]): number {
  const n = parts.reduce((a, p) => a + p.n, 0);
  return parts.reduce((a, p) => a + p.acc * p.n, 0) / n;
}

/**
 * lm-eval's pooled_sample_stderr: pooled variance sum((n_i-1)·se_i²·n_i) / (N - k), then
 * sqrt(var / N). Equals the stderr of the concatenated samples' mean when the means agree.
 */
export function pooledStderr(parts: readonly SubtaskStat[]): number | null {
  if (parts.some((p) => p.stderr === null)) return null;
  const N = parts.reduce((a, p) => a + p.n, 0);
  const k = parts.length;
  if (N - k <= 0) return null;
  const pooledVar = parts.reduce((a, p) => a + (p.n - 1) * p.stderr! ** 2 * p.n, 0) / (N - k);
  return Math.sqrt(pooledVar / N);
}

/** Unweighted mean over subjects ("macro"). */
export function macroAcc(parts: readonly SubtaskStat[]): number {
  return mean(parts.map((p) => p.acc));
}

/** Standard error of an unweighted mean of independent subject means: sqrt(sum se_i²) / k. */
export function macroStderr(parts: readonly SubtaskStat[]): number | null {
  if (parts.some((p) => p.stderr === null)) return null;
  return Math.sqrt(parts.reduce((a, p) => a + p.stderr! ** 2, 0)) / parts.length;
}

export function subtaskStat(values: readonly number[]): SubtaskStat {
  if (values.every((v) => v === 0 || v === 1))
    return proportionStat(
      values.reduce<number>((a, v) => a + v, 0),
      values.length,
    );
  return { acc: mean(values), stderr: meanStderr(values), n: values.length };
}

/**
 * lm-eval's mean and mean_stderr of n values of which `correct` are 1 and the rest 0, summed in a
 * fixed order (the ones, then the zeros), so the numbers depend on the counts alone: a share link
 * or a merge that carries counts gives exactly the run's values (lm-eval's own left-to-right sum
 * over the samples can differ in the last bit).
 */
export function proportionStat(correct: number, n: number): SubtaskStat {
  const p = correct / n;
  if (n < 2) return { acc: p, stderr: null, n };
  const sq = correct * (1 - p) ** 2 + (n - correct) * p ** 2;
  return { acc: p, stderr: Math.sqrt(sq / (n - 1)) / Math.sqrt(n), n };
}
