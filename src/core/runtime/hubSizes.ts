import type { Dtype } from './causalLm.ts';

/** The ONNX file name suffix transformers.js loads for each dtype (onnx/model{suffix}.onnx). */
export const DTYPE_SUFFIX: Record<Dtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
};

export interface HubFile {
  path: string;
  size: number;
}

/**
 * The files under onnx/ of a hub model repo, with sizes, from the hub's tree API
 * (`/api/models/<id>/tree/<revision>/onnx`). Throws when the hub (or mirror) does not answer.
 */
export async function listOnnxFiles(
  hubUrl: string,
  id: string,
  revision = 'main',
  fetchImpl: typeof fetch = fetch,
): Promise<HubFile[]> {
  const url = `${hubUrl.replace(/\/+$/, '')}/api/models/${id}/tree/${encodeURIComponent(revision)}/onnx`;
  const res = await fetchImpl(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const entries = (await res.json()) as { type?: string; path?: string; size?: number; lfs?: { size?: number } }[];
  if (!Array.isArray(entries)) throw new Error(`${url}: not a file listing`);
  return entries
    .filter((e) => e.type === 'file' && typeof e.path === 'string')
    .map((e) => ({ path: e.path!, size: e.lfs?.size ?? e.size ?? 0 }));
}

/** Bytes transformers.js downloads for `dtype`: the graph and its external data files; null if absent. */
export function dtypeDownloadBytes(files: HubFile[], dtype: Dtype): number | null {
  const graph = `onnx/model${DTYPE_SUFFIX[dtype]}.onnx`;
  if (!files.some((f) => f.path === graph)) return null;
  return files.filter((f) => f.path === graph || f.path.startsWith(`${graph}_data`)).reduce((a, f) => a + f.size, 0);
}
