// Markdown tables for BENCHMARKS.md from `npm run bench` output (the last JSON line of each run):
//   node --import tsx scripts/benchTables.ts full.json [quick-a.json quick-b.json]
// prints the full run's table and, given quick runs, their ratios beside the full run's with the
// largest relative difference.
import { readFileSync } from 'node:fs';

interface Row {
  model: string;
  runtime: string;
  dtype: string;
  shots: number;
  mode: string;
  batch_size: number;
  graph_rewrites: string[];
  questions: number;
  questions_per_s: number;
  prompt_tokens_per_s: number;
  achieved_gflops: number;
  efficiency: number;
  peak_rss_mb: number;
  loglikelihood_checksum: number;
}
interface Summary {
  seconds: number;
  kernel_peaks: Record<string, Record<string, { gflops: number; shape: string }>>;
  fastest_dtype: Record<string, Record<string, string>>;
  ratios: Record<string, number>;
  results: Row[];
}

const read = (f: string) => JSON.parse(readFileSync(f, 'utf8').trim().split('\n').at(-1)!) as Summary;
const [fullFile, ...quickFiles] = process.argv.slice(2);
if (!fullFile) throw new Error('usage: benchTables.ts full.json [quick.json ...]');
const full = read(fullFile);

const lines: string[] = [];
lines.push(`Total ${full.seconds} s. Kernel peaks (GFLOP/s, the best over shapes and repetitions):`, '');
lines.push('| runtime | fp32 | q8 | q4 | fp16 |', '| --- | --- | --- | --- | --- |');
for (const [runtime, p] of Object.entries(full.kernel_peaks))
  lines.push(
    `| ${runtime} | ${['fp32', 'q8', 'q4', 'fp16'].map((d) => `${p[d]!.gflops.toFixed(1)} (${p[d]!.shape})`).join(' | ')} |`,
  );
lines.push('');
lines.push(
  '| runtime | model | dtype | shots | mode | batch | graph rewrites | q | q/s | prompt tok/s | GFLOP/s | efficiency | peak RSS MB | Σll |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
);
for (const r of full.results)
  lines.push(
    `| ${r.runtime} | ${r.model} | ${r.dtype} | ${r.shots} | ${r.mode} | ${r.batch_size} | ${r.graph_rewrites.join(', ') || '—'} | ${r.questions} | ${r.questions_per_s.toFixed(2)} | ${Math.round(r.prompt_tokens_per_s)} | ${r.achieved_gflops.toFixed(1)} | ${Math.round(100 * r.efficiency)}% | ${r.peak_rss_mb} | ${r.loglikelihood_checksum.toFixed(3)} |`,
  );
lines.push('', `Fastest dtype (135M shape, fast scorer, batch 1): ${JSON.stringify(full.fastest_dtype)}`);

if (quickFiles.length) {
  const quicks = quickFiles.map(read);
  lines.push('', `| ratio | full | ${quicks.map((_, i) => `quick ${i + 1}`).join(' | ')} | largest difference |`);
  lines.push(`| --- | --- | ${quicks.map(() => '---').join(' | ')} | --- |`);
  const worst = { scorers: 0, dtypes: 0 };
  for (const [k, v] of Object.entries(full.ratios)) {
    const qs = quicks.map((q) => q.ratios[k]);
    if (qs.some((x) => x === undefined)) continue;
    const d = Math.max(...qs.map((x) => Math.abs(x! / v - 1)));
    const kind = /fast\/(naive|harness)$/.test(k) ? 'scorers' : 'dtypes';
    worst[kind] = Math.max(worst[kind], d);
    lines.push(`| ${k} | ${v.toFixed(2)} | ${qs.map((x) => x!.toFixed(2)).join(' | ')} | ${(100 * d).toFixed(1)}% |`);
  }
  lines.push(
    '',
    `Largest difference from the full run: ${(100 * worst.scorers).toFixed(1)}% for the scorers' speed-ups (fast/naive, fast/harness), ${(100 * worst.dtypes).toFixed(1)}% for the dtype ratios. Quick runs took ${quicks.map((q) => `${q.seconds} s`).join(', ')}.`,
  );
}
console.log(lines.join('\n'));
