import { RateMeter } from './util/rate.ts';
import type { SubjectData } from './benchmarks/doc.ts';
import type { CausalLM } from './runtime/causalLm.ts';
import { makeFits, runPrompts, type PromptItem } from './prompts.ts';
import { chatApplier } from './templates/chat.ts';
import { generateSample, toSample } from './samples.ts';
import { runGeneration } from './templates/presets.ts';
import type { TemplateSpec } from './templates/template.ts';
import { BatchTuner } from './scoring/batchTuner.ts';
import { Scorer, type ScorerStats } from './scoring/scorer.ts';
import { partRange } from './parts.ts';
import { makeEncoder, questionRequest, type Encode } from './scoring/requests.ts';

export type { ScorerMode } from './scoring/scorer.ts';
export type { EvalSettings, Progress, Sample } from './records.ts';
import type { EvalSettings, Progress, Sample } from './records.ts';
export type { PromptItem } from './prompts.ts';

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
  const encode = makeEncoder(model, settings.bos, settings.lmEval);
  const chat =
    settings.chat && settings.chat !== 'none'
      ? { mode: settings.chat, apply: chatApplier(model.tokenizer, model.source.id), system: settings.system }
      : undefined;
  // Every document draws its shots (in order) even when skipped, so a resumed run's prompts are the same.
  const {
    template: t,
    items: every,
    prefixes,
  } = runPrompts(settings, data, { fits: makeFits(encode, model.maxLength), chat });
  const range = settings.part ? partRange(every.length, settings.part) : null;
  const all = range ? every.slice(range.start, range.end) : every;
  const pending = all.filter((it) => !hooks.skip?.(it.subject, it.docId));
  const items = t.scoring !== 'generate' && settings.scorer === 'fast' ? sharedStartsTogether(pending) : pending;
  const position = new Map(pending.map((it, i) => [it, i]));
  const positions: number[] = [];
  const requested = settings.batchSize ?? 1;
  const batchable = t.scoring !== 'generate' && settings.scorer === 'fast';
  const tuner = batchable && requested === 'auto' ? new BatchTuner(AUTO_BATCH) : null;
  const fixedSize = !batchable || requested === 'auto' ? 1 : Math.max(1, requested);
  const scorer = new Scorer(model, settings.scorer);
  let currentSubject = '';
  const samples: Sample[] = [];
  const t0 = performance.now();
  const meter = new RateMeter();
  let promptTokens = 0;
  let truncatedCount = 0;
  for (let next = 0; next < items.length && !hooks.signal?.aborted;) {
    const chunk = takeChunk(items, next, tuner ? tuner.next() : fixedSize);
    next += chunk.length;
    const subject = chunk[0]!.subject;
    if (subject !== currentSubject && t.scoring !== 'generate') {
      currentSubject = subject;
      await scorer.setPrefix(prefixes.get(subject)!, encode);
    }
    const started = performance.now();
    const scored =
      t.scoring === 'generate'
        ? [await generateSample(model, t, chunk[0]!, encode, runGeneration(settings)!)]
        : await scoreSamples(scorer, t, chunk, encode);
    tuner?.record(chunk.length, (performance.now() - started) / 1000);
    const rate = meter.record(samples.length + scored.length);
    for (const [i, sample] of scored.entries()) {
      positions.push(position.get(chunk[i]!)!);
      promptTokens += sample.input_tokens;
      if (sample.truncated) truncatedCount++;
      samples.push(sample);
      await hooks.onSample?.(sample);
      const elapsed = (performance.now() - t0) / 1000;
      hooks.onProgress?.({
        done: samples.length,
        total: items.length,
        subject,
        elapsedSeconds: elapsed,
        itemsPerSecond: Number.isFinite(rate) ? rate : samples.length / elapsed,
        promptTokensPerSecond: promptTokens / elapsed,
        etaSeconds: (items.length - samples.length) / rate,
      });
    }
  }
  scorer.release();
  return {
    samples: inOrder(samples, positions),
    truncatedCount,
    promptTokens,
    seconds: (performance.now() - t0) / 1000,
    scorerStats: scorer.stats,
    batchSize: tuner ? (tuner.chosen ?? 1) : fixedSize,
  };
}

/**
 * The fast scorer continues a question from the previous one's cache where they start alike (the
 * same reading passage), so within a subject the questions are scored in the order of their
 * prompts' text: those that share a start come one after another. Results keep the run's order.
 */
function sharedStartsTogether(items: PromptItem[]): PromptItem[] {
  const rank = new Map<string, number>();
  for (const it of items) if (!rank.has(it.subject)) rank.set(it.subject, rank.size);
  const text = (it: PromptItem) => it.prompt.context;
  return [...items].sort(
    (a, b) => rank.get(a.subject)! - rank.get(b.subject)! || (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0),
  );
}

/** Samples scored in another order, back in the run's (positions[i] is samples[i]'s place). */
function inOrder(samples: Sample[], positions: number[]): Sample[] {
  const out = samples.map((s, i) => ({ s, at: positions[i]! }));
  return out.sort((a, b) => a.at - b.at).map((x) => x.s);
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
