// The browser side of `npm run bench`: runs one case (or the MatMul measurement) named in the URL
// and leaves the result on window.__benchResult (or the error on window.__benchError).
import * as ort from 'onnxruntime-web/webgpu';
import { loadAll } from '../core/benchmarks/mmlu/data.ts';
import { hubSource } from '../core/benchmarks/mmlu/source.ts';
import { CausalLM } from '../core/runtime/causalLm.ts';
import { configureWebRuntime } from '../core/runtime/webRuntime.ts';
import type { BenchCase } from './cases.ts';
import { MATMUL_SHAPE, matmulGflops } from './matmul.ts';
import { runCase } from './runCase.ts';
import { installTrustedTypes } from '../ui/csp.ts';

declare global {
  interface Window {
    __benchResult?: unknown;
    __benchError?: string;
  }
}

const params = new URLSearchParams(location.search);
const hub = params.get('hub')!;
const threads = Number(params.get('threads') ?? navigator.hardwareConcurrency);
const status = document.getElementById('status')!;

async function main() {
  installTrustedTypes();
  // The page lives at src/bench/bench.html in the build; ONNX Runtime's files at the site's root ort/.
  configureWebRuntime({ ortBaseUrl: new URL('../../ort/', location.href).href, threads });
  if (!crossOriginIsolated && threads > 1) throw new Error('not cross-origin isolated: WASM threads unavailable');
  if (params.get('kind') === 'matmul') {
    const session = await ort.InferenceSession.create(`${hub}/matmul.onnx`, { executionProviders: ['wasm'] });
    const { m, k, n } = MATMUL_SHAPE;
    return { matmul_gflops: await matmulGflops(ort as never, session, m, k, n), threads };
  }
  const c = JSON.parse(params.get('case')!) as BenchCase;
  status.textContent = `loading ${c.model}`;
  const device = (params.get('device') ?? 'wasm') as 'wasm' | 'webgpu';
  const opt = params.get('opt');
  const model = await CausalLM.load(
    { id: `bench/${c.model}`, hubUrl: hub },
    {
      dtype: c.dtype ?? 'fp32',
      device,
      sessionOptions: opt ? { graphOptimizationLevel: opt } : undefined,
      rewrites: c.rewrites ?? 'auto',
    },
  );
  const data = await loadAll(hubSource({ baseUrl: hub }), c.subjects, 'test');
  status.textContent = `running ${JSON.stringify(c)}`;
  const runtime = device === 'webgpu' ? 'chromium-webgpu' : 'chromium-wasm';
  const r = await runCase(model, data, c, runtime, threads, params.get('loglikelihoods') === '1');
  await model.dispose();
  return r;
}

main().then(
  (r) => {
    window.__benchResult = r;
    status.textContent = JSON.stringify(r, null, 2);
  },
  (e: unknown) => {
    window.__benchError = String((e as Error)?.stack ?? e);
    status.textContent = window.__benchError;
  },
);
