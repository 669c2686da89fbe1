import type { SubjectData } from './benchmarks/doc.ts';
import { benchmarkOf } from './benchmarks/registry.ts';
import { samplerSpec } from './benchmarks/fewshot.ts';
import type { EvalSettings } from './evaluate.ts';
import type { Encode } from './scoring/requests.ts';
import { buildPrompt, makeShotSampler, selectShots, type ShotSampler } from './templates/build.ts';
import type { PromptInstance, TemplateSpec } from './templates/template.ts';
import { chatPrompt, type ChatOptions } from './templates/chat.ts';

/** One document's prompt as a run scores it. */
export interface PromptItem {
  subject: string;
  docId: number;
  prompt: PromptInstance;
  shotsUsed: number;
  /** Built through a chat template (the continuations carry no target delimiter). */
  chat?: true;
  /** Fields the document carries into its sample (Question.extra). */
  extra?: Record<string, string>;
}

/**
 * Prompts for a subject. Under a 'drop-shots' template, `fits` decides whether a prompt fits the
 * model window; without it (no model loaded) the full shot count is used.
 */
export function subjectPrompts(
  t: TemplateSpec,
  data: SubjectData,
  shots: number,
  limit: number | undefined,
  fits?: (p: PromptInstance) => boolean,
  sampler?: ShotSampler,
  chat?: ChatOptions,
): PromptItem[] {
  const qs = limit === undefined ? data.questions : data.questions.slice(0, limit);
  const shared = sampler ? null : selectShots(data.dev, shots);
  const build = (q: (typeof qs)[number], s: typeof qs) =>
    chat ? chatPrompt(t, q, s, chat.mode, chat.apply, chat.system) : buildPrompt(t, q, s);
  return qs.map((q) => {
    const allShots = shared ?? sampler!(data.dev, shots, q);
    let k = shots;
    let prompt = build(q, allShots);
    if (t.overflow === 'drop-shots' && fits) {
      while (k > 0 && !fits(prompt)) {
        k--;
        prompt = build(q, allShots.slice(0, k));
      }
    }
    return {
      subject: data.subject,
      docId: q.docId,
      prompt,
      shotsUsed: k,
      ...(chat ? { chat: true as const } : {}),
      ...(q.extra ? { extra: q.extra } : {}),
    };
  });
}

/** The few-shot sampler a run uses: per-document draws for a benchmark whose sampler is random; none (first_n) otherwise. */
export function runSampler(settings: Pick<EvalSettings, 'benchmark'>): ShotSampler | undefined {
  const spec = samplerSpec(benchmarkOf(settings));
  return spec.sampler === 'random' ? makeShotSampler(spec) : undefined;
}

export function makeFits(encode: Encode, maxLength: number): (p: PromptInstance) => boolean {
  return (p) => p.continuations.every((c) => encode(p.context + c).length <= maxLength + 1);
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
  return xs[0]!.slice(0, end);
}
