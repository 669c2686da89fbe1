import type { Capabilities } from '../web/protocol.ts';
import type { RunRecord } from '../storage/db.ts';

/**
 * What `auto` means for the device: WebGPU only on a hardware adapter that is not measured slower
 * than WASM. A software adapter (SwiftShader, llvmpipe, a fallback adapter) is a CPU emulation, ~100x
 * slower than WASM here; earlier complete runs of the same model on this device decide otherwise.
 */
export function chooseDevice(
  caps: Capabilities | null,
  runs: readonly RunRecord[],
  modelId: string,
): { device: 'wasm' | 'webgpu'; why: string } {
  if (!caps?.webgpu) return { device: 'wasm', why: 'this browser offers no WebGPU adapter' };
  const a = caps.adapter;
  const name = [a?.vendor, a?.architecture, a?.description].filter(Boolean).join(' ') || 'unnamed adapter';
  if (a?.software)
    return {
      device: 'wasm',
      why: `the WebGPU adapter (${name}) is ${a.isFallbackAdapter ? 'a fallback' : 'a software'} renderer, far slower than WASM`,
    };
  const best = (device: string) =>
    Math.max(
      0,
      ...runs
        .filter((r) => r.status === 'complete' && r.model.id === modelId && r.model.device === device)
        .map((r) => r.facts?.itemsPerSecond ?? 0),
    );
  const [gpu, cpu] = [best('webgpu'), best('wasm')];
  if (gpu > 0 && cpu > gpu)
    return {
      device: 'wasm',
      why: `earlier runs of this model measured WebGPU (${name}) at ${gpu.toFixed(2)} q/s, WASM at ${cpu.toFixed(2)} q/s`,
    };
  return { device: 'webgpu', why: `WebGPU adapter: ${name}` };
}
