import type { SubjectData } from './benchmarks/doc.ts';
import type { CausalLM } from './runtime/causalLm.ts';
import { buildPrefix, selectShots } from './templates/build.ts';
import { commonPrefix, makeFits, runSampler, subjectPrompts, type PromptItem } from './prompts.ts';
import { chatApplier, type ChatMode } from './templates/chat.ts';
import { generateSample, toSample } from './samples.ts';
import { runGeneration, runTemplate } from './templates/presets.ts';
import type { GenerationSettings, TemplateSpec } from './templates/template.ts';
import { BatchTuner } from './scoring/batchTuner.ts';
import { Scorer, type ScorerMode, type ScorerStats } from './scoring/scorer.ts';
import { partRange, type Part } from './parts.ts';
import { makeEncoder, questionRequest, type BosPolicy, type Encode } from './scoring/requests.ts';

export type { ScorerMode } from './scoring/scorer.ts';
export type { PromptItem } from './prompts.ts';

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
  /**
   * The lm-evaluation-harness release whose semantics 'lm-eval' BOS follows (lmEvalReleases.ts);
   * absent: the latest. Recorded as config.lm_eval_version.
   */
  lmEval?: string;
  scorer: ScorerMode;
  /**
   * Questions per forward pass (fast scorer; default 1), or 'auto': measure batches of
   * AUTO_BATCH against one at a time on the first questions and keep the faster. Results are the
   * same for any value.
   */
  batchSize?: number | 'auto';
  /** The task description before the shots (default on; lm-eval's `description`). */
  description?: boolean;
  /** Chat template: none (default), the prompt as one user turn, or each shot a turn; an optional system prompt. */
  chat?: ChatMode;
  system?: string;
  /** Generate templates: decoding overrides (max new tokens, stops, temperature, top-k/p, seed). */
  generation?: Partial<GenerationSettings>;
  /** Only this slice of the run's questions (parts.ts); absent: all of them. */
  part?: Part;
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
  /** The acc_norm pick (log-likelihood per character), where the template reports acc_norm. */
  pred_norm?: number;
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
  const t = runTemplate(settings);
  const encode = makeEncoder(model, settings.bos, settings.lmEval);
  const fits = makeFits(encode, model.maxLength);
  const sampler = runSampler(settings);
  const chat =
    settings.chat && settings.chat !== 'none'
      ? { mode: settings.chat, apply: chatApplier(model.tokenizer, model.source.id), system: settings.system }
      : undefined;
  // Every document draws its shots (in order) even when skipped, so a resumed run's prompts are the same.
  const every = data.flatMap((d) => subjectPrompts(t, d, settings.shots, settings.limit, fits, sampler, chat));
  const range = settings.part ? partRange(every.length, settings.part) : null;
  const all = range ? every.slice(range.start, range.end) : every;
  const items = all.filter((it) => !hooks.skip?.(it.subject, it.docId));
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
      // Shots drawn per document share no prefix beyond the description; a chat template wraps the
      // prompt, so there the prefix is what the subject's prompts have in common.
      const shots = sampler ? [] : selectShots(devBySubject.get(subject)!, settings.shots);
      const prefix = chat
        ? commonPrefix(every.filter((it) => it.subject === subject).map((it) => it.prompt.context))
        : buildPrefix(t, subject, shots);
      await scorer.setPrefix(prefix, encode);
    }
    const started = performance.now();
    const scored =
      t.scoring === 'generate'
        ? [await generateSample(model, t, chunk[0]!, encode, runGeneration(settings)!)]
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
