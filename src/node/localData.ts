import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, hubSplitName, type Split } from '../core/benchmarks/mmlu/question.ts';
import type { DataSource } from '../core/benchmarks/mmlu/source.ts';
import type { RowSource } from '../core/benchmarks/rows.ts';

/**
 * A folder on disk in either layout: the original release (`{dev,val,test}/<subject>_<split>.csv`)
 * or cais/mmlu's parquet (`<subject>/<split>-00000-of-00001.parquet`).
 */
export function localDataSource(dir: string): DataSource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError(`data folder not found: ${dir}`);
  return {
    description: dir,
    async fetchFile(subject: string, split: Split) {
      const csv = join(dir, split, `${subject}_${split}.csv`);
      if (existsSync(csv)) return { name: csv, format: 'csv', bytes: readFileSync(csv) };
      const pq = join(dir, subject, `${hubSplitName(split)}-00000-of-00001.parquet`);
      if (existsSync(pq)) return { name: pq, format: 'parquet', bytes: readFileSync(pq) };
      throw new DataError(`no ${split} data for subject ${subject} in ${dir} (looked for ${csv} and ${pq})`);
    },
  };
}

/**
 * A local copy of a hub dataset, in the hub's layouts: `<dir>/<config>/<split>.parquet` or `.jsonl`,
 * or shards `<dir>/<config>/<split>-NNNNN-of-NNNNN.parquet` (a dataset without configs, "default",
 * may also lie directly in `<dir>`).
 */
export function localRowSource(dir: string): RowSource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError(`data folder not found: ${dir}`);
  return {
    description: dir,
    async raw(name) {
      const path = join(dir, name);
      return existsSync(path) ? { name: path, format: 'jsonl', bytes: readFileSync(path) } : null;
    },
    async files(dataset, config, split) {
      // a dataset's only config may sit at the top: "default", or GSM8K's "main" (openai/gsm8k's own files)
      const folders = [join(dir, config), ...(config === 'default' || config === 'main' ? [dir] : [])].filter((d) =>
        existsSync(d),
      );
      for (const folder of folders) {
        const names = readdirSync(folder);
        const shards = names.filter((n) => new RegExp(`^${split}-\\d{5}-of-\\d{5}\\.parquet$`).test(n)).sort();
        const pick = shards.length ? shards : [`${split}.parquet`, `${split}.jsonl`].filter((n) => names.includes(n));
        if (pick.length)
          return pick.map((n) => ({
            name: join(folder, n),
            format: n.endsWith('.jsonl') ? ('jsonl' as const) : ('parquet' as const),
            bytes: readFileSync(join(folder, n)),
          }));
      }
      throw new DataError(
        `no ${split} data for ${dataset} ${config} in ${dir} (looked for ${config}/${split}.parquet, ${config}/${split}.jsonl and ${config}/${split}-00000-of-NNNNN.parquet)`,
      );
    },
  };
}
