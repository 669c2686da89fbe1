import type { Question, SubjectData } from './doc.ts';
import type { Benchmark } from './types.ts';
import { PyRandom } from '../util/pyRandom.ts';
import { sameDoc } from '../templates/build.ts';

/**
 * The v1 Open LLM Leaderboard's evaluation order and few-shot draws, read in lm-evaluation-harness
 * at b281b0921b636bc36ad05c0b0b0763bd6dd43463: evaluator.py shuffles each task's documents with
 * `rnd = random.Random(); rnd.seed(42); rnd.shuffle(task_docs)`, takes the first `limit`, and
 * passes that same `rnd` to base.py's fewshot_context for each document in shuffled order, which
 * draws `rnd.sample(training_docs, k)` (a task with training docs), or `rnd.sample(validation or
 * test docs, k + 1)` with the evaluated document removed (one without); hendrycks_test.py (MMLU)
 * takes the first k dev rows and draws nothing.
 */
export function v1Draws(
  b: Pick<Benchmark, 'fewshot' | 'lmEvalSplits'>,
  data: SubjectData,
  shots: number,
  limit?: number,
): { question: Question; shots: Question[] }[] {
  const rnd = new PyRandom(42);
  const docs = rnd.shuffle([...data.questions]);
  const qs = limit === undefined ? docs : docs.slice(0, limit);
  return qs.map((q) => {
    if (shots === 0) return { question: q, shots: [] };
    if (b.fewshot.sampler === 'first_n') return { question: q, shots: data.dev.slice(0, shots) };
    if (b.lmEvalSplits.training !== null) return { question: q, shots: rnd.sample(data.dev, shots) };
    const drawn = rnd.sample(data.dev, shots + 1).filter((x) => !sameDoc(x, q));
    return { question: q, shots: drawn.slice(0, shots) };
  });
}
