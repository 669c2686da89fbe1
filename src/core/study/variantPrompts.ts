import type { Question, SubjectData } from '../benchmarks/doc.ts';
import { subjectPrompts, type PromptItem } from '../prompts.ts';
import { makeShotSampler } from '../templates/build.ts';
import type { ApplyChat, ChatMode } from '../templates/chat.ts';
import { getLabelSet } from '../templates/labels.ts';
import { runTemplate } from '../templates/presets.ts';
import type { PromptInstance, TemplateSpec } from '../templates/template.ts';
import { PyRandom } from '../util/pyRandom.ts';
import type { Axes } from './axes.ts';

/** A prompt of one variant: the choices shown in `permutation` order (permutation[p] = original index at p). */
export interface VariantItem extends PromptItem {
  permutation: number[];
}

/** The template a variant uses: its template, with or without the description, under its label set. */
export function variantTemplate(axes: Axes): TemplateSpec {
  const t = runTemplate({ template: axes.template, description: axes.description !== 'off' });
  if (axes.labels === 'none' || axes.labels === t.labels) return t;
  if (!t.withLabels) throw new Error(`template ${t.id} shows no labels (labels=${axes.labels})`);
  return t.withLabels(getLabelSet(axes.labels));
}

/**
 * The permutation of each question of a subject, in file order. cycS shows at position p the
 * original choice (p − S) mod n; reverse shows n−1−p; random:<seed> is Python's
 * `rnd = random.Random(seed)` per subject, then `rnd.shuffle(list(range(n)))` for each question in
 * file order.
 */
export function permutations(order: string, questions: readonly Question[]): number[][] {
  const rnd = order.startsWith('random:') ? new PyRandom(Number(order.slice(7))) : null;
  return questions.map((q) => {
    const n = q.choices.length;
    const ids = Array.from({ length: n }, (_, p) => p);
    if (order === 'identity') return ids;
    if (order === 'reverse') return ids.map((p) => n - 1 - p);
    if (rnd) return rnd.shuffle(ids);
    const m = /^cyc(\d+)$/.exec(order);
    if (!m) throw new Error(`unknown order "${order}"`);
    const shift = Number(m[1]);
    return ids.map((p) => (((p - shift) % n) + n) % n);
  });
}

export function permuteQuestion(q: Question, perm: readonly number[]): Question {
  return { ...q, choices: perm.map((i) => q.choices[i]!), answer: perm.indexOf(q.answer) };
}

/**
 * One subject's prompts under a variant. Few-shot examples keep their own order and text: only
 * the evaluated question's choices move, so `cyc0` is exactly the plain run.
 */
export function variantPrompts(
  axes: Axes,
  data: SubjectData,
  limit: number | undefined,
  fits: ((p: PromptInstance) => boolean) | undefined,
  chat: { apply?: ApplyChat; system?: string } = {},
  /** The benchmark's lm-eval k+1 rule (benchmarks/fewshot.ts), for random shot orders. */
  excludeEvalDoc = false,
): VariantItem[] {
  const t = variantTemplate(axes);
  const qs = limit === undefined ? data.questions : data.questions.slice(0, limit);
  const perms = permutations(axes.order, qs);
  const permuted: SubjectData = { ...data, questions: qs.map((q, i) => permuteQuestion(q, perms[i]!)) };
  const sampler =
    axes.shot_order === 'first_n'
      ? undefined
      : makeShotSampler({ sampler: 'random', seed: Number(axes.shot_order.slice(7)), excludeEvalDoc });
  const mode = axes.chat as ChatMode;
  if (mode !== 'none' && !chat.apply) throw new Error("chat variants need the model's tokenizer (its chat template)");
  const chatOptions = mode === 'none' ? undefined : { mode, apply: chat.apply!, system: chat.system };
  return subjectPrompts(t, permuted, Number(axes.shots), undefined, fits, sampler, chatOptions).map((it, i) => ({
    ...it,
    permutation: perms[i]!,
  }));
}
