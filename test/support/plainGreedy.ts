import type { CausalLM } from '../../src/core/runtime/causalLm.ts';

/**
 * Greedy decoding the plain way, for reference: a full forward pass over the whole sequence per new
 * token (no KV cache), stopping at stories260K's </s> (id 2) or where a stop string first appears
 * (the text cut there). `tokens` receives the ids generated (the stop's included, </s> not).
 */
export async function plainGreedy(
  model: CausalLM,
  ids: number[],
  maxNew: number,
  stop: string[],
  tokens: number[] = [],
): Promise<string> {
  const out = tokens;
  for (let i = 0; i < maxNew; i++) {
    const { logits } = await model.forward([[...ids, ...out]]);
    const data = logits.data as Float32Array;
    const v = model.vocabSize;
    const row = data.subarray(data.length - v);
    let best = 0;
    for (let j = 1; j < v; j++) if (row[j]! > row[best]!) best = j;
    if (best === 2) break; // stories260K's </s>
    out.push(best);
    const text = model.decode(out);
    const cut = Math.min(...stop.map((s) => text.indexOf(s)).filter((k) => k >= 0));
    if (Number.isFinite(cut)) return text.slice(0, cut);
  }
  return model.decode(out);
}
