import { semanticsOf } from '../lmEvalReleases.ts';
import { SETUP_FIELDS, SETUP_FIELD_WORDS, fieldValue } from '../report/merge.ts';
import { pairStats, type PairStats, type StudySample } from '../study/stats.ts';
import type { ComparableResult } from './results.ts';
import { llDistance, type LlDistance } from './llDistance.ts';

export interface CompareRow {
  task: string;
  metric: string;
  a: number | null;
  a_stderr: number | null;
  b: number | null;
  b_stderr: number | null;
  /** b − a. */
  diff: number | null;
}

/** Paired statistics over the questions both sides picked on (the study issue's, with diff = b − a), and the flips. */
export type PairedComparison = Omit<PairStats, 'a' | 'b'> & {
  /** Questions right on one side only: subject, doc_id, each side's pick and correctness. */
  flips: { subject: string; doc_id: number; a_pred: number; b_pred: number; a_correct: 0 | 1; b_correct: 0 | 1 }[];
  /** |ΔLL| over the shared questions' choices, when both sides kept their log-likelihoods. */
  loglikelihood_distance: LlDistance | null;
};

export interface Comparison {
  a: string;
  b: string;
  rows: CompareRow[];
  paired: PairedComparison | null;
  warnings: string[];
  /**
   * Why b − a is not a like-for-like difference (different questions, shots, prompts or data, a
   * partial side), in a few words; null when it is one.
   */
  not_like_for_like: string | null;
}

const same = (x: unknown, y: unknown) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);

/** Side by side: every task and metric of either side, the difference b − a, warnings for what makes them not comparable. */
export function compareResults(A: ComparableResult, B: ComparableResult): Comparison {
  const rows: CompareRow[] = [];
  const warnings: string[] = [];
  const tasks = [...new Set([...A.tasks.keys(), ...B.tasks.keys()])];
  for (const task of tasks) {
    const ma = A.tasks.get(task);
    const mb = B.tasks.get(task);
    const keys = [...new Set([...(ma?.keys() ?? []), ...(mb?.keys() ?? [])])];
    for (const metric of keys) {
      const x = ma?.get(metric);
      const y = mb?.get(metric);
      rows.push({
        task,
        metric,
        a: x?.value ?? null,
        a_stderr: x?.stderr ?? null,
        b: y?.value ?? null,
        b_stderr: y?.stderr ?? null,
        diff: x && y ? y.value - x.value : null,
      });
    }
  }
  const onlyA = [...A.tasks.keys()].filter((t) => !B.tasks.has(t));
  const onlyB = [...B.tasks.keys()].filter((t) => !A.tasks.has(t));
  const list = (ts: string[]) =>
    ts.length > 4 ? `${ts.slice(0, 4).join(', ')} and ${ts.length - 4} more` : ts.join(', ');
  if (onlyA.length) warnings.push(`only ${A.label} has ${list(onlyA)}`);
  if (onlyB.length) warnings.push(`only ${B.label} has ${list(onlyB)}`);
  const reasons: string[] = [];
  const nDiff = [...A.n.keys()].filter((t) => B.n.has(t) && A.n.get(t) !== B.n.get(t));
  if (nDiff.length) reasons.push('different numbers of questions');
  if (nDiff.length)
    warnings.push(
      `different numbers of questions: ${list(nDiff.map((t) => `${t} ${A.n.get(t)} vs ${B.n.get(t)}`))} (a limit, split or dataset differs)`,
    );
  const shotDiff = [...A.shots.keys()].filter((t) => B.shots.has(t) && A.shots.get(t) !== B.shots.get(t));
  if (shotDiff.length) reasons.push('different few-shot counts');
  if (shotDiff.length)
    warnings.push(
      `different few-shot counts: ${list(shotDiff.map((t) => `${t} ${A.shots.get(t)} vs ${B.shots.get(t)}`))}`,
    );
  const [ra, rb] = [A, B].map((c) => (c.lmEvalVersion ? semanticsOf(c.lmEvalVersion) : null));
  if (ra && rb && ra !== rb)
    warnings.push(
      `they follow different lm-eval releases: ${A.label} ${A.lmEvalVersion}, ${B.label} ${B.lmEvalVersion} (BOS: ${ra.bos === 'tokenizer-default' ? "the tokenizer's default" : 'none except Gemma'} vs ${rb.bos === 'tokenizer-default' ? "the tokenizer's default" : 'none except Gemma'}), so their log-likelihoods differ on a model whose tokenizer adds BOS`,
    );
  if (A.config && B.config) {
    const differ = SETUP_FIELDS.filter((f) => !same(fieldValue(A.config!, f), fieldValue(B.config!, f))).filter(
      (f) => !['model', 'model_revision', 'model_sha256', 'dtype', 'engine_version', 'lm_eval_version'].includes(f),
    );
    if (differ.length) reasons.push(`different ${[...new Set(differ.map((f) => SETUP_FIELD_WORDS[f]))].join(', ')}`);
    if (differ.length)
      warnings.push(
        `the prompts or data differ (${differ.map((f) => `${f}: ${JSON.stringify(fieldValue(A.config!, f) ?? null)} vs ${JSON.stringify(fieldValue(B.config!, f) ?? null)}`).join('; ')})`,
      );
    for (const c of [A, B]) if (c.config!.partial) reasons.push(`${c.label} is partial`);
    for (const c of [A, B])
      if (c.config!.partial)
        warnings.push(`${c.label} is partial: ${c.config!.partial.done} of ${c.config!.partial.total} questions`);
  } else if (A.source !== B.source) {
    warnings.push(
      `${A.source === 'lm-eval' ? A.label : B.label} comes from lm-evaluation-harness: its prompts, data and settings are not recorded in a form pagebench can check; compare the configs by hand`,
    );
  }
  const paired = pairedComparison(A, B, warnings);
  if (A.picks && B.picks && !paired) reasons.unshift('no question in common');
  if (!rows.some((r) => r.diff !== null)) reasons.unshift('no task in common');
  return {
    a: A.label,
    b: B.label,
    rows,
    paired,
    warnings,
    not_like_for_like: reasons.length ? [...new Set(reasons)].join('; ') : null,
  };
}

