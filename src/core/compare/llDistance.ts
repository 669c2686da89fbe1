/**
 * How far apart two runs' log-likelihoods are on the questions both scored: the distribution of
 * |ΔLL| over every choice (what quantization or a runtime change costs in the numbers themselves,
 * before any pick changes).
 */
export interface LlDistance {
  /** Choices compared (questions × choices). */
  n: number;
  median: number;
  p95: number;
  max: number;
}

/** Null when no question has log-likelihoods on both sides with the same number of choices. */
export function llDistance(pairs: readonly [readonly number[], readonly number[]][]): LlDistance | null {
  const d = pairs
    .filter(([a, b]) => a.length > 0 && a.length === b.length)
    .flatMap(([a, b]) => a.map((v, j) => Math.abs(v - b[j]!)))
    .sort((x, y) => x - y);
  if (!d.length) return null;
  const q = (p: number) => d[Math.min(d.length - 1, Math.floor(p * d.length))]!;
  return { n: d.length, median: q(0.5), p95: q(0.95), max: d.at(-1)! };
}
