// One Node measurement in its own process (so its peak RSS is its own); prints one JSON line.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import '../src/node/runtime.ts';
import { loadAll } from '../src/core/benchmarks/mmlu/data.ts';
import { CausalLM } from '../src/core/runtime/causalLm.ts';
import type { BenchCase } from '../src/bench/cases.ts';
import { MATMUL_SHAPE, matmulGflops } from '../src/bench/matmul.ts';
import { runCase } from '../src/bench/runCase.ts';
import { localDataSource } from '../src/node/localData.ts';

const [kind, arg, modelDir, mmluDir] = process.argv.slice(2);
let out: Record<string, unknown>;
if (kind === 'matmul') {
  const session = await ort.InferenceSession.create(arg!);
  const { m, k, n } = MATMUL_SHAPE;
  out = { matmul_gflops: await matmulGflops(ort as never, session as never, m, k, n) };
} else {
  const c = JSON.parse(arg!) as BenchCase;
  const model = await CausalLM.load(
    { id: c.model, localDir: modelDir! },
    {
      dtype: 'fp32',
      device: 'cpu',
      rewrites: c.rewrites ?? 'auto',
    },
  );
  const data = await loadAll(localDataSource(mmluDir ?? join(process.cwd(), '../shared/mmlu')), c.subjects, 'test');
  out = { ...(await runCase(model, data, c, 'node')) };
}
out.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
