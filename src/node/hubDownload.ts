import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ModelLoadError, type Dtype, type ModelSource } from '../core/runtime/causalLm.ts';
import { DTYPE_SUFFIX, repoManifest, type ListedFile } from '../core/runtime/hubSizes.ts';

/**
 * A hub model for the CLI, downloaded into pagebench's own cache (PAGEBENCH_CACHE, default
 * ~/.cache/pagebench/hub/<host>/<owner>/<revision>/<name>/) and verified against the hub's tree
 * listing before anything loads it: each file's size, and each LFS file's sha256, hashed while it
 * streams to disk (bounded memory). A download is written to `<file>.part` and renamed only once
 * it checks out; an interrupted one resumes with an HTTP Range request where the server allows it.
 * A cached file is checked again on every use, so a file changed on disk is caught too.
 */
export interface VerifiedModel {
  source: ModelSource;
  /** sha256 of every file the run loads (path → hex), for config.model_files. */
  files: Record<string, string>;
  /** sha256 of the ONNX graph the run loads. */
  graphSha256: string;
}

export class HubVerificationError extends ModelLoadError {}

export function cacheRoot(): string {
  return process.env.PAGEBENCH_CACHE ?? join(homedir(), '.cache', 'pagebench');
}

const WEIGHTS = /\.(onnx|onnx_data|safetensors|bin|pt|pth|h5|msgpack|gguf|ckpt)$/;

/** The files a transformers.js load of `dtype` reads: the small root files, the graph and its external data. */
export function filesToFetch(listing: Map<string, ListedFile>, dtype: Dtype): ListedFile[] {
  const graph = `onnx/model${DTYPE_SUFFIX[dtype]}.onnx`;
  const files = [...listing.values()].filter(
    (f) =>
      (!f.path.includes('/') && !WEIGHTS.test(f.path) && !f.path.startsWith('.') && f.size < 64 * 1024 * 1024) ||
      f.path === graph ||
      f.path.startsWith(`${graph}_data`),
  );
  if (!files.some((f) => f.path === graph)) {
    const offered = [...listing.keys()].filter((p) => /^onnx\/model.*\.onnx$/.test(p));
    throw new ModelLoadError(
      `the repository has no ${graph} for dtype ${dtype} (it offers ${offered.join(', ') || 'no ONNX graph'})`,
    );
  }
  return files;
}

async function hashFile(path: string, hash = createHash('sha256')): Promise<ReturnType<typeof createHash>> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash;
}

/** One file: from the cache when it checks out, else downloaded (resumed if a part exists), verified, renamed in place. */
async function fetchVerified(url: string, target: string, f: ListedFile, log: (m: string) => void): Promise<string> {
  const check = (size: number, sha: string, where: string) => {
    if (size !== f.size)
      throw new HubVerificationError(`${f.path}: ${where} has ${size} bytes where the hub lists ${f.size}`);
    if (f.sha256 && sha !== f.sha256)
      throw new HubVerificationError(
        `${f.path}: ${where} has sha256 ${sha.slice(0, 12)}… where the hub lists ${f.sha256.slice(0, 12)}…; nothing was loaded`,
      );
  };
  if (existsSync(target)) {
    const sha = (await hashFile(target)).digest('hex');
    if (statSync(target).size === f.size && (!f.sha256 || sha === f.sha256)) return sha;
    log(`${f.path}: the cached copy does not match the hub's listing; downloading it again`);
    rmSync(target);
  }
  mkdirSync(dirname(target), { recursive: true });
  const part = `${target}.part`;
  let have = existsSync(part) ? statSync(part).size : 0;
  if (have === f.size) {
    // A complete part left by a run stopped before the rename: checked like a fresh download.
    const sha = (await hashFile(part)).digest('hex');
    if (!f.sha256 || sha === f.sha256) {
      renameSync(part, target);
      return sha;
    }
  }
  if (have >= f.size) {
    rmSync(part);
    have = 0;
  }
  const res = await fetch(url, have ? { headers: { Range: `bytes=${have}-` } } : {});
  if (!res.ok) throw new ModelLoadError(`${f.path}: the hub answered HTTP ${res.status} (${url})`);
  const resumed = have > 0 && res.status === 206;
  if (have && !resumed) log(`${f.path}: the server cannot resume (no Range support); downloading from the start`);
  const hash = resumed ? await hashFile(part) : createHash('sha256');
  let size = resumed ? have : 0;
  const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.byteLength;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } catch (e) {
    throw new ModelLoadError(
      `${f.path}: the download was cut after ${size} of ${f.size} bytes (${(e as Error).message}); run again to resume`,
    );
  } finally {
    await new Promise<void>((r) => out.end(r));
  }
  const sha = hash.digest('hex');
  try {
    check(size, sha, 'the download');
  } catch (e) {
    // A complete but wrong file is removed; a short one stays as a part to resume from.
    if (size >= f.size) rmSync(part, { force: true });
    if (size < f.size)
      throw new ModelLoadError(`${f.path}: the download ended after ${size} of ${f.size} bytes; run again to resume`);
    throw e;
  }
  renameSync(part, target);
  return sha;
}

/** Downloads (or finds in the cache) and verifies what a run of `dtype` loads from a hub repository. */
export async function verifiedHubModel(
  id: string,
  hubUrl: string,
  revision: string,
  dtype: Dtype,
  log: (m: string) => void = () => {},
): Promise<VerifiedModel> {
  const base = hubUrl.replace(/\/+$/, '');
  let listing: Map<string, ListedFile>;
  try {
    listing = await repoManifest(base, id, revision);
  } catch (e) {
    throw new ModelLoadError(
      `hub model ${id} at ${base}: its file listing did not answer (${(e as Error).message}), so its files cannot be verified; nothing was downloaded`,
    );
  }
  const [owner, name] = id.split('/') as [string, string];
  const dir = join(
    cacheRoot(),
    'hub',
    new URL(base).host.replace(/[^\w.-]/g, '_'),
    owner,
    revision.replace(/[^\w.-]/g, '_'),
    name,
  );
  const files: Record<string, string> = {};
  for (const f of filesToFetch(listing, dtype)) {
    const url = `${base}/${id}/resolve/${encodeURIComponent(revision)}/${f.path.split('/').map(encodeURIComponent).join('/')}`;
    files[f.path] = await fetchVerified(url, join(dir, f.path), f, log);
  }
  return {
    source: { id, localDir: dir, revision },
    files,
    graphSha256: files[`onnx/model${DTYPE_SUFFIX[dtype]}.onnx`]!,
  };
}
