import type { Question } from '../mmlu/question.ts';
import type { PromptInstance, TemplateSpec } from './template.ts';

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
