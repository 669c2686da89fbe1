import { commaList, didYouMean } from '../util/suggest.ts';
import { arcChallenge, arcEasy } from './arc/index.ts';
import { gsm8k } from './gsm8k/index.ts';
import { hellaswag } from './hellaswag/index.ts';
import { mmlu } from './mmlu/index.ts';
import { mmluRedux } from './mmlu_redux/index.ts';
import { truthfulqaMc1, truthfulqaMc2 } from './truthfulqa/index.ts';
import { winogrande } from './winogrande/index.ts';
import { QUIZ_PREFIX, registeredQuiz } from './quiz/index.ts';
import type { Benchmark } from './types.ts';
import { resolveSubjects } from './mmlu/subjects.ts';

/** Every benchmark pagebench runs: adding one is a folder beside these and a line here. */
export const BENCHMARKS: Record<string, Benchmark> = {
  mmlu,
  mmlu_redux: mmluRedux,
  arc_easy: arcEasy,
  arc_challenge: arcChallenge,
  hellaswag,
  truthfulqa_mc1: truthfulqaMc1,
  truthfulqa_mc2: truthfulqaMc2,
  winogrande,
  gsm8k,
};

export const BENCHMARK_IDS = Object.keys(BENCHMARKS);

/** The benchmark a run without one names (every run before benchmarks became plug-ins). */
export const DEFAULT_BENCHMARK = 'mmlu';

/** The benchmark a run's settings name. */
export function benchmarkOf(settings: { benchmark?: string }): Benchmark {
  return getBenchmark(settings.benchmark ?? DEFAULT_BENCHMARK);
}

export function getBenchmark(id: string): Benchmark {
  if (id.startsWith(QUIZ_PREFIX)) {
    const q = registeredQuiz(id);
    if (!q)
      throw new Error(`the quiz ${id.slice(QUIZ_PREFIX.length)} is not loaded here: open its quiz link or file first`);
    return q;
  }
  const b = BENCHMARKS[id];
  if (!b)
    throw new Error(
      `unknown benchmark "${id}"${didYouMean(id, BENCHMARK_IDS)} (expected one of: ${BENCHMARK_IDS.join(', ')})`,
    );
  return b;
}

/** A subset selection: a comma list of subsets, "all", or a named selection (MMLU's groups). */
export function resolveSubsets(b: Benchmark, selection: string): string[] {
  // MMLU's subjects and lm-eval groups (MMLU and MMLU-Redux share them)
  if (b.selections) return resolveSubjects(selection);
  const parts = commaList(selection);
  if (parts.length === 0) throw new Error('no subsets selected');
  const out: string[] = [];
  for (const p of parts) {
    if (p === 'all') out.push(...b.subsets);
    else if (b.subsets.includes(p)) out.push(p);
    else {
      const names = [...b.subsets, 'all'];
      throw new Error(
        `unknown ${b.label} subset "${p}"${didYouMean(p, names)} (expected: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`,
      );
    }
  }
  return [...new Set(out)];
}
