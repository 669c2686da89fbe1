import { DataError, type Split } from '../core/benchmarks/mmlu/question.ts';
import type { DataSource } from '../core/benchmarks/mmlu/source.ts';
import type { PagebenchDB } from './db.ts';
import { storedBytes } from './partStore.ts';
import type { RowFile, RowSource } from '../core/benchmarks/rows.ts';

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
        if (f) return { name: key.replace('local-data:', ''), format, bytes: await storedBytes(db, f) };
      }
      throw new DataError(`no ${split} file for ${subject} among the dropped files (${group})`);
    },
  };
}

/** The stored group holding a benchmark's own files (other than MMLU's), e.g. local-rows:allenai/ai2_arc. */
export function localRowsGroup(dataset: string): string {
  return `local-rows:${dataset}`;
}

/** Key of a stored shard of a dataset's config and split. */
export function localRowsKey(dataset: string, config: string, split: string, shard: string): string {
  return `${localRowsGroup(dataset)}/${config}/${split}/${shard}`;
}

/** A dataset's files the user picked (hub layouts), read back from IndexedDB in shard order. */
export function storedRowSource(db: PagebenchDB): RowSource {
  return {
    description: 'your own files',
    async files(dataset, config, split) {
      const prefix = `${localRowsKey(dataset, config, split, '')}`;
      const keys = (await db.getAllKeys('files', IDBKeyRange.bound(prefix, `${prefix}\uffff`))).sort();
      if (keys.length === 0)
        throw new DataError(`no ${config}/${split} file of ${dataset} among your files: add it or use the hub`);
      const out: RowFile[] = [];
      for (const key of keys) {
        const f = (await db.get('files', key))!;
        out.push({ name: key, format: key.endsWith('.jsonl') ? 'jsonl' : 'parquet', bytes: await storedBytes(db, f) });
      }
      return out;
    },
  };
}
