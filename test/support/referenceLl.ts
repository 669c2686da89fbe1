import type * as ort from 'onnxruntime-node';
import { storiesFeeds } from './storiesFeeds.ts';

/**
 * A deliberately plain log-likelihood: one full forward pass over the whole token sequence of a
 * (context, continuation) pair, straight on onnxruntime-node (not through the engine's runtime),
 * no cache, no batching, log-softmax summed in float64.
 */
export async function referenceLoglikelihood(
  session: ort.InferenceSession,
  encode: (s: string) => number[],
  context: string,
  continuation: string,
  maxLen: number,
): Promise<number> {
  // lm-eval: trailing spaces of the context belong to the continuation.
  const stripped = context.replace(/\s+$/, '');
  continuation = context.slice(stripped.length) + continuation;
  context = stripped;
  const whole = encode(context + continuation);
  const contTokens = whole.slice(encode(context).length);
  // lm-eval: inp = (ctx + cont)[-(max_length+1):][:-1]
  const inp = whole.slice(-(maxLen + 1)).slice(0, -1);
  const L = inp.length;
  const feeds = storiesFeeds(inp);
  const logits = (await session.run(feeds)).logits!;
  const V = logits.dims[2]!;
  const data = logits.data as Float32Array;
  let total = 0;
  for (let j = 0; j < contTokens.length; j++) {
    const row = L - contTokens.length + j;
    const slice = Array.from(data.subarray(row * V, (row + 1) * V));
    const m = Math.max(...slice);
    const logZ = m + Math.log(slice.reduce((a, x) => a + Math.exp(x - m), 0));
    total += slice[contTokens[j]!]! - logZ;
  }
  return total;
}
