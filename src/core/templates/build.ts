import type { Question } from '../benchmarks/doc.ts';
import type { PromptInstance, TemplateSpec } from './template.ts';
import { PyRandom } from '../util/pyRandom.ts';

/** The few-shot prefix: description and the shots, each followed by the few-shot delimiter. */
export function buildPrefix(t: TemplateSpec, subject: string, shots: readonly Question[]): string {
  return (
    t.description(subject) +
    shots.map((s) => t.formatQuestion(s) + t.targetDelimiter + t.choices(s)[s.answer] + t.fewshotDelimiter).join('')
  );
}

export function buildPrompt(t: TemplateSpec, q: Question, shots: readonly Question[]): PromptInstance {
  return {
    context: buildPrefix(t, q.subject, shots) + t.formatQuestion(q),
    continuations: t.choices(q).map((c) => t.targetDelimiter + c),
    target: q.answer,
  };
}

/** lm-eval's `first_n` sampler: the first k rows of the few-shot split in file order. */
export function selectShots(dev: readonly Question[], k: number, exclude?: Question): Question[] {
  if (k > dev.length) throw new Error(`${k} shots requested but the few-shot split has only ${dev.length} rows`);
  return dev.filter((d) => d !== exclude).slice(0, k);
}

/** Draws the few-shot examples of each evaluated document, in evaluation order. */
export type ShotSampler = (pool: readonly Question[], k: number) => Question[];

/**
 * lm-eval's samplers: `first_n` (the first k rows of the few-shot split, the same for every
 * document) or `random`: its default sampler, `random.Random(seed).sample(fewshot_docs, k)` drawn
 * for each document in order with the generator's state carried from one document to the next.
 */
export function makeShotSampler(spec: { sampler: 'first_n' | 'random'; seed?: number }): ShotSampler {
  if (spec.sampler === 'first_n') return (pool, k) => selectShots(pool, k);
  const rnd = new PyRandom(spec.seed ?? 1234);
  return (pool, k) => {
    if (k > pool.length) throw new Error(`${k} shots requested but the few-shot split has only ${pool.length} rows`);
    return k === 0 ? [] : rnd.sample(pool, k);
  };
}
