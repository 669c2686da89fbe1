import type { SubjectData } from './benchmarks/doc.ts';
import type { Benchmark } from './benchmarks/types.ts';
import { benchmarkOf } from './benchmarks/registry.ts';
import { v1Draws } from './benchmarks/leaderboardV1.ts';
import { lmEvalRelease } from './lmEvalReleases.ts';
import { samplerSpec } from './benchmarks/fewshot.ts';
import type { EvalSettings } from './records.ts';
import type { Encode } from './scoring/requests.ts';
import {
  buildPrefix,
  buildPrompt,
  choicePairs,
  commonPrefix,
  makeShotSampler,
  selectShots,
  type ShotSampler,
} from './templates/build.ts';
import { runTemplate } from './templates/presets.ts';
import type { Question } from './benchmarks/doc.ts';
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
  /** TruthfulQA mc2: each choice's label (Question.labels). */
  labels?: number[];
}

/** A document with the few-shot examples it was given (stage 1 of the pipeline). */
export interface DrawnDoc {
  question: Question;
  shots: Question[];
}

/**
 * Stage 1, few-shot selection: each of a subject's documents (the first `limit`) with its shots,
 * drawn once, in evaluation order — the same first k for every document under `first_n`, a draw per
 * document from the benchmark's sampler otherwise (every document draws, so a resumed or split
 * run's prompts are the same).
 */
export function drawShots(data: SubjectData, shots: number, limit?: number, sampler?: ShotSampler): DrawnDoc[] {
  const qs = limit === undefined ? data.questions : data.questions.slice(0, limit);
  const shared = sampler ? null : selectShots(data.dev, shots);
  return qs.map((q) => ({ question: q, shots: shared ?? sampler!(data.dev, shots, q) }));
}

/**
 * Stage 2, prompt text: each drawn document as the template writes it (through a chat template
 * when given). Under a 'drop-shots' template, `fits` decides whether a prompt fits the model
 * window, and shots are dropped from the end until it does; without it the full count is used.
 */
export function renderPrompts(
  t: TemplateSpec,
  subject: string,
  drawn: readonly DrawnDoc[],
  shots: number,
  fits?: (p: PromptInstance) => boolean,
  chat?: ChatOptions,
): PromptItem[] {
  const build = (q: Question, s: readonly Question[]) =>
    chat ? chatPrompt(t, q, s, chat.mode, chat.apply, chat.system) : buildPrompt(t, q, s);
  return drawn.map(({ question: q, shots: allShots }) => {
    let k = shots;
    let prompt = build(q, allShots);
    if (t.overflow === 'drop-shots' && fits) {
      while (k > 0 && !fits(prompt)) {
        k--;
        prompt = build(q, allShots.slice(0, k));
      }
    }
    return {
      subject,
      docId: q.docId,
      prompt,
      shotsUsed: k,
      ...(chat ? { chat: true as const } : {}),
      ...(q.extra ? { extra: q.extra } : {}),
      ...(q.labels ? { labels: q.labels } : {}),
    };
  });
}

/** Stages 1 and 2 for one subject (a study's variants run them with their own template and shots). */
export function subjectPrompts(
  t: TemplateSpec,
  data: SubjectData,
  shots: number,
  limit: number | undefined,
  fits?: (p: PromptInstance) => boolean,
  sampler?: ShotSampler,
  chat?: ChatOptions,
): PromptItem[] {
  return renderPrompts(t, data.subject, drawShots(data, shots, limit, sampler), shots, fits, chat);
}

/** A run's prompts: the template, every document's prompt in run order, and each subject's shared start. */
export interface RunPrompts {
  template: TemplateSpec;
  items: PromptItem[];
  /**
   * Per subject, the text its prompts begin with that the fast scorer computes once: the
   * description and the shots under `first_n`, the description alone when shots are drawn per
   * document, what the prompts have in common under a chat template.
   */
  prefixes: Map<string, string>;
}

/**
 * The prompt pipeline of a run, each stage once and in order: the benchmark supplies the documents
 * and its sampler; stage 1 draws each document's shots, stage 2 writes the prompt text, stage 3
 * finds each subject's shared start. (Stage 4, the token requests, is questionRequest, built per
 * chunk of questions as they are scored.)
 */
export function runPrompts(
  settings: Pick<
    EvalSettings,
    'benchmark' | 'template' | 'shots' | 'limit' | 'description' | 'generation' | 'chat' | 'lmEval'
  >,
  data: readonly SubjectData[],
  opts: { fits?: (p: PromptInstance) => boolean; chat?: ChatOptions } = {},
): RunPrompts {
  const benchmark = benchmarkOf(settings);
  const template = withBenchmarkDescription(runTemplate(settings), benchmark, settings);
  // the v1 leaderboard's harness: its own order and draws (benchmarks/leaderboardV1.ts)
  const v1 = lmEvalRelease(settings.lmEval).sampler === 'shuffle42';
  const sampler = v1 ? undefined : runSampler(settings);
  const perDoc = v1 ? benchmark.fewshot.sampler !== 'first_n' : sampler !== undefined;
  const items: PromptItem[] = [];
  const prefixes = new Map<string, string>();
  for (const d of data) {
    const drawn = v1
      ? v1Draws(benchmark, d, settings.shots, settings.limit)
      : drawShots(d, settings.shots, settings.limit, sampler);
    const rendered = renderPrompts(template, d.subject, drawn, settings.shots, opts.fits, opts.chat);
    items.push(...rendered);
    const shared = buildPrefix(
      template,
      d.subject,
      perDoc ? [] : (drawn[0]?.shots ?? selectShots(d.dev, settings.shots)),
    );
    prefixes.set(
      d.subject,
      opts.chat
        ? commonPrefix(rendered.map((it) => it.prompt.context))
        : // with no shot before it (shots drawn per document, or none), the shared text follows the description
          shared + (template.sharedText !== undefined && (perDoc || settings.shots === 0) ? template.sharedText : ''),
    );
  }
  return { template, items, prefixes };
}

/** A benchmark's own description line (a quiz's) in place of the template's, unless the run turned descriptions off. */
export function withBenchmarkDescription(
  t: TemplateSpec,
  b: Benchmark,
  settings: Pick<EvalSettings, 'description'>,
): TemplateSpec {
  if (!b.description || settings.description === false) return t;
  return { ...t, description: (s) => b.description!(s) };
}

/** The few-shot sampler a run uses: per-document draws for a benchmark whose sampler is random; none (first_n) otherwise. */
export function runSampler(settings: Pick<EvalSettings, 'benchmark'>): ShotSampler | undefined {
  const spec = samplerSpec(benchmarkOf(settings));
  return spec.sampler === 'random' ? makeShotSampler(spec) : undefined;
}

export function makeFits(encode: Encode, maxLength: number): (p: PromptInstance) => boolean {
  return (p) => choicePairs(p).every(([ctx, c]) => encode(ctx + c).length <= maxLength + 1);
}
