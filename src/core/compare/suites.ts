import type { SuiteSummary } from '../suites.ts';
import type { Comparison } from './compare.ts';

/** One column of two suite runs side by side: the numbers ×100, B − A, and the task's paired statistics where there are. */
export interface SuiteCompareRow {
  column: string;
  benchmark: string;
  key: string;
  a: number;
  b: number;
  diff: number;
  /**
   * Paired over the questions both runs scored (right/wrong per question, the task's headline metric;
   * MMLU's over all its questions, not per subject): B − A with its 95% interval ×100 and McNemar's p.
   * Null where the task's score is no right/wrong (TruthfulQA mc2's probability mass) or no question is shared.
   */
  paired: { n: number; diff: number; diff_ci: [number, number]; mcnemar_p: number | null } | null;
  /** Why this column's B − A is not like for like, or null. */
  not_like_for_like: string | null;
  warnings: string[];
}

export interface SuiteComparison {
  suite: string;
  rows: SuiteCompareRow[];
  average: { a: number; b: number; diff: number };
  warnings: string[];
}

/** Two runs of one suite, column by column, from their summaries and each task's comparison (compare.ts). */
export function compareSuites(A: SuiteSummary, B: SuiteSummary, tasks: Record<string, Comparison>): SuiteComparison {
  if (A.suite !== B.suite) throw new Error(`A is a ${A.suite} run and B a ${B.suite} run: no columns in common`);
  const warnings: string[] = [];
  if (A.fidelity !== B.fidelity)
    warnings.push(`different fidelities: A ${A.fidelity}, B ${B.fidelity} (other harness semantics, other keys)`);
  if (A.partial || B.partial)
    warnings.push(
      `partial (a question limit was set): ${[A.partial && 'A', B.partial && 'B'].filter(Boolean).join(' and ')}`,
    );
  const rows = A.columns.map((ca): SuiteCompareRow => {
    const cb = B.columns.find((c) => c.benchmark === ca.benchmark);
    if (!cb) throw new Error(`B has no ${ca.column} column`);
    const c = tasks[ca.benchmark];
    const p = c?.paired;
    return {
      column: ca.column,
      benchmark: ca.benchmark,
      key: ca.key === cb.key ? ca.key : `${ca.key} / ${cb.key}`,
      a: ca.value,
      b: cb.value,
      diff: cb.value - ca.value,
      paired: p
        ? { n: p.n, diff: 100 * p.diff, diff_ci: [100 * p.diff_ci[0], 100 * p.diff_ci[1]], mcnemar_p: p.mcnemar_p }
        : null,
      not_like_for_like: c?.not_like_for_like ?? null,
      warnings: c?.warnings ?? [],
    };
  });
  return { suite: A.suite, rows, average: { a: A.average, b: B.average, diff: B.average - A.average }, warnings };
}
