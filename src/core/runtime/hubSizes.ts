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

/** A file as the hub's tree API lists it: its size, and for an LFS file (weights) its sha256. */
export interface ListedFile extends HubFile {
  sha256?: string;
}

/**
 * The files of one folder of a hub model repo from the tree API
 * (`/api/models/<id>/tree/<revision>[/<folder>]`). Throws when the hub (or mirror) does not answer.
 */
export async function listRepoFolder(
  hubUrl: string,
  id: string,
  revision = 'main',
  folder = '',
  fetchImpl: typeof fetch = fetch,
): Promise<ListedFile[]> {
  const url = `${hubUrl.replace(/\/+$/, '')}/api/models/${id}/tree/${encodeURIComponent(revision)}${folder ? `/${folder}` : ''}`;
  const res = await fetchImpl(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const entries = (await res.json()) as {
    type?: string;
    path?: string;
    size?: number;
    lfs?: { size?: number; oid?: string };
  }[];
  if (!Array.isArray(entries)) throw new Error(`${url}: not a file listing`);
  return entries
    .filter((e) => e.type === 'file' && typeof e.path === 'string')
    .map((e) => ({
      path: e.path!,
      size: e.lfs?.size ?? e.size ?? 0,
      ...(typeof e.lfs?.oid === 'string' && /^[0-9a-f]{64}$/.test(e.lfs.oid) ? { sha256: e.lfs.oid } : {}),
    }));
}

/** The files under onnx/ of a hub model repo, with sizes (and sha256 for LFS files). */
export function listOnnxFiles(
  hubUrl: string,
  id: string,
  revision = 'main',
  fetchImpl: typeof fetch = fetch,
): Promise<ListedFile[]> {
  return listRepoFolder(hubUrl, id, revision, 'onnx', fetchImpl);
}

/** What every downloadable file of a repo must be (root and onnx/), by path: what downloads are checked against. */
export async function repoManifest(
  hubUrl: string,
  id: string,
  revision = 'main',
  fetchImpl: typeof fetch = fetch,
): Promise<Map<string, ListedFile>> {
  const [root, onnx] = await Promise.all([
    listRepoFolder(hubUrl, id, revision, '', fetchImpl),
    listOnnxFiles(hubUrl, id, revision, fetchImpl),
  ]);
  return new Map([...root, ...onnx].map((f) => [f.path, f]));
}

/** Bytes transformers.js downloads for `dtype`: the graph and its external data files; null if absent. */
export function dtypeDownloadBytes(files: HubFile[], dtype: Dtype): number | null {
  const graph = `onnx/model${DTYPE_SUFFIX[dtype]}.onnx`;
  if (!files.some((f) => f.path === graph)) return null;
  return files.filter((f) => f.path === graph || f.path.startsWith(`${graph}_data`)).reduce((a, f) => a + f.size, 0);
}

export type RepoCheck =
  | { ok: true; onnx: HubFile[] }
  | { ok: false; problem: string }
  /** The hub did not answer (offline, CORS): nothing is known; the load will tell. */
  | { ok: null; problem: string };

/**
 * Checks a hub model repo before anything is downloaded, through the tree API and config.json:
 * that it exists, is a transformers.js export (config.json, tokenizer.json, onnx/), and is a
 * causal LM. Each problem is one sentence that says what to do.
 */
export async function checkHubModel(
  hubUrl: string,
  id: string,
  revision = 'main',
  fetchImpl: typeof fetch = fetch,
): Promise<RepoCheck> {
  const base = hubUrl.replace(/\/+$/, '');
  const rev = encodeURIComponent(revision);
  let root: Response;
  try {
    root = await fetchImpl(`${base}/api/models/${id}/tree/${rev}`);
  } catch {
    return { ok: null, problem: `the hub at ${base} did not answer, so ${id} could not be checked` };
  }
  if (root.status === 404 || root.status === 401)
    return { ok: false, problem: `${id} was not found on ${base}: check the model id (owner/name).` };
  if (!root.ok) return { ok: null, problem: `the hub at ${base} answered HTTP ${root.status} for ${id}` };
  // A server that answers every address with a page (a web site, the app itself) is not a hub.
  const entries = (await root.json().catch(() => null)) as { type?: string; path?: string }[] | null;
  if (!Array.isArray(entries))
    return {
      ok: false,
      problem: `${base} is not a hub: it answered the file listing of ${id} with ${/html/i.test(root.headers.get('content-type') ?? '') ? 'a web page' : 'something that is not a listing'}. Check the hub address (?hub= or Hub URL).`,
    };
  const has = (p: string) => Array.isArray(entries) && entries.some((e) => e.path === p);
  if (!has('config.json'))
    return { ok: false, problem: `${id} has no config.json: it is not a transformers model repository.` };
  if (!has('tokenizer.json'))
    return {
      ok: false,
      problem: `${id} has no tokenizer.json: pagebench needs a transformers.js export that includes its tokenizer.`,
    };
  const onnx = has('onnx') ? await listOnnxFiles(base, id, revision, fetchImpl).catch(() => []) : [];
  if (!onnx.some((f) => /^onnx\/model[^/]*\.onnx$/.test(f.path)))
    return {
      ok: false,
      problem: `${id} has no ONNX weights (onnx/model*.onnx): pick a transformers.js export, such as the onnx-community models.`,
    };
  const cfg = (await fetchImpl(`${base}/${id}/resolve/${rev}/config.json`)
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}))) as { architectures?: unknown; model_type?: unknown };
  const arch = Array.isArray(cfg.architectures) ? cfg.architectures.map(String) : [];
  if (arch.length && !arch.some((a) => /(ForCausalLM|LMHeadModel)$/.test(a)))
    return {
      ok: false,
      problem: `${id} is a ${arch[0]} (model type ${String(cfg.model_type)}), not a causal LM: pick a text-generation model.`,
    };
  return { ok: true, onnx };
}

/** The dtypes whose graph the repo has, in `preference` order. */
export function offeredDtypes<D extends Dtype>(files: HubFile[], preference: readonly D[]): D[] {
  return preference.filter((d) => dtypeDownloadBytes(files, d) !== null);
}
