import { offeredDtypes, type HubFile } from '../core/runtime/hubSizes.ts';
import { NEEDS_SHADER_F16 } from '../core/runtime/shaderF16.ts';

/**
 * Model presets: small causal LMs published with ONNX weights for transformers.js. Sizes are the
 * ONNX files' approximate download sizes in MB per dtype, shown (marked ≈) only when the hub's
 * tree API does not answer; adding a preset is adding an entry here.
 */
export interface ModelPreset {
  id: string;
  label: string;
  sizesMb: Partial<Record<'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16', number>>;
}

export const MODEL_PRESETS: ModelPreset[] = [
  {
    id: 'onnx-community/SmolLM2-135M-Instruct-ONNX',
    label: 'SmolLM2 135M Instruct',
    sizesMb: { fp32: 540, fp16: 271, q8: 138, q4: 119, q4f16: 100 },
  },
  {
    id: 'onnx-community/SmolLM2-360M-Instruct-ONNX',
    label: 'SmolLM2 360M Instruct',
    sizesMb: { fp32: 1450, fp16: 725, q8: 368, q4: 294, q4f16: 240 },
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    label: 'Qwen2.5 0.5B Instruct',
    sizesMb: { fp32: 1980, fp16: 990, q8: 500, q4: 786, q4f16: 460 },
  },
  {
    id: 'onnx-community/Qwen3-0.6B-ONNX',
    label: 'Qwen3 0.6B',
    sizesMb: { fp32: 2400, fp16: 1200, q8: 600, q4: 900, q4f16: 570 },
  },
  {
    id: 'onnx-community/Llama-3.2-1B-Instruct',
    label: 'Llama 3.2 1B Instruct',
    sizesMb: { fp32: 4950, fp16: 2480, q8: 1250, q4: 1640, q4f16: 1010 },
  },
];

export const DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;
export type UiDtype = (typeof DTYPES)[number];

/** dtypes that need shader-f16 on WebGPU. */
export const NEEDS_F16: readonly UiDtype[] = NEEDS_SHADER_F16;

/**
 * Questions/s per dtype that `npm run bench` measured in Chromium WASM (BENCHMARKS.md, full run:
 * the SmolLM2-135M-shaped model, fast scorer, batch 1, [0-shot, 5-shot]). Re-measure and update
 * with BENCHMARKS.md; test/unit/dtypeDefault.test.ts checks that the two agree.
 */
export const WASM_DTYPE_SPEED: Partial<Record<UiDtype, readonly [number, number]>> = {
  fp32: [4.11, 2.79],
  q8: [6.03, 3.98],
  q4: [2.79, 2.19],
  fp16: [4.15, 2.99],
};

const geomean = (xs: readonly number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

/**
 * Which dtype to start with, best first, among those the repository offers. WASM: fastest measured
 * first (WASM_DTYPE_SPEED, geometric mean over 0 and 5 shots), then the unmeasured ones. WebGPU:
 * the smallest files first (no real GPU was measurable here; SwiftShader is a CPU emulation), the
 * f16 ones only with shader-f16.
 */
export function dtypePreference(device: 'wasm' | 'webgpu', shaderF16: boolean): UiDtype[] {
  if (device === 'wasm') {
    const measured = DTYPES.filter((d) => WASM_DTYPE_SPEED[d]).sort(
      (a, b) => geomean(WASM_DTYPE_SPEED[b]!) - geomean(WASM_DTYPE_SPEED[a]!),
    );
    return [...measured, ...DTYPES.filter((d) => !WASM_DTYPE_SPEED[d])];
  }
  return shaderF16 ? ['q4f16', 'q4', 'fp16', 'q8', 'fp32'] : ['q4', 'q8', 'fp32'];
}

/** The dtype a run starts with: the first of the device's preference that the repository's files include. */
export function defaultDtype(files: HubFile[], device: 'wasm' | 'webgpu', shaderF16: boolean): UiDtype | null {
  return offeredDtypes(files, dtypePreference(device, shaderF16))[0] ?? null;
}

/** A model to offer in the picker: a preset, one the hub's model list names (a mirror), or the link's ?model=. */
export interface ModelOption {
  id: string;
  label: string;
  sizesMb?: ModelPreset['sizesMb'];
}
