import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, hubSplitName, type Split } from '../core/mmlu/question.ts';
import type { DataSource } from '../core/mmlu/source.ts';

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
