/** The runtime's own fp32 MatMul throughput, measured on scripts/make_matmul_onnx.py's model. */
export interface OrtLike {
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}
export interface SessionLike {
  inputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<unknown>;
}

export async function matmulGflops(
  ort: OrtLike,
  session: SessionLike,
  m: number,
  k: number,
  n: number,
  seconds = 3,
): Promise<number> {
  const x = new Float32Array(m * k);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i) * 0.5;
  const feeds = { X: new ort.Tensor('float32', x, [m, k]) };
  for (let i = 0; i < 3; i++) await session.run(feeds); // warm-up
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await session.run(feeds);
    runs++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  return (2 * m * k * n * runs) / elapsed / 1e9;
}

export const MATMUL_SHAPE = { m: 512, k: 1536, n: 1536 };
