import type { Question, SubjectData } from '../benchmarks/doc.ts';
import { subjectPrompts, type PromptItem } from '../prompts.ts';
import { buildPrefix, makeShotSampler, selectShots } from '../templates/build.ts';
import { getLabelSet } from '../templates/labels.ts';
import { getTemplate } from '../templates/presets.ts';
import type { PromptInstance, TemplateSpec } from '../templates/template.ts';
import { PyRandom } from '../util/pyRandom.ts';
import type { Axes, ChatMode } from './axes.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}
/** The tokenizer's chat template with the generation prompt appended, as text. */
export type ApplyChat = (messages: ChatMessage[]) => string;

export interface ChatOptions {
  apply?: ApplyChat;
  system?: string;
}

/** A prompt of one variant: the choices shown in `permutation` order (permutation[p] = original index at p). */
export interface VariantItem extends PromptItem {
  permutation: number[];
}

/** The template a variant uses: its template under its label set. */
export function variantTemplate(axes: Axes): TemplateSpec {
  const t = getTemplate(axes.template);
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
  chat: ChatOptions = {},
): VariantItem[] {
  const t = variantTemplate(axes);
  const shots = Number(axes.shots);
  const qs = limit === undefined ? data.questions : data.questions.slice(0, limit);
  const perms = permutations(axes.order, qs);
  const permuted: SubjectData = { ...data, questions: qs.map((q, i) => permuteQuestion(q, perms[i]!)) };
  const sampler =
    axes.shot_order === 'first_n'
      ? undefined
      : makeShotSampler({ sampler: 'random', seed: Number(axes.shot_order.slice(7)) });
  const mode = axes.chat as ChatMode;
  if (mode === 'none')
    return subjectPrompts(t, permuted, shots, undefined, fits, sampler).map((it, i) => ({
      ...it,
      permutation: perms[i]!,
    }));
  if (!chat.apply) throw new Error("chat variants need the model's tokenizer (its chat template)");
  const shared = sampler ? null : selectShots(data.dev, shots);
  return permuted.questions.map((q, i) => {
    const qShots = shared ?? sampler!(data.dev, shots);
    return {
      subject: data.subject,
      docId: q.docId,
      prompt: chatPrompt(t, q, qShots, mode, chat.apply!, chat.system),
      shotsUsed: qShots.length,
      permutation: perms[i]!,
      ...(q.extra ? { extra: q.extra } : {}),
    };
  });
}

/**
 * A chat variant's prompt. single: the whole plain prompt as one user turn; multiturn: each shot a
 * user turn (the description leading the first) answered by an assistant turn with its label. The
 * choices are scored as the assistant's reply: the labels without the target delimiter.
 */
export function chatPrompt(
  t: TemplateSpec,
  q: Question,
  shots: readonly Question[],
  mode: Exclude<ChatMode, 'none'>,
  apply: ApplyChat,
  system?: string,
): PromptInstance {
  const messages: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  if (mode === 'single') {
    messages.push({ role: 'user', content: buildPrefix(t, q.subject, shots) + t.formatQuestion(q) });
  } else {
    const description = t.description(q.subject);
    shots.forEach((s, i) => {
      messages.push({ role: 'user', content: (i === 0 ? description : '') + t.formatQuestion(s) });
      messages.push({ role: 'assistant', content: t.choices(s)[s.answer]! });
    });
    messages.push({ role: 'user', content: (shots.length === 0 ? description : '') + t.formatQuestion(q) });
  }
  return { context: apply(messages), continuations: t.choices(q), target: q.answer };
}
