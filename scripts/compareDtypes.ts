// fp32 vs each quantized dtype of one model folder on the same questions (Node, plain scorer):
// |dLL| distribution, pick agreement, accuracy difference with its paired 95% CI and exact McNemar p
// (the study statistics, src/core/study/stats.ts); for q8 also the export as written (per-tensor
// activation scales, no rewrite) against per-row-dynamic-quant, for fp16 the export's float16
// arithmetic against float32-activations. Prints a Markdown table.
// Usage: node --import tsx scripts/compareDtypes.ts <model folder with model{,_fp16,_quantized,_q4}.onnx>
//        [--subjects a,b,c] [--limit N] [--shots K] [--mmlu ../shared/mmlu]
import '../src/node/runtime.ts';
import { parseArgs } from 'node:util';
import { loadAll } from '../src/core/benchmarks/mmlu/data.ts';
import { evaluate, type Sample } from '../src/core/evaluate.ts';
import { CausalLM, type Dtype } from '../src/core/runtime/causalLm.ts';
import { pairStats, type StudySample } from '../src/core/study/stats.ts';
import { llDistance } from '../src/core/compare/llDistance.ts';
import { localDataSource } from '../src/node/localData.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    subjects: { type: 'string', default: 'anatomy,abstract_algebra,high_school_us_history' },
    limit: { type: 'string', default: '30' },
    shots: { type: 'string', default: '0' },
    mmlu: { type: 'string', default: '../shared/mmlu' },
    dtypes: { type: 'string', default: 'fp16,q8,q4' },
  },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: compareDtypes.ts <model folder> [--subjects ..] [--limit N] [--shots K]');
const subjects = values.subjects!.split(',');
const data = await loadAll(localDataSource(values.mmlu!), subjects, 'test');

async function score(dtype: Dtype, rewrites: 'auto' | 'none'): Promise<Sample[]> {
  const model = await CausalLM.load({ id: dir!, localDir: dir }, { dtype, device: 'cpu', rewrites });
  const settings = {
    subjects,
    split: 'test',
    shots: Number(values.shots),
    template: 'lm-eval',
    limit: Number(values.limit),
    bos: 'tokenizer',
    scorer: 'naive',
    batchSize: 1,
  } as const;
  const r = await evaluate(model, data, settings as never);
  await model.dispose();
  return r.samples;
}

const asStudy = (xs: Sample[]): StudySample[] =>
  xs.map((s) => ({
    subject: s.subject,
    doc_id: s.doc_id,
    target: s.target,
    pred: s.pred,
    permutation: [0, 1, 2, 3],
    pred_original: s.pred,
    loglikelihoods: s.loglikelihoods,
    acc: s.acc as 0 | 1,
  }));

function row(name: string, base: Sample[], other: Sample[]): string {
  const d = llDistance(base.map((s, i) => [s.loglikelihoods, other[i]!.loglikelihoods]))!;
  const p = pairStats('a', 'b', asStudy(other), asStudy(base), 4);
  const pct = (x: number) => `${(100 * x).toFixed(1)}`;
  return `| ${name} | ${base.length} | ${d.median.toFixed(4)} | ${d.p95.toFixed(4)} | ${d.max.toFixed(4)} | ${pct(p.agreement)}% | ${pct(p.diff)} [${pct(p.diff_ci[0])}, ${pct(p.diff_ci[1])}] | ${p.mcnemar_p.toPrecision(3)} |`;
}

const fp32 = await score('fp32', 'auto');
const lines = [
  '| compared (vs fp32 unless named) | questions | median \\|ΔLL\\| | p95 | max | same pick | Δacc, points [95% CI] | McNemar p |',
  '|---|---|---|---|---|---|---|---|',
];
for (const dtype of values.dtypes!.split(',') as Dtype[]) {
  const quantized = await score(dtype, 'auto');
  lines.push(row(dtype, fp32, quantized));
  if (dtype === 'q8') {
    const exported = await score('q8', 'none');
    lines.push(row('q8 as exported (per-tensor scales)', fp32, exported));
    lines.push(row('q8 per-row vs q8 as exported', exported, quantized));
  }
  if (dtype === 'fp16') {
    const exported = await score('fp16', 'none');
    lines.push(row('fp16 as exported (float16 arithmetic)', fp32, exported));
    lines.push(row('fp16 float32-activations vs fp16 as exported', exported, quantized));
  }
}
console.log(lines.join('\n'));
