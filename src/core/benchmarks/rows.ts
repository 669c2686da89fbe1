import { parquetReadObjects } from 'hyparquet';
import { DataError, type RowProblem } from './doc.ts';
import { decodeUtf8 } from '../util/utf8.ts';

/** A data file of a hub dataset (one config and split, possibly one of several shards). */
export interface RowFile {
  name: string;
  format: 'parquet' | 'jsonl';
  bytes: Uint8Array;
}

/**
 * Where the rows of a hub dataset come from: the hub's parquet listing, a local folder in one of
 * the hub's layouts, or files stored in the browser. All shards of a config's split, in order.
 */
export interface RowSource {
  readonly description: string;
  files(dataset: string, config: string, split: string): Promise<RowFile[]>;
  /**
   * A file of a local folder by name, or null (the hub has none): a dataset's original release
   * where the hub's rows are built from it (TruthfulQA's mc_task.json).
   */
  raw?(name: string): Promise<RowFile | null>;
}

export type Row = Record<string, unknown>;

/** Rows of a parquet or JSON Lines file; a line that is not a JSON object is a problem naming its row. */
export async function readRows(f: RowFile): Promise<{ rows: Row[]; problems: RowProblem[] }> {
  if (f.format === 'parquet') {
    const buf = f.bytes.buffer.slice(f.bytes.byteOffset, f.bytes.byteOffset + f.bytes.byteLength) as ArrayBuffer;
    try {
      return { rows: (await parquetReadObjects({ file: buf })) as Row[], problems: [] };
    } catch (e) {
      throw new DataError(`${f.name}: not a readable parquet file: ${(e as Error).message}`);
    }
  }
  const text = decodeUtf8(f.bytes, f.name);
  const rows: Row[] = [];
  const problems: RowProblem[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const v = JSON.parse(line) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
      rows.push(v as Row);
    } catch (e) {
      problems.push({
        file: f.name,
        row: rows.length + problems.length + 1,
        message: `line ${i + 1}: ${(e as Error).message}`,
      });
    }
  });
  return { rows, problems };
}

/**
 * A hub dataset's rows through the hub's parquet listing (`/api/datasets/<id>/parquet/<config>/<split>`,
 * a JSON list of shard URLs; relative ones resolve against the listing, as a mirror writes them).
 */
export function hubRowSource(baseUrl: string, fetchImpl: typeof fetch = fetch): RowSource {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    description: base,
    async files(dataset, config, split) {
      const listing = `${base}/api/datasets/${dataset}/parquet/${encodeURIComponent(config)}/${encodeURIComponent(split)}`;
      const get = async (url: string) => {
        let res: Response;
        try {
          res = await fetchImpl(url);
        } catch (e) {
          throw new DataError(`could not fetch ${url}: ${(e as Error).message}`);
        }
        if (!res.ok)
          throw new DataError(
            res.status === 404
              ? `${dataset} has no ${config}/${split} on ${base} (HTTP 404)`
              : `could not fetch ${url}: HTTP ${res.status}`,
          );
        return res;
      };
      const urls = (await (await get(listing)).json()) as unknown;
      if (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string') || urls.length === 0)
        throw new DataError(`${listing}: not a parquet listing (expected a JSON list of URLs)`);
      const out: RowFile[] = [];
      for (const u of urls as string[]) {
        const url = new URL(u, listing).href;
        out.push({ name: url, format: 'parquet', bytes: new Uint8Array(await (await get(url)).arrayBuffer()) });
      }
      return out;
    },
  };
}
