import { Tensor } from '@huggingface/transformers';
import type { KvCache } from '../runtime/causalLm.ts';

/*
 * Host-side KV cache surgery. On WebGPU transformers.js keeps present.* outputs on the GPU; they
 * are downloaded once (toHost) before being copied. Copies are new tensors: a cache we keep (the
 * subject's prefix) is never handed to transformers.js' DynamicCache, whose update() disposes the
 * tensors it replaces.
 */

type Floats = Float32Array;

/** The cache with every tensor's data in host memory. */
export async function toHost(cache: KvCache): Promise<KvCache> {
  const out: KvCache = {};
  for (const [name, t] of Object.entries(cache)) {
    if (t.location === 'cpu' || t.location === undefined) out[name] = t;
    else {
      const ort = (t as unknown as { ort_tensor: { getData(): Promise<Floats> } }).ort_tensor;
      out[name] = new Tensor(t.type, await ort.getData(), t.dims);
    }
  }
  return out;
}

/** Frees tensors ONNX Runtime allocated (GPU buffers on WebGPU; a no-op for host arrays). */
export function disposeCache(cache: KvCache): void {
  for (const t of Object.values(cache)) if (t.location !== 'cpu') t.dispose();
}

/** A batch-`n` copy of a batch-1 host cache. */
export function repeatBatch(cache: KvCache, n: number): KvCache {
  if (n === 1) return cache;
  const out: KvCache = {};
  for (const [name, t] of Object.entries(cache)) {
    const src = t.data as Floats;
    const dst = new (src.constructor as Float32ArrayConstructor)(src.length * n);
    for (let b = 0; b < n; b++) dst.set(src, b * src.length);
    out[name] = new Tensor(t.type, dst, [n, ...t.dims.slice(1)]);
  }
  return out;
}

/**
 * Row `b` of a batched host cache ([batch, heads, positions, dim]) as a batch-1 cache holding
 * only the positions in `ranges` ([start, end) pairs, in order): drops a row's padding.
 */
export function selectRow(cache: KvCache, b: number, ranges: [number, number][]): KvCache {
  const out: KvCache = {};
  const kept = ranges.reduce((a, [s, e]) => a + e - s, 0);
  for (const [name, t] of Object.entries(cache)) {
    const [, heads, positions, dim] = t.dims as [number, number, number, number];
    const src = t.data as Floats;
    const dst = new (src.constructor as Float32ArrayConstructor)(heads * kept * dim);
    let o = 0;
    for (let h = 0; h < heads; h++) {
      const base = (b * heads + h) * positions * dim;
      for (const [s, e] of ranges) {
        dst.set(src.subarray(base + s * dim, base + e * dim), o);
        o += (e - s) * dim;
      }
    }
    out[name] = new Tensor(t.type, dst, [1, heads, kept, dim]);
  }
  return out;
}
