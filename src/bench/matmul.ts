/**
 * Each dtype's own kernel throughput (scripts/make_matmul_onnx.py's models): the ceiling that a
 * model's achieved FLOP/s is measured against. The peak is the maximum over several weight shapes,
 * row counts and repetitions, so that no single shape that the runtime handles badly is taken for
 * its ceiling.
 */
import type { Dtype } from '../core/runtime/causalLm.ts';
import { NO_REWRITES, rewriteModel } from '../core/runtime/graphRewrites.ts';

export interface OrtLike {
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}
export interface SessionLike {
  run(feeds: Record<string, unknown>): Promise<unknown>;
  release?(): Promise<void>;
}

export const KERNEL_DTYPES: Dtype[] = ['fp32', 'q8', 'q4', 'fp16'];
export const KERNEL_SHAPES: [number, number][] = [
  [576, 576],
  [576, 1536],
  [1536, 576],
  [1536, 1536],
];
export const KERNEL_ROWS = [32, 128, 512];

export interface KernelPeak {
  gflops: number;
  /** Where the peak was reached: rows x K @ K x N. */
  shape: string;
}

export const kernelFile = (dtype: Dtype, k: number, n: number) => `matmul_${dtype}_${k}x${n}.onnx`;

/** GFLOP/s of the fastest of `reps` timed batches of runs, each batch at least `batchMs` long. */
async function bestOf(
  ort: OrtLike,
  session: SessionLike,
  m: number,
  k: number,
  n: number,
  reps: number,
  batchMs: number,
): Promise<number> {
  const x = new Float32Array(m * k);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i) * 0.5;
  const feeds = { X: new ort.Tensor('float32', x, [1, m, k]) };
  for (let i = 0; i < 2; i++) await session.run(feeds); // warm-up
  let best = 0;
  for (let r = 0; r < reps; r++) {
    let runs = 0;
    const t0 = performance.now();
    while (runs === 0 || performance.now() - t0 < batchMs) {
      await session.run(feeds);
      runs++;
    }
    best = Math.max(best, (2 * m * k * n * runs) / ((performance.now() - t0) / 1000) / 1e9);
  }
  return best;
}

/**
 * The peak of one dtype's kernel. `load` gives a model file's bytes and `create` a session on
 * them; the q8 models get the per-row-dynamic-quant rewrite that q8 models get at load, so the
 * kernel measured is the one the model runs.
 */
export async function kernelPeak(
  ort: OrtLike,
  dtype: Dtype,
  load: (file: string) => Promise<Uint8Array>,
  create: (bytes: Uint8Array) => Promise<SessionLike>,
  reps = 5,
  batchMs = 80,
): Promise<KernelPeak> {
  let peak: KernelPeak = { gflops: 0, shape: '' };
  for (const [k, n] of KERNEL_SHAPES) {
    let bytes = await load(kernelFile(dtype, k, n));
    if (dtype === 'q8') bytes = rewriteModel(bytes, { ...NO_REWRITES, perRowQuant: true }).bytes;
    const session = await create(bytes);
    for (const m of KERNEL_ROWS) {
      const gflops = await bestOf(ort, session, m, k, n, reps, batchMs);
      if (gflops > peak.gflops) peak = { gflops, shape: `${m}x${k} @ ${k}x${n}` };
    }
    await session.release?.();
  }
  return peak;
}
