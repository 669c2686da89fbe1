import { hubSource } from '../core/benchmarks/mmlu/source.ts';
import { hubRowSource } from '../core/benchmarks/rows.ts';
import type { DataSources } from '../core/benchmarks/types.ts';
import type { PagebenchDB, RunRecord } from '../storage/db.ts';
import { cachedFetch } from '../storage/fileCache.ts';
import { storedDataSource, storedRowSource } from '../storage/localData.ts';
import type { Emit } from './protocol.ts';

/** A run's data: MMLU shards by their resolve URLs, other datasets through the hub's parquet listing; cached in IndexedDB. */
export function dataSource(db: PagebenchDB, data: RunRecord['data'], emit: Emit = () => {}): DataSources {
  const onFile = (file: string, loaded: number, total: number) =>
    emit({ type: 'file', progress: { file, loaded, total } });
  if (data.source === 'local')
    return {
      // MMLU's own files (also MMLU-Redux's shots), and other datasets' files in the hub's layouts
      mmlu: storedDataSource(db, data.group.startsWith('local-rows:') ? 'local-mmlu' : data.group),
      rows: storedRowSource(db),
    };
  return {
    mmlu: hubSource({ baseUrl: data.hubUrl, fetchImpl: cachedFetch(db, 'cais/mmlu', onFile) }),
    rows: hubRowSource(
      data.hubUrl,
      cachedFetch(db, (url) => /\/api\/datasets\/([^/]+\/[^/]+)\//.exec(url)?.[1] ?? 'datasets', onFile),
    ),
  };
}
