import { DataError, type Split } from '../core/benchmarks/mmlu/question.ts';
import type { DataSource } from '../core/benchmarks/mmlu/source.ts';
import type { PagebenchDB } from './db.ts';

export type LocalFormat = 'csv' | 'parquet';

/** Key under which a dropped-in MMLU file is stored, e.g. local-data:<group>/test/anatomy_test.csv. */
export function localDataKey(group: string, split: Split, subject: string, format: LocalFormat = 'csv'): string {
  return `local-data:${group}/${split}/${subject}_${split}.${format}`;
}

/** MMLU files the user dropped in, read back from IndexedDB. */
export function storedDataSource(db: PagebenchDB, group: string): DataSource {
  return {
    description: `local files (${group})`,
    async fetchFile(subject: string, split: Split) {
      for (const format of ['csv', 'parquet'] as const) {
        const key = localDataKey(group, split, subject, format);
        const f = await db.get('files', key);
        if (f) return { name: key.replace('local-data:', ''), format, bytes: new Uint8Array(f.bytes) };
      }
      throw new DataError(`no ${split} file for ${subject} among the dropped files (${group})`);
    },
  };
}
