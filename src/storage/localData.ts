import { DataError, type Split } from '../core/mmlu/question.ts';
import type { DataSource } from '../core/mmlu/source.ts';
import type { PagebenchDB } from './db.ts';

/** Key under which a dropped-in MMLU file is stored: original layout, e.g. test/anatomy_test.csv. */
export function localDataKey(group: string, split: Split, subject: string): string {
  return `local-data:${group}/${split}/${subject}_${split}.csv`;
}

/** MMLU files the user dropped in, read back from IndexedDB. */
export function storedDataSource(db: PagebenchDB, group: string): DataSource {
  return {
    description: `local files (${group})`,
    async fetchFile(subject: string, split: Split) {
      const key = localDataKey(group, split, subject);
      const f = await db.get('files', key);
      if (!f) throw new DataError(`no ${split} file for ${subject} among the dropped files (${group})`);
      return { name: key.replace('local-data:', ''), format: 'csv', bytes: new Uint8Array(f.bytes) };
    },
  };
}
