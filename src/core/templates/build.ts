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
  const continuations = t.choices(q).map((c) => t.targetDelimiter + c);
  if (t.partial) {
    const prefix = buildPrefix(t, q.subject, shots);
    const contexts = t.partial(q).map((c) => prefix + c);
    return { context: commonPrefix(contexts), contexts, continuations, target: q.answer };
  }
  return { context: buildPrefix(t, q.subject, shots) + t.formatQuestion(q), continuations, target: q.answer };
}

/** Each choice's (context, continuation), as lm-eval's requests pair them. */
export function choicePairs(p: PromptInstance): [context: string, continuation: string][] {
  return p.continuations.map((c, i) => [p.contexts?.[i] ?? p.context, c]);
}

/** The longest common string prefix (the part of a subject's prompts every question shares). */
export function commonPrefix(xs: readonly string[]): string {
  if (xs.length === 0) return '';
  let end = xs[0]!.length;
  for (const x of xs) {
    let i = 0;
    while (i < end && x.charCodeAt(i) === xs[0]!.charCodeAt(i)) i++;
    end = i;
  }
  // never half a surrogate pair: "🐍" and "🐈" share their first UTF-16 unit
  const last = xs[0]!.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return xs[0]!.slice(0, end);
}

/** lm-eval's `first_n` sampler: the first k rows of the few-shot split in file order. */
export function selectShots(dev: readonly Question[], k: number, exclude?: Question): Question[] {
  if (k > dev.length) throw new Error(`${k} shots requested but the few-shot split has only ${dev.length} rows`);
  return dev.filter((d) => d !== exclude).slice(0, k);
}

/** Draws the few-shot examples of one evaluated document; called once per document, in evaluation order. */
export type ShotSampler = (pool: readonly Question[], k: number, evalDoc: Question) => Question[];

export interface SamplerSpec {
  sampler: 'first_n' | 'random';
  seed?: number;
  /** Draw k+1 and drop the evaluated document (lm-eval when fewshot_split == test_split). */
  excludeEvalDoc?: boolean;
}

/**
 * lm-eval's whole-document equality (`x != doc` in ContextSampler.rm_eval_doc): equal rows where
 * the benchmark keeps their content (Winogrande's rows carry no id), else the same row of the same
 * split (HellaSwag's and ARC's rows carry ids, so two different rows are never equal dicts).
 */
export const sameDoc = (a: Question, b: Question) =>
  a.content !== undefined && b.content !== undefined
    ? a.content === b.content
    : a.split === b.split && a.docId === b.docId && a.subject === b.subject;

/**
 * lm-eval's samplers (lm_eval/api/samplers.py, v0.4.12): `first_n` (the first k rows of the
 * few-shot split, the same for every document) or the default ContextSampler:
 * `random.Random(seed).sample(fewshot_docs, k)` per document in order, the generator's state
 * carried from one document to the next — or, under excludeEvalDoc, `sample(fewshot_docs, k+1)`
 * with the evaluated document removed and the first k kept.
 */
export function makeShotSampler(spec: SamplerSpec): ShotSampler {
  if (spec.sampler === 'first_n') return (pool, k) => selectShots(pool, k);
  const rnd = new PyRandom(spec.seed ?? 1234);
  return (pool, k, evalDoc) => {
    if (k === 0) return [];
    const n = spec.excludeEvalDoc ? k + 1 : k;
    if (n > pool.length)
      throw new Error(
        `${k} shots requested but the few-shot split has only ${pool.length} rows` +
          (spec.excludeEvalDoc ? ` (lm-eval draws k+1 = ${n} here and drops the evaluated document)` : ''),
      );
    const drawn = rnd.sample(pool, n);
    return spec.excludeEvalDoc ? drawn.filter((d) => !sameDoc(d, evalDoc)).slice(0, k) : drawn;
  };
}
