import { getBenchmark } from './benchmarks/registry.ts';
import { LATEST_LM_EVAL } from './lmEvalReleases.ts';
import type { EvalSettings } from './records.ts';

/**
 * Benchmark suites as data: which tasks, with which shots, and which number of each result is the
 * suite's column. A suite's summary is computed from its tasks' results.json alone.
 */

export interface SuiteTask {
  benchmark: string;
  shots: number;
  /** The column's name and the results.json key it reads (of the task, or of its group). */
  column: string;
  key: string;
  /** Another number of the same result shown beside the column, named (MMLU: lm-eval's size-weighted group). */
  beside?: { name: string; key: string };
  /** Under the leaderboard-v1 fidelity: the task's template and key where they differ. */
  v1?: { template?: string; key?: string };
}

/**
 * How a suite's tasks are run: 'lm-eval' (today's release, per-task samplers) or 'leaderboard-v1'
 * (the harness commit the v1 leaderboard ran: --lm-eval leaderboard-v1, its GSM8K and mc2).
 */
export type Fidelity = 'lm-eval' | 'leaderboard-v1';
export const FIDELITIES: readonly Fidelity[] = ['lm-eval', 'leaderboard-v1'];

export interface Suite {
  id: string;
  label: string;
  /** Where its definition comes from. */
  reference: string;
  tasks: SuiteTask[];
}

/**
 * The Open LLM Leaderboard v1: the six tasks with its shots and metrics (About page; the metrics as its
 * read_evals.py reads them), MMLU as the unweighted mean of its 57 subjects, the average of the six ×100.
 * Under 'lm-eval' TruthfulQA mc2 is today's acc (the label-mask formula) and GSM8K exact_match under
 * strict-match; under 'leaderboard-v1' mc2_split and GSM8K as b281b09 scored it.
 */
export const SUITES: Record<string, Suite> = {
  'openllm-v1': {
    id: 'openllm-v1',
    label: 'Open LLM Leaderboard (v1)',
    reference:
      'Open LLM Leaderboard v1 About page and read_evals.py (tasks, shots, metrics, unweighted MMLU mean); each task as lm-eval runs it',
    tasks: [
      { benchmark: 'arc_challenge', shots: 25, column: 'ARC', key: 'acc_norm,none' },
      { benchmark: 'hellaswag', shots: 10, column: 'HellaSwag', key: 'acc_norm,none' },
      {
        benchmark: 'mmlu',
        shots: 5,
        column: 'MMLU',
        key: 'acc_macro,none',
        beside: { name: "lm-eval's size-weighted mmlu group", key: 'acc,none' },
      },
      {
        benchmark: 'truthfulqa_mc2',
        shots: 0,
        column: 'TruthfulQA',
        key: 'acc,none',
        v1: { key: 'mc2_split,none' },
      },
      { benchmark: 'winogrande', shots: 5, column: 'Winogrande', key: 'acc,none' },
      {
        benchmark: 'gsm8k',
        shots: 5,
        column: 'GSM8K',
        key: 'exact_match,strict-match',
        v1: { template: 'gsm8k-v1', key: 'exact_match,v1-harness' },
      },
    ],
  },
};

export const SUITE_IDS = Object.keys(SUITES);

/** A task as a fidelity runs and reads it: its template and its column's results.json key. */
export function taskFor(t: SuiteTask, fidelity: Fidelity): { template: string; key: string } {
  const v1 = fidelity === 'leaderboard-v1' ? t.v1 : undefined;
  return { template: v1?.template ?? getBenchmark(t.benchmark).defaultTemplate, key: v1?.key ?? t.key };
}

/** The entry of results.json that holds a task's suite number: its group (MMLU's "mmlu") or its only task. */
function entryOf(results: { results: Record<string, Record<string, unknown>> }, benchmark: string) {
  return results.results[benchmark] ?? Object.values(results.results)[0];
}

export interface SuiteColumn {
  column: string;
  benchmark: string;
  shots: number;
  key: string;
  /** ×100, as the leaderboard shows it. */
  value: number;
  n: number;
  beside?: { name: string; key: string; value: number };
}

export interface SuiteSummary {
  suite: string;
  label: string;
  fidelity: Fidelity;
  columns: SuiteColumn[];
  /** The mean of the columns (×100), as the leaderboard's Average. */
  average: number;
  /** Some task ran on a --limit: these are not the suite's numbers. */
  partial: boolean;
}

type Results = {
  results: Record<string, Record<string, unknown>>;
  'n-samples': Record<string, { effective: number }>;
  config: { limit?: number | null };
};

/** The suite's columns and average from its tasks' results.json (by benchmark id). */
export function suiteSummary(
  suite: Suite,
  byBenchmark: Record<string, Results>,
  fidelity: Fidelity = 'lm-eval',
): SuiteSummary {
  const columns = suite.tasks.map((t): SuiteColumn => {
    const r = byBenchmark[t.benchmark];
    if (!r) throw new Error(`the suite's ${t.column} task (${t.benchmark}) has no result`);
    const { key } = taskFor(t, fidelity);
    const e = entryOf(r, t.benchmark);
    const v = e?.[key];
    if (typeof v !== 'number') throw new Error(`${t.benchmark}'s results.json has no ${key}`);
    const b = t.beside ? e?.[t.beside.key] : undefined;
    return {
      column: t.column,
      benchmark: t.benchmark,
      shots: t.shots,
      key,
      value: 100 * v,
      n: Object.values(r['n-samples']).reduce((a, x) => a + x.effective, 0),
      ...(t.beside && typeof b === 'number' ? { beside: { ...t.beside, value: 100 * b } } : {}),
    };
  });
  return {
    suite: suite.id,
    label: suite.label,
    fidelity,
    columns,
    average: columns.reduce((a, c) => a + c.value, 0) / columns.length,
    partial: suite.tasks.some((t) => byBenchmark[t.benchmark]!.config.limit != null),
  };
}

/**
 * A suite task's run settings: the task's benchmark (all its subsets), first split, shots and template
 * (the fidelity's), and the release that fidelity names; the rest (BOS policy, scorer, batch, limit)
 * the user's, the same for every task.
 */
export function suiteTaskSettings(
  t: SuiteTask,
  fidelity: Fidelity,
  base: Pick<EvalSettings, 'bos' | 'scorer' | 'batchSize' | 'limit'>,
): EvalSettings {
  const b = getBenchmark(t.benchmark);
  return {
    ...(t.benchmark !== 'mmlu' ? { benchmark: t.benchmark } : {}),
    subjects: [...b.subsets],
    split: b.splits[0]!,
    shots: t.shots,
    template: taskFor(t, fidelity).template,
    ...(base.limit !== undefined ? { limit: base.limit } : {}),
    bos: base.bos,
    lmEval: fidelity === 'leaderboard-v1' ? 'leaderboard-v1' : LATEST_LM_EVAL,
    scorer: base.scorer,
    ...(base.batchSize !== undefined ? { batchSize: base.batchSize } : {}),
  };
}
