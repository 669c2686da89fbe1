import type { Sample } from './records.ts';
import type { PromptItem } from './prompts.ts';
import type { CausalLM } from './runtime/causalLm.ts';
import { generateText, questionRng } from './scoring/generate.ts';
import { pyStrip } from './util/pyStr.ts';
import { mc2Mass } from './benchmarks/truthfulqa/mc2.ts';
import type { ChoiceScore, Encode, QuestionRequest } from './scoring/requests.ts';
import type { GenerationSettings, TemplateSpec } from './templates/template.ts';

function argmax(xs: number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

/** Python len(): code points, as lm-eval's acc_norm divides by. */
const charLen = (s: string) => [...s].length;

/** A scored document as its sample: log-likelihoods, the pick, acc (and acc_norm), lm-eval's fields. */
export function toSample(t: TemplateSpec, item: PromptItem, req: QuestionRequest, scores: ChoiceScore[]): Sample {
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
    ...(item.prompt.contexts ? { contexts: item.prompt.contexts } : {}),
    ...item.extra,
  };
  if (t.trueMass) {
    if (!item.labels) throw new Error(`${item.subject} ${item.docId}: mc2 needs each choice's label`);
    sample.labels = item.labels;
    sample.acc = mc2Mass(lls, item.labels, 'labels');
    sample.mc2_split = mc2Mass(lls, item.labels, 'split');
  }
  if (t.reportAccNorm) {
    // Chat prompts score the choices without the delimiter (the assistant's reply).
    const choices = item.prompt.continuations.map((c) => (item.chat ? c : c.slice(t.targetDelimiter.length)));
    sample.pred_norm = argmax(lls.map((l, i) => l / charLen(choices[i]!)));
    sample.acc_norm = sample.pred_norm === item.prompt.target ? 1 : 0;
  }
  return sample;
}

/** A document answered by generation: the text, the letter extracted by the template's rule, exact match. */
export async function generateSample(
  model: CausalLM,
  t: TemplateSpec,
  item: PromptItem,
  encode: Encode,
  g: GenerationSettings,
): Promise<Sample> {
  const rule = t.generation!;
  const ids = encode(item.prompt.context);
  // lm-eval generate_until: the context is left-truncated to max_length - max_gen_toks.
  const budget = model.maxLength - g.maxNewTokens;
  const input = ids.slice(-budget);
  const rng = g.temperature > 0 ? questionRng(g.seed, item.subject, item.docId) : null;
  const free = rule.freeform;
  const { text, timing } = await generateText(model, input, g, rng, free?.cut);
  // the sample's fields in the order every sample is written, its pick and score in the middle
  const sample = (pred: number, acc: number) => ({
    subject: item.subject,
    doc_id: item.docId,
    target: item.prompt.target,
    context: item.prompt.context,
    continuations: item.prompt.continuations,
    loglikelihoods: [],
    is_greedy: [],
    pred,
    acc,
    input_tokens: input.length,
    truncated: input.length < ids.length,
    shots_used: item.shotsUsed,
    generated: text,
    timing,
  });
  if (free) {
    // the reference is the document's target (GSM8K: its whole worked answer)
    const reference = item.prompt.continuations[item.prompt.target]!.slice(t.targetDelimiter.length);
    const scores = free.score(text, reference);
    const filters = free.filters;
    const first = scores[filters[0]!]!;
    return {
      // no choice to pick: -1 where the headline filter extracted nothing, else the target (acc says whether it was right)
      ...sample(first.extracted === free.invalid ? -1 : item.prompt.target, first.exact_match),
      filtered: Object.fromEntries(filters.map((f) => [f, scores[f]!.extracted])),
      exact_match: Object.fromEntries(filters.map((f) => [f, scores[f]!.exact_match])),
      no_answer: Object.fromEntries(filters.map((f) => [f, scores[f]!.extracted === free.invalid ? 1 : 0])),
    };
  }
  const m = rule.answerRegex!.exec(rule.strip ? pyStrip(text) : text);
  const letters = item.prompt.continuations.map((c) => c.trim());
  const pred = m ? letters.indexOf(m[1]!) : -1;
  return { ...sample(pred, pred === item.prompt.target ? 1 : 0), ...item.extra };
}
