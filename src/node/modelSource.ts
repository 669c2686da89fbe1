import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CausalLM, ModelLoadError, type Dtype, type ModelSource } from '../core/runtime/causalLm.ts';
import { verifiedHubModel, type VerifiedModel } from './hubDownload.ts';
import { DTYPE_SUFFIX } from '../core/runtime/hubSizes.ts';

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** A --model argument: an existing folder (or one that looks like a path), else a hub id. */
export function resolveModelArg(arg: string, hubUrl: string, revision?: string): ModelSource {
  const looksLikePath = /^[.~/\\]/.test(arg) || existsSync(arg);
  if (looksLikePath) {
    const dir = resolve(arg);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelLoadError(`model folder not found: ${arg}`);
    if (!existsSync(join(dir, 'config.json')))
      throw new ModelLoadError(
        `${arg} is not a model folder: it has no config.json (expected the transformers.js layout: config.json, tokenizer.json, onnx/model.onnx)`,
      );
    return { id: dir, localDir: dir };
  }
  if (!HUB_ID.test(arg))
    throw new ModelLoadError(`--model ${arg}: neither an existing folder nor a hub id of the form owner/name`);
  return { id: arg, hubUrl, revision: revision ?? 'main' };
}

/** sha256 of the ONNX file a local folder would load for dtype, for the run's config block. */
export function localModelHash(dir: string, dtype: Dtype): string | undefined {
  const f = join(dir, 'onnx', `model${DTYPE_SUFFIX[dtype]}.onnx`);
  if (!existsSync(f)) return undefined;
  return createHash('sha256').update(readFileSync(f)).digest('hex');
}

/**
 * The model a --model argument names, loaded on the CPU: a hub model downloaded into pagebench's
 * cache and verified first (hubDownload.ts), a folder as it is.
 */
export async function loadCliModel(
  source: ModelSource,
  hubUrl: string,
  dtype: Dtype,
  rewrites: 'auto' | 'none',
  log: (m: string) => void,
): Promise<{ model: CausalLM; verified: VerifiedModel | null }> {
  let verified: VerifiedModel | null = null;
  let from = source;
  if (!source.localDir) {
    verified = await verifiedHubModel(source.id, hubUrl, source.revision ?? 'main', dtype, log);
    from = verified.source;
  }
  return { model: await CausalLM.load(from, { dtype, device: 'cpu', rewrites }), verified };
}
