import type { Dtype } from './types.ts';

/** dtypes whose WebGPU kernels need the adapter's shader-f16 feature. */
export const NEEDS_SHADER_F16: readonly Dtype[] = ['fp16', 'q4f16'];

export const noShaderF16 = (dtype: string) =>
  `This WebGPU adapter has no shader-f16: ${dtype} will not run on it. Use fp32, q8 or q4 on WebGPU, or WASM.`;

/** False only when a WebGPU adapter answers without shader-f16 (none at all: the load reports it). */
export async function adapterHasShaderF16(): Promise<boolean> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } })?.gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  return !adapter || adapter.features.has('shader-f16');
}
