import type { SubjectData } from '../benchmarks/doc.ts';
import type { EvalSettings, Sample } from '../records.ts';
import { makeFits } from '../prompts.ts';
import { commonPrefix } from '../templates/build.ts';
import { benchmarkOf } from '../benchmarks/registry.ts';
import { samplerSpec } from '../benchmarks/fewshot.ts';
import type { CausalLM } from '../runtime/causalLm.ts';
import { toSample } from '../samples.ts';
import { makeEncoder, questionRequest } from '../scoring/requests.ts';
import { Scorer, sumStats, type ScorerStats } from '../scoring/scorer.ts';
import { prefixGroupKey, type Variant } from './axes.ts';
import { chatApplier } from '../templates/chat.ts';
import { variantPrompts, variantTemplate, type VariantItem } from './variantPrompts.ts';

/** A study's sample: a run's sample plus the variant, the permutation shown and the pick in original order. */
export interface VariantSample extends Sample {
  variant: string;
  permutation: number[];
  pred_original: number;
}

export interface StudyProgress {
  done: number;
  total: number;
  subject: string;
  elapsedSeconds: number;
  etaSeconds: number;
  /** Prompt tokens scored so far in this call. */
  promptTokens: number;
}

export interface StudyHooks {
  onProgress?: (p: StudyProgress) => void;
  onSample?: (s: VariantSample) => void | Promise<void>;
  /** Already scored (a resumed study). */
  skip?: (variant: string, subject: string, docId: number) => boolean;
  signal?: AbortSignal;
}

export interface StudyOutput {
  samples: Map<string, VariantSample[]>;
  seconds: number;
  promptTokens: number;
  scorerStats: ScorerStats;
}

/** The base settings of a study (its axes override template and shots per variant). */
export type StudySettings = Omit<EvalSettings, 'batchSize'>;

/**
 * The model a group of variants runs on, by their dtype axis (undefined: a study stored before
 * that axis existed). Called once per dtype, in the order the variants name them; a caller that
 * loads models releases the previous one here, so one model is loaded at a time.
 */
export type StudyModel = CausalLM | ((dtype: string | undefined) => Promise<CausalLM>);

/**
 * Scores every variant on the same questions. Variants whose prompts share the subject's prefix
 * are scored together question by question, so the few-shot prefix and the question stem are
 * computed once (Scorer.scoreVariants); the numbers are those of each variant run alone.
 * Variants of different dtypes run on their own model, one dtype after the other.
 */
export async function runStudy(
  models: StudyModel,
  data: SubjectData[],
  settings: StudySettings,
  variants: readonly Variant[],
  hooks: StudyHooks = {},
  system?: string,
): Promise<StudyOutput> {
  const samples = new Map(variants.map((v) => [v.id, [] as VariantSample[]]));
  const perSubject = data.map((d) => Math.min(d.questions.length, settings.limit ?? Infinity));
  const progress = { done: 0, total: perSubject.reduce((a, n) => a + n, 0) * variants.length, promptTokens: 0 };
  const t0 = performance.now();
  const stats: ScorerStats[] = [];
  const byDtype = new Map<string | undefined, Variant[]>();
  for (const v of variants) byDtype.set(v.axes.dtype, [...(byDtype.get(v.axes.dtype) ?? []), v]);
  for (const [dtype, group] of byDtype) {
    if (hooks.signal?.aborted) break;
    const model = typeof models === 'function' ? await models(dtype) : models;
    stats.push(await scoreOnModel(model, data, settings, group, hooks, system, samples, progress, t0));
  }
  return {
    samples,
    seconds: (performance.now() - t0) / 1000,
    promptTokens: progress.promptTokens,
    scorerStats: sumStats(stats),
  };
}

/** Scores `variants` (all of one dtype) on `model`, adding to `samples` and `progress`. */
async function scoreOnModel(
  model: CausalLM,
  data: SubjectData[],
  settings: StudySettings,
  variants: readonly Variant[],
  hooks: StudyHooks,
  system: string | undefined,
  samples: Map<string, VariantSample[]>,
  progress: { done: number; total: number; promptTokens: number },
  t0: number,
): Promise<ScorerStats> {
  const encode = makeEncoder(model, settings.bos, settings.lmEval);
  const fits = makeFits(encode, model.maxLength);
  const chat = variants.some((v) => v.axes.chat !== 'none')
    ? { apply: chatApplier(model.tokenizer, model.source.id), system }
    : {};
  const scorer = new Scorer(model, settings.scorer);
  const excludeEvalDoc = samplerSpec(benchmarkOf(settings)).excludeEvalDoc ?? false;
  const total = progress.total;
  let done = progress.done;
  let promptTokens = progress.promptTokens;
  for (const d of data) {
    // Variants whose contexts share more than the description go together (same template, shots, labels, chat).
    const groups = new Map<string, { variant: Variant; items: VariantItem[] }[]>();
    for (const v of variants) {
      const items = variantPrompts(v.axes, d, settings.limit, fits, chat, excludeEvalDoc);
      const k = prefixGroupKey(v.axes);
      groups.set(k, [...(groups.get(k) ?? []), { variant: v, items }]);
    }
    for (const group of groups.values()) {
      if (hooks.signal?.aborted) break;
      await scorer.setPrefix(commonPrefix(group[0]!.items.map((it) => it.prompt.context)), encode);
      const n = group[0]!.items.length;
      for (let i = 0; i < n && !hooks.signal?.aborted; i++) {
        const todo = group.filter((g) => !hooks.skip?.(g.variant.id, d.subject, g.items[i]!.docId));
        done += group.length - todo.length;
        if (todo.length === 0) continue;
        const reqs = todo.map((g) => questionRequest(g.items[i]!.prompt, encode, model.maxLength));
        const scores = await scorer.scoreVariants(reqs);
        for (const [j, g] of todo.entries()) {
          const item = g.items[i]!;
          const base = toSample(variantTemplate(g.variant.axes), item, reqs[j]!, scores[j]!);
          const sample: VariantSample = {
            ...base,
            variant: g.variant.id,
            permutation: item.permutation,
            pred_original: item.permutation[base.pred]!,
          };
          promptTokens += sample.input_tokens;
          samples.get(g.variant.id)!.push(sample);
          await hooks.onSample?.(sample);
          done++;
        }
        const elapsed = (performance.now() - t0) / 1000;
        hooks.onProgress?.({
          done,
          total,
          subject: d.subject,
          elapsedSeconds: elapsed,
          etaSeconds: ((total - done) * elapsed) / done,
          promptTokens,
        });
      }
    }
  }
  scorer.release();
  progress.done = done;
  progress.promptTokens = promptTokens;
  return scorer.stats;
}
