import type { SubjectData } from './benchmarks/doc.ts';
import type { CausalLM } from './runtime/causalLm.ts';
import { buildPrefix, buildPrompt, makeShotSampler, selectShots, type ShotSampler } from './templates/build.ts';
import { benchmarkOf } from './benchmarks/registry.ts';
import type { DataSources } from './benchmarks/types.ts';
import { getTemplate } from './templates/presets.ts';
import type { PromptInstance, TemplateSpec } from './templates/template.ts';
import { generateGreedy } from './scoring/generate.ts';
import { BatchTuner } from './scoring/batchTuner.ts';
import { Scorer, type ScorerMode, type ScorerStats } from './scoring/scorer.ts';
import {
  makeEncoder,
  questionRequest,
  type BosPolicy,
  type ChoiceScore,
  type Encode,
  type QuestionRequest,
} from './scoring/requests.ts';

export type { ScorerMode } from './scoring/scorer.ts';

export interface EvalSettings {
  /** The benchmark (src/core/benchmarks/registry.ts); MMLU when absent. */
  benchmark?: string;
  subjects: string[];
  split: string;
  shots: number;
  template: string;
  /** At most this many questions per subject (the first ones, in file order). */
  limit?: number;
  bos: BosPolicy;
  scorer: ScorerMode;
  /**
   * Questions per forward pass (fast scorer; default 1), or 'auto': measure batches of
   * AUTO_BATCH against one at a time on the first questions and keep the faster. Results are the
   * same for any value.
   */
  batchSize?: number | 'auto';
}

/** One scored question; the JSONL sample format (see README). */
export interface Sample {
  subject: string;
  doc_id: number;
  target: number;
  context: string;
  continuations: string[];
  loglikelihoods: number[];
  is_greedy: boolean[];
  pred: number;
  acc: 0 | 1;
  acc_norm?: 0 | 1;
  /** Tokens fed to the model for the longest choice and whether lm-eval truncation cut it. */
  input_tokens: number;
  truncated: boolean;
  /** Few-shot examples actually in the prompt (fewer than requested only under 'drop-shots'). */
  shots_used: number;
  /** Generate mode: the generated text and the extracted choice (-1 when none matched). */
  generated?: string;
  /** MMLU-Redux: the re-annotation's verdict on the original label ("ok", "wrong_groundtruth", …). */
  error_type?: string;
}

export interface Progress {
  done: number;
  total: number;
  subject: string;
  elapsedSeconds: number;
  itemsPerSecond: number;
  promptTokensPerSecond: number;
  etaSeconds: number;
}

export interface EvalHooks {
  onProgress?: (p: Progress) => void;
  onSample?: (s: Sample) => void | Promise<void>;
  /** Questions already scored (a resumed run): they are not computed again. */
  skip?: (subject: string, docId: number) => boolean;
  /** Stops the run between questions (what is done so far is returned). */
  signal?: AbortSignal;
}

export interface PromptItem {
  subject: string;
  docId: number;
  prompt: PromptInstance;
  shotsUsed: number;
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
): PromptItem[] {
  const qs = limit === undefined ? data.questions : data.questions.slice(0, limit);
  const shared = sampler ? null : selectShots(data.dev, shots);
  return qs.map((q) => {
    const allShots = shared ?? sampler!(data.dev, shots);
    let k = shots;
    let prompt = buildPrompt(t, q, allShots);
    if (t.overflow === 'drop-shots' && fits) {
      while (k > 0 && !fits(prompt)) {
        k--;
        prompt = buildPrompt(t, q, allShots.slice(0, k));
      }
    }
    return { subject: data.subject, docId: q.docId, prompt, shotsUsed: k, ...(q.extra ? { extra: q.extra } : {}) };
  });
}

/** The few-shot sampler a run uses: per-document draws for a benchmark whose sampler is random; none (first_n) otherwise. */
export function runSampler(settings: Pick<EvalSettings, 'benchmark'>): ShotSampler | undefined {
  const spec = benchmarkOf(settings).fewshot;
  return spec.sampler === 'random' ? makeShotSampler(spec) : undefined;
}

/** Every selected subset of a run's benchmark (MMLU through its own loaders, the others through rows). */
export async function loadRunData(
  src: DataSources,
  settings: Pick<EvalSettings, 'benchmark' | 'subjects' | 'split' | 'shots'>,
): Promise<SubjectData[]> {
  const b = benchmarkOf(settings);
  const out: SubjectData[] = [];
  for (const s of settings.subjects) out.push(await b.load(src, s, settings.split, settings.shots));
  return out;
}

