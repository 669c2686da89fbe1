import { Tensor } from '@huggingface/transformers';
import type { KvCache } from '../runtime/causalLm.ts';

/**
 * A batch-`n` copy of a batch-1 cache. New tensors: the original stays intact for the next
 * question (transformers.js' DynamicCache.update() disposes replaced GPU tensors; we never hand
 * it ours).
 */
export function repeatBatch(cache: KvCache, n: number): KvCache {
  if (n === 1) return cache;
  const out: KvCache = {};
  for (const [name, t] of Object.entries(cache)) {
    const src = t.data as Float32Array;
    const dst = new (src.constructor as Float32ArrayConstructor)(src.length * n);
    for (let b = 0; b < n; b++) dst.set(src, b * src.length);
    out[name] = new Tensor(t.type, dst, [n, ...t.dims.slice(1)]);
  }
  return out;
}
