/**
 * A rough time estimate before a run: FLOPs of the prompt tokens the fast scorer computes
 * (each subject's few-shot prefix once, then each question) at an assumed sustained throughput.
 * Shown as an order of magnitude; the live ETA replaces it once the run starts.
 */
const ASSUMED_GFLOPS = { wasm: 30, webgpu: 300 } as const;
const TOKENS_PER_QUESTION = 90;
const TOKENS_PER_SHOT = 110;

export function estimateSeconds(
  params: number,
  subjects: number,
  questions: number,
  shots: number,
  device: 'wasm' | 'webgpu',
): number {
  const tokens = questions * TOKENS_PER_QUESTION + subjects * shots * TOKENS_PER_SHOT;
  return (2 * params * tokens) / (ASSUMED_GFLOPS[device] * 1e9);
}