function argmax(xs: number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

/** Python len(): code points, as lm-eval's acc_norm divides by. */
const charLen = (s: string) => [...s].length;

export function makeFits(encode: Encode, maxLength: number): (p: PromptInstance) => boolean {
  return (p) => p.continuations.every((c) => encode(p.context + c).length <= maxLength + 1);
}

export interface EvalOutput {
  samples: Sample[];
  truncatedCount: number;
  promptTokens: number;
  seconds: number;
  scorerStats: ScorerStats;
  /** Questions per forward pass used (after probing, under 'auto'). */
  batchSize: number;
}

export async function evaluate(
  model: CausalLM,
  data: SubjectData[],
  settings: EvalSettings,
  hooks: EvalHooks = {},
): Promise<EvalOutput> {
  const t = getTemplate(settings.template);
  const encode = makeEncoder(model, settings.bos);
  const fits = makeFits(encode, model.maxLength);
  const sampler = runSampler(settings);
  // Every document draws its shots (in order) even when skipped, so a resumed run's prompts are the same.
  const items = data
    .flatMap((d) => subjectPrompts(t, d, settings.shots, settings.limit, fits, sampler))
    .filter((it) => !hooks.skip?.(it.subject, it.docId));
  const requested = settings.batchSize ?? 1;
  const batchable = t.scoring !== 'generate' && settings.scorer === 'fast';
  const tuner = batchable && requested === 'auto' ? new BatchTuner(AUTO_BATCH) : null;
  const fixedSize = !batchable || requested === 'auto' ? 1 : Math.max(1, requested);
  const scorer = new Scorer(model, settings.scorer);
  const devBySubject = new Map(data.map((d) => [d.subject, d.dev]));
  let currentSubject = '';
  const samples: Sample[] = [];
  const t0 = performance.now();
  let promptTokens = 0;
  let truncatedCount = 0;
  for (let next = 0; next < items.length && !hooks.signal?.aborted;) {
    const chunk = takeChunk(items, next, tuner ? tuner.next() : fixedSize);
    next += chunk.length;
    const subject = chunk[0]!.subject;
    if (subject !== currentSubject && t.scoring !== 'generate') {
      currentSubject = subject;
      // Shots drawn per document share no prefix beyond the description.
      const shots = sampler ? [] : selectShots(devBySubject.get(subject)!, settings.shots);
      await scorer.setPrefix(buildPrefix(t, subject, shots), encode);
    }
    const started = performance.now();
    const scored =
      t.scoring === 'generate'
        ? [await generateSample(model, t, chunk[0]!, encode)]
        : await scoreSamples(scorer, t, chunk, encode);
    tuner?.record(chunk.length, (performance.now() - started) / 1000);
    for (const sample of scored) {
      promptTokens += sample.input_tokens;
      if (sample.truncated) truncatedCount++;
      samples.push(sample);
      await hooks.onSample?.(sample);
      const elapsed = (performance.now() - t0) / 1000;
      const rate = samples.length / elapsed;
      hooks.onProgress?.({
        done: samples.length,
        total: items.length,
        subject,
        elapsedSeconds: elapsed,
        itemsPerSecond: rate,
        promptTokensPerSecond: promptTokens / elapsed,
        etaSeconds: (items.length - samples.length) / rate,
      });
    }
  }
  scorer.release();
  return {
    samples,
    truncatedCount,
    promptTokens,
    seconds: (performance.now() - t0) / 1000,
    scorerStats: scorer.stats,
    batchSize: tuner ? (tuner.chosen ?? 1) : fixedSize,
  };
}

/** Questions per pass tried by batchSize 'auto'. */
export const AUTO_BATCH = 8;

/** Up to `size` consecutive items from `start`, all of the same subject. */
function takeChunk(items: PromptItem[], start: number, size: number): PromptItem[] {
  const subject = items[start]!.subject;
  let end = start + 1;
  while (end < items.length && end - start < size && items[end]!.subject === subject) end++;
  return items.slice(start, end);
}

async function scoreSamples(scorer: Scorer, t: TemplateSpec, items: PromptItem[], encode: Encode): Promise<Sample[]> {
  const reqs = items.map((it) => questionRequest(it.prompt, encode, scorer.model.maxLength));
  const scores = await scorer.scoreMany(reqs);
  return items.map((it, i) => toSample(t, it, reqs[i]!, scores[i]!));
}

function toSample(t: TemplateSpec, item: PromptItem, req: QuestionRequest, scores: ChoiceScore[]): Sample {
  const lls = scores.map((s) => s.logprob);
  const pred = argmax(lls);
  const sample: Sample = {
    subject: item.subject,
    doc_id: item.docId,
    target: item.prompt.target,
    context: item.prompt.context,
    continuations: item.prompt.continuations,
    loglikelihoods: lls,
    is_greedy: scores.map((s) => s.isGreedy),
    pred,
    acc: pred === item.prompt.target ? 1 : 0,
    input_tokens: Math.max(...req.choices.map((c) => c.input.length)),
    truncated: req.choices.some((c) => c.truncated),
    shots_used: item.shotsUsed,
    ...item.extra,
  };
  if (t.reportAccNorm) {
    const choices = item.prompt.continuations.map((c) => c.slice(t.targetDelimiter.length));
    sample.acc_norm = argmax(lls.map((l, i) => l / charLen(choices[i]!))) === item.prompt.target ? 1 : 0;
  }
  return sample;
}

async function generateSample(model: CausalLM, t: TemplateSpec, item: PromptItem, encode: Encode): Promise<Sample> {
  const gen = t.generation!;
  const ids = encode(item.prompt.context);
  // lm-eval generate_until: the context is left-truncated to max_length - max_gen_toks.
  const budget = model.maxLength - gen.maxNewTokens;
  const input = ids.slice(-budget);
  const text = await generateGreedy(model, input, gen.maxNewTokens, gen.stop);
  const m = gen.answerRegex.exec(text);
  const letters = item.prompt.continuations.map((c) => c.trim());
  const pred = m ? letters.indexOf(m[1]!) : -1;
  return {
    subject: item.subject,
    doc_id: item.docId,
    target: item.prompt.target,
    context: item.prompt.context,
    continuations: item.prompt.continuations,
    loglikelihoods: [],
    is_greedy: [],
    pred,
    acc: pred === item.prompt.target ? 1 : 0,
    input_tokens: input.length,
    truncated: input.length < ids.length,
    shots_used: item.shotsUsed,
    generated: text,
    ...item.extra,
  };
}
