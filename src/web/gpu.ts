/// <reference lib="webworker" />
import { webgpuDevice, type GpuDeviceLike } from '../core/runtime/webRuntime.ts';
import type { AdapterInfo, Capabilities } from './protocol.ts';

interface GpuAdapterLike {
  features: Set<string>;
  info?: Partial<Omit<AdapterInfo, 'software'>>;
  isFallbackAdapter?: boolean;
}

/** What this browser offers: WebGPU (its adapter, shader-f16), WASM threads, cross-origin isolation. */
export async function capabilities(threads: number): Promise<Capabilities> {
  let adapter: AdapterInfo | null = null;
  let shaderF16 = false;
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  const a = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (a) {
    shaderF16 = a.features.has('shader-f16');
    const info = a.info ?? {};
    const isFallbackAdapter = !!(info.isFallbackAdapter ?? a.isFallbackAdapter);
    const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`;
    adapter = {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      description: info.description ?? '',
      isFallbackAdapter,
      software: isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i.test(text),
    };
  }
  return { webgpu: !!a, shaderF16, adapter, threads, crossOriginIsolated: self.crossOriginIsolated };
}

/**
 * Why the WebGPU device was lost (driver reset, GPU removed, the browser reclaiming it), once it
 * is: a run that fails then is stopped, not failed, and can resume on WASM.
 */
export class GpuWatch {
  lost: string | null = null;

  async watch(onLost: () => void): Promise<void> {
    const device = await webgpuDevice();
    if (!device) return;
    this.lost = null;
    // The handle lets the fault-injection tests lose the device for real (device.destroy()).
    (self as unknown as { pagebenchGpuDevice?: GpuDeviceLike }).pagebenchGpuDevice = device;
    void device.lost.then((info) => {
      this.lost = info.message || info.reason || 'lost';
      onLost(); // its sessions are unusable now
    });
  }
}
