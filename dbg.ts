import { evaluate, loadAll } from './src/core/evaluate.ts';
import { CausalLM } from './src/core/runtime/causalLm.ts';
import { localDataSource } from './src/node/localData.ts';
const data = await loadAll(localDataSource('/work/shared/mmlu'), ['anatomy'], 'test');
for (const dir of ['bench-models/smollm2-135m-shape', 'bench-models/smollm2-135m-shape-nokeep']) {
  const t0 = performance.now();
  const model = await CausalLM.load({ id: 'x', localDir: dir }, { dtype: 'fp32', device: 'cpu' });
  console.log('load', ((performance.now() - t0) / 1000).toFixed(1), 's');
  for (const [scorer, limit] of [
    ['naive', 1],
    ['harness', 3],
    ['fast', 10],
  ] as const)
    for (const shots of [0, 5]) {
      const r = await evaluate(model, data, {
        subjects: ['anatomy'],
        split: 'test',
        shots,
        template: 'lm-eval',
        limit,
        bos: 'tokenizer',
        scorer,
      });
      console.log(
        dir.slice(-6),
        scorer,
        shots,
        (r.samples.length / r.seconds).toFixed(2),
        'q/s',
        JSON.stringify(r.scorerStats),
        r.seconds.toFixed(1),
      );
    }
}
console.log('rss MB', process.resourceUsage().maxRSS / 1024);
