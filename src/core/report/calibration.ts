/**
 * Per-question probability metrics shared by every run and by studies. A question's
 * probabilities are the softmax over its choices' log-likelihoods (in the order shown).
 */

export interface ScoredChoice {
  target: number;
  pred: number;
  loglikelihoods: number[];
}

export function softmax(lls: readonly number[]): number[] {
  const m = Math.max(...lls);
  const e = lls.map((l) => Math.exp(l - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

const scored = (xs: readonly ScoredChoice[]) => xs.filter((x) => x.loglikelihoods.length > 0);

/**
 * Expected calibration error: 10 equal-width bins of the highest probability (bin
 * min(floor(10·conf), 9)), ECE = Σ_b (|b|/n)·|accuracy_b − mean confidence_b|. Null without
 * log-likelihoods (generation).
 */
export function ece(xs: readonly ScoredChoice[], bins = 10): number | null {
  const s = scored(xs);
  if (s.length === 0) return null;
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const right = new Array<number>(bins).fill(0);
  for (const x of s) {
    const c = Math.max(...softmax(x.loglikelihoods));
    const b = Math.min(Math.floor(bins * c), bins - 1);
    count[b]!++;
    conf[b]! += c;
    right[b]! += x.pred === x.target ? 1 : 0;
  }
  let e = 0;
  for (let b = 0; b < bins; b++)
    if (count[b]! > 0) e += (count[b]! / s.length) * Math.abs(right[b]! / count[b]! - conf[b]! / count[b]!);
  return e;
}

/** Brier score: mean over questions of Σ_i (p_i − y_i)², y the one-hot gold. */
export function brier(xs: readonly ScoredChoice[]): number | null {
  const s = scored(xs);
  if (s.length === 0) return null;
  let total = 0;
  for (const x of s) total += softmax(x.loglikelihoods).reduce((a, p, i) => a + (p - (i === x.target ? 1 : 0)) ** 2, 0);
  return total / s.length;
}

export interface AnswerDistribution {
  /** Per position (as shown): how often it was predicted and how often it was the gold. */
  predicted: number[];
  gold: number[];
  /** Recall per gold position (null for a position never gold). */
  recall: (number | null)[];
  /**
   * RStd: population standard deviation (ddof 0) of the recalls over the positions that occur as
   * gold (Zheng et al. 2023, "Large Language Models Are Not Robust Multiple Choice Selectors").
   */
  rstd: number | null;
}

export function answerDistribution(
  xs: readonly { target: number; pred: number }[],
  positions?: number,
): AnswerDistribution {
  const n = positions ?? Math.max(0, ...xs.map((x) => Math.max(x.target, x.pred) + 1));
  const predicted = new Array<number>(n).fill(0);
  const gold = new Array<number>(n).fill(0);
  const hits = new Array<number>(n).fill(0);
  for (const x of xs) {
    if (x.pred >= 0) predicted[x.pred]!++;
    gold[x.target]!++;
    if (x.pred === x.target) hits[x.target]!++;
  }
  const recall = gold.map((g, i) => (g > 0 ? hits[i]! / g : null));
  const present = recall.filter((r): r is number => r !== null);
  return { predicted, gold, recall, rstd: present.length ? populationStd(present) : null };
}

export function populationStd(xs: readonly number[]): number {
  const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mu) ** 2, 0) / xs.length);
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  /** Mean highest probability and accuracy of the questions in the bin. */
  confidence: number;
  accuracy: number;
}

/** The reliability diagram of the ECE above: its 10 equal-width bins (empty ones left out). */
export function reliabilityBins(xs: readonly ScoredChoice[], bins = 10): ReliabilityBin[] {
  const out = Array.from({ length: bins }, (_, b) => ({
    lo: b / bins,
    hi: (b + 1) / bins,
    count: 0,
    confidence: 0,
    accuracy: 0,
  }));
  for (const x of scored(xs)) {
    const c = Math.max(...softmax(x.loglikelihoods));
    const bin = out[Math.min(Math.floor(bins * c), bins - 1)]!;
    bin.count++;
    bin.confidence += c;
    bin.accuracy += x.pred === x.target ? 1 : 0;
  }
  return out
    .filter((b) => b.count > 0)
    .map((b) => ({ ...b, confidence: b.confidence / b.count, accuracy: b.accuracy / b.count }));
}

/** numpy's round (half to even), as get_adaptive_bins rounds its edge indices. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The MMLU paper's calibration figure, computed as its code does: test_calibration.py pools every
 * question's highest choice probability `p` and correctness and calls calib_tools.rmsce(correct, p)
 * (Uncertainty Metrics' GeneralCalibrationError: adaptive bins, max_prob, l2, datapoints_per_bin
 * 100). The 1-D confidences become two-class rows [1 − p, p] and the larger entry is scored (the
 * first on a tie), so where p ≤ 0.5 the event measured is "wrong" with probability 1 − p. There
 * are int(n / 100) bins with edges at sorted values (indices rounded half to even), np.digitize
 * assigns bins, counts carry float64's epsilon, and the l2 value √Σ(weight·error)² is square-rooted
 * once more. Null without log-likelihoods.
 */
export function rmsCalibrationError(xs: readonly ScoredChoice[]): number | null {
  const s = scored(xs);
  if (s.length === 0) return null;
  const probs: number[] = [];
  const labels: number[] = [];
  for (const x of s) {
    const p = Math.max(...softmax(x.loglikelihoods));
    const correct = x.pred === x.target ? 1 : 0;
    // argmax over [1 − p, p]: index 1 only when p > 1 − p.
    if (p > 1 - p) {
      probs.push(p);
      labels.push(correct);
    } else {
      probs.push(1 - p);
      labels.push(1 - correct);
    }
  }
  const keep = probs.map((p, i) => (p > 0 ? i : -1)).filter((i) => i >= 0);
  const ps = keep.map((i) => probs[i]!);
  const ls = keep.map((i) => labels[i]!);
  const numBins = Math.trunc(s.length / 100);
  const sorted = [...ps].sort((a, b) => a - b);
  const edges = Array.from(
    { length: numBins },
    (_, i) => sorted[Math.min(roundHalfEven(i * (ps.length / numBins)), ps.length - 1)]!,
  ).slice(1);
  const bins = Math.max(numBins, 1);
  const sums = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  const counts = new Array<number>(bins).fill(0);
  ps.forEach((p, i) => {
    // np.digitize(p, edges) for increasing edges: how many edges are <= p.
    let b = 0;
    while (b < edges.length && edges[b]! <= p) b++;
    sums[b]! += p;
    hits[b]! += ls[i]!;
    counts[b]!++;
  });
  const eps = 2.220446049250313e-16;
  let sq = 0;
  for (let b = 0; b < bins; b++) {
    const c = counts[b]! + eps;
    const err = hits[b]! / c - sums[b]! / c;
    sq += (err * (c / ps.length)) ** 2;
  }
  return Math.sqrt(Math.sqrt(sq));
}
