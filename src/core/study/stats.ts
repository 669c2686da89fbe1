import { brier, ece, answerDistribution, populationStd, softmax } from '../report/calibration.ts';
import { mean, meanStderr } from '../report/metrics.ts';

/** What the statistics read from one scored question of one variant. */
export interface StudySample {
  subject: string;
  doc_id: number;
  /** Positions as shown. */
  target: number;
  pred: number;
  /** permutation[p] is the original index of the choice shown at position p. */
  permutation: number[];
  pred_original: number;
  loglikelihoods: number[];
  /** 0 or 1: studies refuse templates whose acc is a probability mass (axes.ts). */
  acc: number;
}

export interface VariantStats {
  id: string;
  axes: Record<string, string>;
  n: number;
  acc: number;
  acc_stderr: number | null;
  ece: number | null;
  brier: number | null;
  rstd: number | null;
}

export interface PairStats {
  a: string;
  b: string;
  n: number;
  both_correct: number;
  a_only: number;
  b_only: number;
  neither: number;
  diff: number;
  diff_ci: [number, number];
  mcnemar_p: number;
  agreement: number;
  cohen_kappa: number | null;
  kendall_tau: number | null;
}

export interface OverallStats {
  spread: number;
  std: number;
  fleiss_kappa: number | null;
  all_correct: number;
  any_correct: number;
  circular_acc?: number;
  debiased_acc?: number;
  /** Each setting with all four rotations (the fields above repeat the only one when there is one). */
  circular?: { axes: Record<string, string>; circular_acc: number; debiased_acc: number }[];
}

export interface StudyStats {
  variants: VariantStats[];
  pairs: PairStats[];
  overall: OverallStats;
}

export interface VariantSamples {
  id: string;
  axes: Record<string, string>;
  samples: StudySample[];
}

const key = (s: { subject: string; doc_id: number }) => `${s.subject}\u0000${s.doc_id}`;
export const Z95 = 1.959964;

/**
 * Every statistic of study.json. All variants must have scored the same questions (matched by
 * subject and doc_id); a difference is an error, not a silent intersection.
 */
export function studyStats(variants: readonly VariantSamples[]): StudyStats {
  if (variants.length < 2) throw new Error('a study needs at least two variants');
  const keys = variants[0]!.samples.map(key);
  const index = variants.map((v) => {
    const m = new Map(v.samples.map((s) => [key(s), s]));
    if (m.size !== keys.length || keys.some((k) => !m.has(k)))
      throw new Error(`variant ${v.id} scored different questions than ${variants[0]!.id}`);
    return m;
  });
  const aligned = index.map((m) => keys.map((k) => m.get(k)!));
  const categories = Math.max(...aligned.flat().map((s) => s.permutation.length));
  const perVariant = variants.map((v, i) => variantStats(v.id, v.axes, aligned[i]!));
  const pairs: PairStats[] = [];
  for (let i = 0; i < variants.length; i++)
    for (let j = i + 1; j < variants.length; j++)
      pairs.push(pairStats(variants[i]!.id, variants[j]!.id, aligned[i]!, aligned[j]!, categories));
  return { variants: perVariant, pairs, overall: overallStats(variants, aligned, perVariant, categories) };
}

export function variantStats(id: string, axes: Record<string, string>, samples: readonly StudySample[]): VariantStats {
  const accs = samples.map((s) => s.acc);
  return {
    id,
    axes,
    n: samples.length,
    acc: mean(accs),
    acc_stderr: meanStderr(accs),
    ece: ece(samples),
    brier: brier(samples),
    rstd: answerDistribution(samples).rstd,
  };
}

export function pairStats(
  a: string,
  b: string,
  xs: readonly StudySample[],
  ys: readonly StudySample[],
  categories: number,
): PairStats {
  const n = xs.length;
  let both = 0;
  let aOnly = 0;
  let bOnly = 0;
  let same = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!.acc;
    const y = ys[i]!.acc;
    if (x && y) both++;
    else if (x) aOnly++;
    else if (y) bOnly++;
    if (xs[i]!.pred_original === ys[i]!.pred_original) same++;
  }
  const diff = (aOnly - bOnly) / n;
  const se = Math.sqrt(Math.max(0, aOnly + bOnly - (aOnly - bOnly) ** 2 / n)) / n;
  return {
    a,
    b,
    n,
    both_correct: both,
    a_only: aOnly,
    b_only: bOnly,
    neither: n - both - aOnly - bOnly,
    diff,
    diff_ci: [diff - Z95 * se, diff + Z95 * se],
    mcnemar_p: mcnemarExact(aOnly, bOnly),
    agreement: same / n,
    cohen_kappa: cohenKappa(
      xs.map((s) => s.pred_original),
      ys.map((s) => s.pred_original),
      categories,
    ),
    kendall_tau: kendallTauB(subjectAccuracies(xs), subjectAccuracies(ys)),
  };
}

/** Exact two-sided McNemar: binomial test of min(b, c) among the b + c discordant pairs at p = ½. */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // log C(n, i) − n·log 2, summed over i ≤ k in log space (n reaches the tens of thousands).
  let logTerm = -n * Math.LN2;
  const logs = [logTerm];
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i);
    logs.push(logTerm);
  }
  const m = Math.max(...logs);
  const tail = Math.exp(m) * logs.reduce((a, l) => a + Math.exp(l - m), 0);
  return Math.min(1, 2 * tail);
}

