// The browser side of `npm run bench`: runs one case (or the MatMul measurement) named in the URL
// and leaves the result on window.__benchResult (or the error on window.__benchError).
import * as ort from 'onnxruntime-web/webgpu';
import { loadAll } from '../core/benchmarks/mmlu/data.ts';
import { hubSource } from '../core/benchmarks/mmlu/source.ts';
import { CausalLM } from '../core/runtime/causalLm.ts';
import { configureWebRuntime, ORT_BUILDS } from '../core/runtime/webRuntime.ts';
import { runPrompts } from '../core/prompts.ts';
import { MODEL_LOADED, type BenchCase } from './cases.ts';
import { KERNEL_DTYPES, kernelPeak, type KernelPeak } from './matmul.ts';
import { runCase } from './runCase.ts';
import { installTrustedTypes } from '../web/csp.ts';
import { capabilities } from '../web/gpu.ts';

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

/**
 * `kind=pipeline`: the peer, as its documentation shows it: transformers.js's own
 * pipeline('text-generation') for the case's model and dtype (its defaults: Cache API storage,
 * weights handed over inline, no pagebench rewrites), then one forward pass per question over the
 * same 0-shot prompts the app scores.
 */
async function pipelineCase() {
  const { pipeline, env } = await import('@huggingface/transformers');
  env.allowLocalModels = false;
  env.remoteHost = hub.endsWith('/') ? hub : `${hub}/`;
  const base = new URL('../../ort/', location.href).href;
  const [mjs, wasmFile] = ORT_BUILDS.asyncify;
  env.backends.onnx.wasm!.wasmPaths = { mjs: base + mjs, wasm: base + wasmFile };
  env.backends.onnx.wasm!.numThreads = threads;
  const c = JSON.parse(params.get('case')!) as BenchCase;
  status.textContent = `loading ${c.model} with pipeline('text-generation')`;
  const generator = await pipeline('text-generation', `bench/${c.model}`, { dtype: c.dtype ?? 'fp32', device: 'wasm' });
  console.info(MODEL_LOADED);
  const data = (await loadAll(hubSource({ baseUrl: hub }), c.subjects, 'test')).map((d) => ({
    ...d,
    questions: d.questions.slice(0, c.limit),
  }));
  const settings = { benchmark: 'mmlu', template: 'lm-eval', shots: 0, subjects: c.subjects, split: 'test' };
  const { items } = runPrompts(settings as never, data, { fits: () => true });
  const t0 = performance.now();
  for (const it of items) {
    const inputs = generator.tokenizer(`${it.prompt.context} A`);
    const out = (await (generator.model as unknown as (x: unknown) => Promise<{ logits: { dispose(): void } }>)(
      inputs,
    )) as { logits: { dispose(): void } };
    out.logits.dispose();
  }
  return { questions: items.length, seconds: (performance.now() - t0) / 1000 };
}

async function main() {
  installTrustedTypes();
  if (params.get('kind') === 'pipeline') return pipelineCase();
  // The page lives at src/bench/bench.html in the build; ONNX Runtime's files at the site's root ort/.
  configureWebRuntime({
    ortBaseUrl: new URL('../../ort/', location.href).href,
    threads,
    externalizeWeights: params.get('weights') !== 'inline',
    build: (params.get('build') ?? undefined) as never,
  });
  if (!crossOriginIsolated && threads > 1) throw new Error('not cross-origin isolated: WASM threads unavailable');
  if (params.get('kind') === 'kernels') {
    // each dtype's MatMul on the execution provider named (WebGPU: a dtype its adapter cannot run is said so)
    const ep = params.get('device') === 'webgpu' ? 'webgpu' : 'wasm';
    const peaks: Record<string, KernelPeak | { error: string }> = {};
    for (const dtype of KERNEL_DTYPES) {
      status.textContent = `measuring the ${dtype} kernel on ${ep}`;
      peaks[dtype] = await kernelPeak(
        ort as never,
        dtype,
        async (file) => new Uint8Array(await (await fetch(`${hub}/kernels/${file}`)).arrayBuffer()),
        (bytes) => ort.InferenceSession.create(bytes, { executionProviders: [ep] }),
        Number(params.get('reps') ?? 5),
      ).catch((e: unknown) => ({ error: String((e as Error)?.message ?? e).split('\n')[0]! }));
    }
    return { kernel_peaks: peaks, threads, ...(ep === 'webgpu' ? { capabilities: await capabilities(threads) } : {}) };
  }
  // `cases`: several cases on one loaded model (same model, dtype, rewrites); `case`: one.
  const many = params.get('cases');
  const list = (many ? JSON.parse(many) : [JSON.parse(params.get('case')!)]) as BenchCase[];
  const c = list[0]!;
  status.textContent = `loading ${c.model}`;
  const device = (params.get('device') ?? 'wasm') as 'wasm' | 'webgpu';
  const opt = params.get('opt');
  const model = await CausalLM.load(
    { id: `bench/${c.model}`, hubUrl: hub },
    {
      dtype: c.dtype ?? 'fp32',
      device,
      // `opt`: a graph optimization level; `session`: more ONNX Runtime session options (JSON)
      sessionOptions:
        opt || params.get('session')
          ? { ...(opt ? { graphOptimizationLevel: opt } : {}), ...JSON.parse(params.get('session') ?? '{}') }
          : undefined,
      rewrites: c.rewrites ?? 'auto',
      // as the app's worker does: transformers.js then reads the file into its own buffer
      onProgress: (p) => (status.textContent = `loading ${c.model}: ${p.file} ${p.status} ${p.loaded ?? ''}`),
    },
  );
  console.info(MODEL_LOADED);
  const data = await loadAll(hubSource({ baseUrl: hub }), c.subjects, 'test');
  const runtime = device === 'webgpu' ? 'chromium-webgpu' : 'chromium-wasm';
  const results = [];
  for (const one of list) {
    status.textContent = `running ${JSON.stringify(one)}`;
    results.push(await runCase(model, data, one, runtime, threads, params.get('loglikelihoods') === '1'));
  }
  await model.dispose();
  return many ? { results } : results[0];
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