function pairedComparison(A: ComparableResult, B: ComparableResult, warnings: string[]): PairedComparison | null {
  if (!A.picks || !B.picks) return null;
  const keys = [...A.picks.keys()].filter((k) => B.picks!.has(k));
  if (!keys.length) {
    warnings.push('the two results share no questions, so no paired statistics');
    return null;
  }
  if (keys.length < Math.max(A.picks.size, B.picks.size))
    warnings.push(`paired statistics over the ${keys.length} questions both sides scored`);
  const all = keys.flatMap((k) => [A.picks!.get(k)!.pred, B.picks!.get(k)!.pred]);
  // No answer (−1, under generation) is a category of its own for agreement and κ.
  const choices = Math.max(1, ...all) + 1;
  const categories = Math.max(2, choices + (all.some((p) => p < 0) ? 1 : 0));
  const side = (m: NonNullable<ComparableResult['picks']>): StudySample[] =>
    keys.map((k) => {
      const p = m.get(k)!;
      return {
        subject: p.subject,
        doc_id: p.doc_id,
        target: 0,
        pred: p.pred,
        permutation: [],
        pred_original: p.pred < 0 ? choices : p.pred,
        loglikelihoods: [],
        acc: p.correct,
      };
    });
  const xs = side(A.picks);
  const ys = side(B.picks);
  const st = pairStats(A.label, B.label, xs, ys, categories);
  return {
    n: st.n,
    both_correct: st.both_correct,
    a_only: st.a_only,
    b_only: st.b_only,
    neither: st.neither,
    diff: -st.diff,
    diff_ci: [-st.diff_ci[1], -st.diff_ci[0]],
    mcnemar_p: st.mcnemar_p,
    agreement: st.agreement,
    cohen_kappa: st.cohen_kappa,
    kendall_tau: st.kendall_tau,
    loglikelihood_distance: llDistance(
      keys.map((k) => [A.picks!.get(k)!.loglikelihoods ?? [], B.picks!.get(k)!.loglikelihoods ?? []]),
    ),
    flips: keys
      .map((k, i) => ({ k, i }))
      .filter(({ i }) => xs[i]!.acc !== ys[i]!.acc)
      .map(({ i }) => ({
        subject: xs[i]!.subject,
        doc_id: xs[i]!.doc_id,
        a_pred: xs[i]!.pred,
        b_pred: ys[i]!.pred,
        a_correct: xs[i]!.acc as 0 | 1,
        b_correct: ys[i]!.acc as 0 | 1,
      })),
  };
}