/**
 * Cohen's κ of two raters' categories: (p_o − p_e)/(1 − p_e). When both always pick one and the
 * same category p_e = 1 and the raters agree perfectly: 1. Null for no questions.
 */
export function cohenKappa(x: readonly number[], y: readonly number[], categories: number): number | null {
  const n = x.length;
  if (n === 0) return null;
  const cx = new Array<number>(categories).fill(0);
  const cy = new Array<number>(categories).fill(0);
  let po = 0;
  for (let i = 0; i < n; i++) {
    if (x[i]! >= 0) cx[x[i]!]!++;
    if (y[i]! >= 0) cy[y[i]!]!++;
    if (x[i] === y[i]) po++;
  }
  po /= n;
  const pe = cx.reduce((a, c, k) => a + (c / n) * (cy[k]! / n), 0);
  if (pe >= 1) return po >= 1 ? 1 : null;
  return (po - pe) / (1 - pe);
}

/** Kendall's τ-b (scipy.stats.kendalltau's default) over paired values; null when undefined. */
export function kendallTauB(x: readonly number[], y: readonly number[]): number | null {
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign(x[i]! - x[j]!);
      const dy = Math.sign(y[i]! - y[j]!);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  const denom = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denom > 0 ? (concordant - discordant) / denom : null;
}

/** Per-subject accuracy in first-seen subject order. */
function subjectAccuracies(xs: readonly StudySample[]): number[] {
  const by = new Map<string, number[]>();
  for (const s of xs) by.set(s.subject, [...(by.get(s.subject) ?? []), s.acc]);
  return [...by.values()].map(mean);
}

/**
 * Fleiss' κ (statsmodels' fleiss_kappa, method 'fleiss') with questions as subjects, the
 * variants as raters and the original choices as categories.
 */
export function fleissKappa(table: readonly number[][]): number | null {
  const N = table.length;
  if (N === 0) return null;
  const raters = table[0]!.reduce((a, b) => a + b, 0);
  if (raters < 2) return null;
  const k = table[0]!.length;
  const pj = new Array<number>(k).fill(0);
  let pBar = 0;
  for (const row of table) {
    row.forEach((c, j) => (pj[j]! += c / (N * raters)));
    pBar += (row.reduce((a, c) => a + c * c, 0) - raters) / (raters * (raters - 1));
  }
  pBar /= N;
  const pe = pj.reduce((a, p) => a + p * p, 0);
  return pe >= 1 ? null : (pBar - pe) / (1 - pe);
}

function overallStats(
  variants: readonly VariantSamples[],
  aligned: StudySample[][],
  perVariant: VariantStats[],
  categories: number,
): OverallStats {
  const accs = perVariant.map((v) => v.acc);
  const n = aligned[0]!.length;
  const table = Array.from({ length: n }, (_, q) => {
    const row = new Array<number>(categories).fill(0);
    for (const v of aligned) if (v[q]!.pred_original >= 0) row[v[q]!.pred_original]!++;
    return row;
  });
  let all = 0;
  let any = 0;
  for (let q = 0; q < n; q++) {
    const right = aligned.filter((v) => v[q]!.acc === 1).length;
    if (right === aligned.length) all++;
    if (right > 0) any++;
  }
  const out: OverallStats = {
    spread: Math.max(...accs) - Math.min(...accs),
    std: populationStd(accs),
    fleiss_kappa: fleissKappa(table),
    all_correct: all / n,
    any_correct: any / n,
  };
  // CircularEval per setting whose four rotations cyc0..cyc3 are all present (every other axis equal).
  const groups = new Map<string, number[]>();
  variants.forEach((v, i) => {
    const r = ROTATIONS.indexOf(v.axes.order ?? '');
    if (r < 0) return;
    const k = JSON.stringify({ ...v.axes, order: null });
    const g = groups.get(k) ?? [-1, -1, -1, -1];
    g[r] = i;
    groups.set(k, g);
  });
  const circular = [...groups.values()]
    .filter((g) => g.every((i) => i >= 0))
    .map((g) => ({
      axes: { ...variants[g[0]!]!.axes, order: 'cyclic' },
      ...circularEval(
        g.map((i) => aligned[i]!),
        categories,
      ),
    }));
  if (circular.length === 1)
    Object.assign(out, { circular_acc: circular[0]!.circular_acc, debiased_acc: circular[0]!.debiased_acc });
  if (circular.length > 0) out.circular = circular;
  return out;
}

const ROTATIONS = ['cyc0', 'cyc1', 'cyc2', 'cyc3'];

/**
 * MMBench's CircularEval (right under every rotation) and the debiased pick: probabilities
 * averaged over the rotations in original choice order, then argmax.
 */
function circularEval(rot: StudySample[][], categories: number): { circular_acc: number; debiased_acc: number } {
  const n = rot[0]!.length;
  let circular = 0;
  let debiased = 0;
  for (let q = 0; q < n; q++) {
    if (rot.every((v) => v[q]!.acc === 1)) circular++;
    const avg = new Array<number>(categories).fill(0);
    for (const v of rot) {
      const s = v[q]!;
      softmax(s.loglikelihoods).forEach((p, shown) => (avg[s.permutation[shown]!]! += p / rot.length));
    }
    const s0 = rot[0]![q]!;
    if (argmax(avg) === s0.permutation[s0.target]!) debiased++;
  }
  return { circular_acc: circular / n, debiased_acc: debiased / n };
}

function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}
