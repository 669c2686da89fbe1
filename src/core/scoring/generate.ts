import type { CausalLM } from '../runtime/causalLm.ts';

function argmaxRow(logits: Float32Array, offset: number, vocab: number): number {
  let best = 0;
  for (let v = 1; v < vocab; v++) if (logits[offset + v]! > logits[offset + best]!) best = v;
  return best;
}

/**
 * Greedy decoding on the KV cache: returns the generated text cut at the first stop sequence
 * (lm-eval generate_until semantics); stops early at EOS.
 */
export async function generateGreedy(
  model: CausalLM,
  input: number[],
  maxNewTokens: number,
  stop: string[],
): Promise<string> {
  const vocab = model.vocabSize;
  const eos = (model.model.config as unknown as { eos_token_id?: number | number[] }).eos_token_id;
  const eosIds = new Set(Array.isArray(eos) ? eos : eos === undefined ? [] : [eos]);
  const generated: number[] = [];
  let { logits, cache } = await model.forward([input], undefined);
  let lastRow = input.length - 1;
  for (let step = 0; step < maxNewTokens; step++) {
    const next = argmaxRow(logits.data as Float32Array, lastRow * vocab, vocab);
    if (eosIds.has(next)) break;
    generated.push(next);
    const text = model.decode(generated);
    const cut = firstStop(text, stop);
    if (cut >= 0) return text.slice(0, cut);
    if (input.length + generated.length >= model.maxLength) break;
    ({ logits, cache } = await model.forward([[next]], cache));
    lastRow = 0;
  }
  return model.decode(generated);
}

function firstStop(text: string, stop: string[]): number {
  let cut = -1;
  for (const s of stop) {
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  return cut;
}
