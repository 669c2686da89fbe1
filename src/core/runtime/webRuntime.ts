import { env } from '@huggingface/transformers';
// The module instance transformers.js creates its sessions with in the browser.
import { env as ortEnv, InferenceSession } from 'onnxruntime-web/webgpu';
import { installSessionRewrites } from './sessionRewrites.ts';

/**
 * ONNX Runtime Web's WASM builds the site serves itself (vite.config.ts copies them under ort/): `asyncify`
 * runs the WebGPU and WASM execution providers (the one the webgpu bundle transformers.js imports is
 * made for; the app's); `plain` only WASM, faster (BENCHMARKS.md, "ONNX Runtime Web's builds"), used
 * by the bench page for now.
 */
export const ORT_BUILDS = {
  asyncify: ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'],
  plain: ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'],
} as const;
export type OrtBuild = keyof typeof ORT_BUILDS;
export const ORT_WASM_FILES = Object.values(ORT_BUILDS).flat();

export interface WebRuntimeOptions {
  /** URL of the folder holding ORT_WASM_FILES (no CDN). */
  ortBaseUrl: string;
  /** WASM threads; more than 1 needs cross-origin isolation. Default: ORT's choice. */
  threads?: number;
  /** Let transformers.js use the Cache API for model files (the app uses IndexedDB instead). */
  useBrowserCache?: boolean;
  /** Hand ONNX Runtime the weights as external data (sessionRewrites.ts); default true. */
  externalizeWeights?: boolean;
  /** Which build (default asyncify); `plain` cannot create WebGPU sessions. */
  build?: OrtBuild;
}

let configuredBuild: OrtBuild | null = null;

/** Points transformers.js / onnxruntime-web at self-served wasm files; call before loading a model. */
export function configureWebRuntime(opts: WebRuntimeOptions): void {
  const base = opts.ortBaseUrl.endsWith('/') ? opts.ortBaseUrl : opts.ortBaseUrl + '/';
  const wasm = env.backends.onnx.wasm!;
  configuredBuild = opts.build ?? 'asyncify';
  const [mjs, wasmFile] = ORT_BUILDS[configuredBuild];
  wasm.wasmPaths = { mjs: base + mjs, wasm: base + wasmFile };
  if (opts.threads !== undefined) wasm.numThreads = opts.threads;
  env.useBrowserCache = opts.useBrowserCache ?? false;
  installSessionRewrites(InferenceSession as never, undefined, opts.externalizeWeights ?? true);
}

/** The page's runtime, for the fingerprint (report/fingerprint.ts). */
export function webRuntimeInfo(): { runtime: string; onnxruntime: string; transformers_js: string } {
  const nav = navigator as Navigator & { userAgentData?: { brands?: { brand: string; version: string }[] } };
  const brand = nav.userAgentData?.brands?.find((b) => !/not.?a.?brand/i.test(b.brand) && b.brand !== 'Chromium');
  const chromium = nav.userAgentData?.brands?.find((b) => b.brand === 'Chromium');
  const ua = /(Firefox|Chrome|Version)\/([\d.]+)/.exec(navigator.userAgent);
  const runtime =
    (brand ?? chromium)
      ? `${(brand ?? chromium)!.brand} ${(brand ?? chromium)!.version}`
      : ua
        ? `${ua[1] === 'Version' ? 'Safari' : ua[1]} ${ua[2]}`
        : navigator.userAgent;
  return {
    runtime,
    onnxruntime: `onnxruntime-web ${ortEnv.versions.web ?? ortEnv.versions.common}${configuredBuild ? ` (${configuredBuild} build)` : ''}`,
    transformers_js: env.version,
  };
}

/** What the page needs of a WebGPU device (the DOM typings here carry no WebGPU types). */
export interface GpuDeviceLike {
  lost: Promise<{ message: string; reason?: string }>;
  destroy(): void;
}

/** The WebGPU device ONNX Runtime Web uses (once a WebGPU session exists), or null. */
export async function webgpuDevice(): Promise<GpuDeviceLike | null> {
  try {
    const d = (ortEnv.webgpu as { device?: GpuDeviceLike | Promise<GpuDeviceLike> }).device;
    return (await d) ?? null;
  } catch {
    return null;
  }
}
