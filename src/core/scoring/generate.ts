import type { CausalLM } from '../runtime/causalLm.ts';
import type { GenerationSettings } from '../templates/template.ts';
import { PyRandom } from '../util/pyRandom.ts';

function argmaxRow(logits: Float32Array, offset: number, vocab: number): number {
  let best = 0;
  for (let v = 1; v < vocab; v++) if (logits[offset + v]! > logits[offset + best]!) best = v;
  return best;
}

/**
 * A token drawn from softmax(logits / temperature), restricted to the top k and then to the
 * nucleus of probability top_p (the order Hugging Face's sampling warpers apply them).
 */
export function sampleToken(row: Float32Array, g: GenerationSettings, rng: PyRandom): number {
  const ids = Array.from(row.keys()).sort((a, b) => row[b]! - row[a]! || a - b);
  const kept = g.topK > 0 ? ids.slice(0, g.topK) : ids;
  const max = row[kept[0]!]!;
  const weights = kept.map((i) => Math.exp((row[i]! - max) / g.temperature));
  const total = weights.reduce((a, w) => a + w, 0);
  let n = kept.length;
  if (g.topP < 1) {
    let cum = 0;
    for (n = 0; n < kept.length && cum < g.topP * total; n++) cum += weights[n]!;
    n = Math.max(n, 1);
  }
  const mass = weights.slice(0, n).reduce((a, w) => a + w, 0);
  let u = rng.random() * mass;
  for (let j = 0; j < n; j++) {
    u -= weights[j]!;
    if (u < 0) return kept[j]!;
  }
  return kept[n - 1]!;
}

/** One question's sampling stream: the run's seed with the subject and document, independent of run order. */
export function questionRng(seed: number, subject: string, docId: number): PyRandom {
  let h = 2166136261;
  for (const ch of `${subject}/${docId}`) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return new PyRandom(seed * 2 ** 21 + (h % 2 ** 21));
}

/** A generation: its text and how long it took on this device. */
export interface Generation {
  text: string;
  timing: GenerationTiming;
}

/**
 * One question's decoding time, as EvalScope measures a request: seconds to the first generated
 * token (the prompt's forward pass and the first pick), seconds in all, and tokens generated (the
 * stop sequence's included, EOS not).
 */
export interface GenerationTiming {
  ttft_s: number;
  seconds: number;
  output_tokens: number;
}

/**
 * Decoding on the KV cache (greedy at temperature 0, else sampled with `rng`): stops once a stop
 * sequence appears (lm-eval generate_until's stopping criterion) or at EOS, and returns the text
 * cut at the first stop sequence, or by `cut` (lm-eval's split at each term in turn) where given.
 */
export async function generateText(
  model: CausalLM,
  input: number[],
  g: GenerationSettings,
  rng: PyRandom | null,
  cut?: (text: string, stop: readonly string[]) => string,
): Promise<Generation> {
  const t0 = performance.now();
  let ttft = NaN;
  const done = (text: string): Generation => {
    const seconds = (performance.now() - t0) / 1000;
    return {
      text,
      timing: { ttft_s: Number.isNaN(ttft) ? seconds : ttft, seconds, output_tokens: generated.length },
    };
  };
  const vocab = model.vocabSize;
  const eos = (model.model.config as unknown as { eos_token_id?: number | number[] }).eos_token_id;
  const eosIds = new Set(Array.isArray(eos) ? eos : eos === undefined ? [] : [eos]);
  const generated: number[] = [];
  let { logits, cache } = await model.forward([input], undefined);
  let lastRow = input.length - 1;
  for (let step = 0; step < g.maxNewTokens; step++) {
    const data = logits.data as Float32Array;
    const next =
      g.temperature > 0 && rng
        ? sampleToken(data.subarray(lastRow * vocab, (lastRow + 1) * vocab), g, rng)
        : argmaxRow(data, lastRow * vocab, vocab);
    if (step === 0) ttft = (performance.now() - t0) / 1000;
    if (eosIds.has(next)) break;
    generated.push(next);
    const text = model.decode(generated);
    const at = firstStop(text, g.stop);
    if (at >= 0) return done(cut ? cut(text, g.stop) : text.slice(0, at));
    if (step + 1 === g.maxNewTokens || input.length + generated.length >= model.maxLength) break;
    ({ logits, cache } = await model.forward([[next]], cache));
    lastRow = 0;
  }
  const text = model.decode(generated);
  return done(cut ? cut(text, g.stop) : text);
}

function firstStop(text: string, stop: string[]): number {
  let cut = -1;
  for (const s of stop) {
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  return cut;
}
