import { parseMmluCsv, parseMmluParquet, type ParsedFile } from './parse.ts';
import { DataError, hubSplitName, type Split } from './question.ts';
import { decodeUtf8 } from '../../util/utf8.ts';

/** Where MMLU files come from: bytes for one subject and split, and the format they are in. */
export interface DataSource {
  readonly description: string;
  fetchFile(subject: string, split: Split): Promise<{ name: string; format: 'csv' | 'parquet'; bytes: Uint8Array }>;
}

export async function loadSplit(source: DataSource, subject: string, split: Split): Promise<ParsedFile> {
  const f = await source.fetchFile(subject, split);
  if (f.format === 'csv') {
    const text = decodeUtf8(f.bytes, f.name);
    return parseMmluCsv(text, f.name, subject, split);
  }
  const buf = f.bytes.buffer.slice(f.bytes.byteOffset, f.bytes.byteOffset + f.bytes.byteLength) as ArrayBuffer;
  return parseMmluParquet(buf, f.name, subject, split);
}

export interface HubDatasetOptions {
  /** e.g. https://huggingface.co, or a local mirror of its URL layout. */
  baseUrl: string;
  repo?: string;
  revision?: string;
  fetchImpl?: typeof fetch;
}

export const DEFAULT_HUB_URL = 'https://huggingface.co';
export const DEFAULT_MMLU_REPO = 'cais/mmlu';

export function hubParquetUrl(opts: HubDatasetOptions, subject: string, split: Split): string {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const repo = opts.repo ?? DEFAULT_MMLU_REPO;
  const rev = encodeURIComponent(opts.revision ?? 'main');
  return `${base}/datasets/${repo}/resolve/${rev}/${subject}/${hubSplitName(split)}-00000-of-00001.parquet`;
}

/** cais/mmlu parquet shards from the hub (or a mirror of its layout). */
export function hubSource(opts: HubDatasetOptions): DataSource {
  const doFetch = opts.fetchImpl ?? fetch;
  return {
    description: `${opts.baseUrl.replace(/\/+$/, '')}/datasets/${opts.repo ?? DEFAULT_MMLU_REPO}@${opts.revision ?? 'main'}`,
    async fetchFile(subject, split) {
      const url = hubParquetUrl(opts, subject, split);
      let res: Response;
      try {
        res = await doFetch(url);
      } catch (e) {
        throw new DataError(`could not fetch ${url}: ${(e as Error).message}`);
      }
      if (!res.ok) throw new DataError(`could not fetch ${url}: HTTP ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const expected = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(expected) && res.headers.get('content-encoding') == null && expected !== bytes.byteLength)
        throw new DataError(`incomplete download of ${url}: ${bytes.byteLength} of ${expected} bytes`);
      return { name: url, format: 'parquet', bytes };
    },
  };
}
