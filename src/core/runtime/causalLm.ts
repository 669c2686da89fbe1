import {
  AutoConfig,
  AutoModelForCausalLM,
  AutoTokenizer,
  Tensor,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { NO_REWRITES, wantedRewrites } from './graphRewrites.ts';
import { FLOAT32_ACTIVATIONS } from './float32Compute.ts';
import { adapterHasShaderF16, NEEDS_SHADER_F16, noShaderF16 } from './shaderF16.ts';
import { withRewrites } from './sessionRewrites.ts';
import { encodeAsPython, prefixTokenText } from './pythonTokenizer.ts';

export type { Device, Dtype } from './types.ts';
import type { Device, Dtype } from './types.ts';

export interface ModelSource {
  /** A hub id ("onnx-community/SmolLM2-135M-Instruct") or, with `localDir`, the folder name. */
  id: string;
  /** Load from this local folder instead of the hub (transformers.js layout). */
  localDir?: string;
  /** Hub base URL (default https://huggingface.co); a local mirror of its layout in tests. */
  hubUrl?: string;
  revision?: string;
}

export interface LoadOptions {
  dtype: Dtype;
  device: Device;
  onProgress?: (p: { file: string; loaded?: number; total?: number; status: string }) => void;
  /** Passed to ONNX Runtime (e.g. graphOptimizationLevel). */
  sessionOptions?: Record<string, unknown>;
  /** Load-time graph rewrites (graphRewrites.ts): 'auto' applies those that fit; 'none' loads as is. */
  rewrites?: 'auto' | 'none';
}

/** Past key/values by input name (past_key_values.N.key/value). */
export type KvCache = Record<string, Tensor>;

export interface ForwardResult {
  /** [batch, seq, vocab] float32 logits. */
  logits: Tensor;
  /** present.* outputs renamed to the past_key_values.* input names. */
  cache: KvCache;
}

/** Per-row attention mask (over past + new positions) and position ids (new positions). */
export interface RowLayout {
  attentionMask: number[][];
  positionIds: number[][];
}

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/** A causal LM and its tokenizer, loaded with transformers.js, with a thin explicit forward(). */
export class CausalLM {
  private constructor(
    readonly source: ModelSource,
    readonly options: LoadOptions,
    readonly tokenizer: PreTrainedTokenizer,
    readonly model: PreTrainedModel,
    readonly maxLength: number,
    readonly loadSeconds: number,
    /** Graph rewrites applied at load time (part of the run's facts). */
    readonly graphRewrites: string[],
  ) {}

  static async load(source: ModelSource, options: LoadOptions): Promise<CausalLM> {
    const t0 = performance.now();
    configureEnv(source);
    const id = source.localDir ? localId(source.localDir) : source.id;
    const common = {
      revision: source.revision ?? 'main',
      progress_callback: options.onProgress as never,
    };
    let tokenizer: PreTrainedTokenizer;
    let model: PreTrainedModel;
    let graphRewrites: string[] = [];

    if (options.device === 'webgpu' && NEEDS_SHADER_F16.includes(options.dtype) && !(await adapterHasShaderF16()))
      throw new ModelLoadError(noShaderF16(options.dtype));
    const want = options.rewrites === 'none' ? NO_REWRITES : wantedRewrites(options.device, options.dtype);
    try {
      tokenizer = await AutoTokenizer.from_pretrained(id, common);
    } catch (e) {
      throw explainLoadFailure(source, 'tokenizer', options.dtype, e);
    }
    try {
      const loaded = await withRewrites(want, () =>
        AutoModelForCausalLM.from_pretrained(id, {
          ...common,
          dtype: options.dtype,
          device: options.device,
          ...(options.sessionOptions ? { session_options: options.sessionOptions as never } : {}),
        }),
      );
      model = loaded.value;
      graphRewrites = [...loaded.applied, ...loaded.notes];
    } catch (e) {
      throw explainLoadFailure(source, 'model', options.dtype, e, options.device);
    }
    const session = (model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions.model;
    if (!session || !session.inputNames.includes('input_ids'))
      throw new ModelLoadError(`${describe(source)} has no decoder session taking input_ids: not a causal LM export`);
    const maxLength = modelMaxLength(model.config as unknown as Record<string, unknown>, tokenizer);
    return new CausalLM(source, options, tokenizer, model, maxLength, (performance.now() - t0) / 1000, graphRewrites);
  }

  /**
   * The tokenizer and the window alone (no weights): what a run will send to the model can be
   * counted before the model is downloaded.
   */
  static async loadTokenizer(source: ModelSource): Promise<{ tokenizer: TokenizerOnly; maxLength: number }> {
    configureEnv(source);
    const id = source.localDir ? localId(source.localDir) : source.id;
    const revision = source.revision ?? 'main';
    let tokenizer: PreTrainedTokenizer;
    let config: Record<string, unknown>;
    try {
      tokenizer = await AutoTokenizer.from_pretrained(id, { revision });
      config = (await AutoConfig.from_pretrained(id, { revision })) as unknown as Record<string, unknown>;
    } catch (e) {
      throw explainLoadFailure(source, 'tokenizer', 'fp32', e);
    }
    return {
      tokenizer: new TokenizerOnly(tokenizer, typeof config.model_type === 'string' ? config.model_type : undefined),
      maxLength: modelMaxLength(config, tokenizer),
    };
  }

  get inputNames(): string[] {
    return (this.model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions.model!.inputNames;
  }

  /**
   * Whether several questions may share one left-padded pass. Padding changes the float rounding of
   * attention (~1e-6 in fp32), which a graph that rounds activations again, to 8 bits (q8) or to
   * float16, turns into a whole rounding step for a token now and then (measured on stories260K: up
   * to 0.06 nats for q8): such models score one question per pass, so batch size cannot move a number.
   * fp16 computed in float32 (the float32-activations rewrite) rounds like fp32.
   */
  get packsQuestions(): boolean {
    const d = this.options.dtype;
    return d === 'fp32' || d === 'q4' || (d === 'fp16' && this.graphRewrites.includes(FLOAT32_ACTIVATIONS));
  }

  /**
   * Whether the fast scorer may continue from a cached prefix. On WebGPU a token's float32 results
   * differ by ~1e-6 with the pass's shape (the GPU's tiling), which a q8 graph's 8-bit rounding of
   * activations amplifies into whole steps (measured on SwiftShader: 0.06 nats): there the fast
   * scorer scores each question whole, as the harness scorer does, so every mode gives one number.
   */
  get reusesPrefix(): boolean {
    return !(this.options.device === 'webgpu' && this.options.dtype === 'q8');
  }

  get vocabSize(): number {
    return (this.model.config as unknown as { vocab_size: number }).vocab_size;
  }

  get bosTokenId(): number | null {
    const t = this.tokenizer as unknown as { bos_token_id?: number | null };
    return t.bos_token_id ?? null;
  }

  get eosTokenId(): number | null {
    const t = this.tokenizer as unknown as { eos_token_id?: number | null };
    return t.eos_token_id ?? null;
  }

  /** config.json's model_type (lm-eval's BOS default depends on it). */
  get modelType(): string | undefined {
    const t = (this.model.config as unknown as { model_type?: unknown }).model_type;
    return typeof t === 'string' ? t : undefined;
  }

  /** Token ids for text, with or without the tokenizer's special tokens as Python's tokenizer adds them (BOS for Llama). */
  encode(text: string, addSpecialTokens: boolean): number[] {
    return encodeAsPython(this.tokenizer, text, addSpecialTokens);
  }

  /** The BOS text (lm-eval's decoded prefix token), for has_bos_prefix. */
  get bosText(): string | null {
    return prefixTokenText(this.tokenizer);
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: false });
  }

  /**
   * One forward pass over `ids` (equal-length rows), optionally continuing `past` (whose length
   * is pastLen for every row). By default attention_mask is all ones and position_ids continue
   * from pastLen; `layout` gives both per row instead (padded batches).
   */
  async forward(ids: number[][], past?: KvCache, numLogitsToKeep?: number, layout?: RowLayout): Promise<ForwardResult> {
    const batch = ids.length;
    const len = ids[0]!.length;
    const pastLen = past ? (Object.values(past)[0]?.dims.at(-2) ?? 0) : 0;
    const flat = new BigInt64Array(batch * len);
    const pos = new BigInt64Array(batch * len);
    const mask = new BigInt64Array(batch * (pastLen + len)).fill(1n);
    ids.forEach((row, b) => {
      if (row.length !== len) throw new Error('forward(): rows of unequal length');
      row.forEach((t, i) => {
        flat[b * len + i] = BigInt(t);
        pos[b * len + i] = BigInt(layout ? layout.positionIds[b]![i]! : pastLen + i);
      });
      if (layout) layout.attentionMask[b]!.forEach((m, i) => (mask[b * (pastLen + len) + i] = BigInt(m)));
    });
    const inputs: Record<string, unknown> = {
      input_ids: new Tensor('int64', flat, [batch, len]),
      attention_mask: new Tensor('int64', mask, [batch, pastLen + len]),
      position_ids: new Tensor('int64', pos, [batch, len]),
      past_key_values: past ?? null,
    };
    if (numLogitsToKeep !== undefined && this.inputNames.includes('num_logits_to_keep'))
      inputs.num_logits_to_keep = new Tensor('int64', [BigInt(numLogitsToKeep)], []);
    const out = (await this.model.forward(inputs)) as Record<string, Tensor>;
    const cache: KvCache = {};
    for (const [name, t] of Object.entries(out)) {
      if (name.startsWith('present')) cache[name.replace('present', 'past_key_values')] = t;
    }
    // fp16 exports return float16 logits (a Uint16Array where Float16Array is missing): score in float32
    const logits = out.logits!.type === 'float32' ? out.logits! : out.logits!.to('float32');
    return { logits, cache };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/** A tokenizer with the encode/bos interface the request builders take (TokenizerLike). */
export class TokenizerOnly {
  constructor(
    readonly tokenizer: PreTrainedTokenizer,
    readonly modelType?: string,
  ) {}
  encode(text: string, addSpecialTokens: boolean): number[] {
    return encodeAsPython(this.tokenizer, text, addSpecialTokens);
  }
  get bosText(): string | null {
    return prefixTokenText(this.tokenizer);
  }
  get bosTokenId(): number | null {
    return (this.tokenizer as unknown as { bos_token_id?: number | null }).bos_token_id ?? null;
  }
  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: false });
  }
}

/** lm-eval HFLM.max_length: the first of these config attributes, then the tokenizer's limit, then 2048. */
function modelMaxLength(cfg: Record<string, unknown>, tokenizer: PreTrainedTokenizer): number {
  const tokMax = (tokenizer as unknown as { model_max_length?: number }).model_max_length;
  return (
    (['n_positions', 'max_position_embeddings', 'n_ctx'].map((k) => cfg[k]).find((v) => typeof v === 'number') as
      number | undefined) ?? (tokMax && tokMax < 1e9 ? tokMax : 2048)
  );
}

/**
 * One sentence for a failed load: what is wrong and what to do, instead of the library's own
 * message (e.g. "tokenizer_class undefined" for a repo without a tokenizer).
 */
export function explainLoadFailure(
  source: ModelSource,
  stage: 'tokenizer' | 'model',
  dtype: Dtype,
  e: unknown,
  device?: Device,
): ModelLoadError {
  const raw = firstLine(e);
  const name = describe(source);
  const missing = /could not locate file|file was not found|not found locally|\b404\b/i.test(raw)
    ? (/"([^"]+)"/.exec(raw)?.[1] ?? '')
    : null;
  let msg: string;
  // A connection dropped mid-transfer reads as "network error" in Chromium; one never made as "fetch failed".
  if (/is corrupt: its sha256|but the hub lists|cannot be verified|sent more than the/i.test(raw))
    msg = `downloading ${source.id}: ${raw.replace(/^\w*Error: /, '')} — the file is not the one the hub lists; try again later or use another revision`;
  // The page's streamed downloads word these for the user (storage/download.ts): what is kept, what to do.
  else if (/download interrupted at|storage for this site is full|the server answered HTTP/i.test(raw))
    msg = `downloading ${source.id}: ${raw.replace(/^\w*Error: /, '')}`;
  else if (/incomplete download|download interrupted|network ?error/i.test(raw))
    msg = `downloading ${source.id} failed or was cut short (${raw.split(': ').at(-1)}); nothing partial was stored — check the connection and start again`;
  else if (/fetch failed|failed to fetch|ECONNREFUSED|ENOTFOUND/i.test(raw))
    msg = `could not reach ${source.hubUrl ?? 'the hub'} to download ${source.id}: check the connection or the hub URL and try again`;
  else if (missing !== null && /config\.json$/.test(missing) && !source.localDir)
    msg = `${name} was not found: check the model id (owner/name) and the hub URL`;
  else if (stage === 'tokenizer' && (missing !== null || /tokenizer_class|tokenizer/i.test(raw)))
    msg = `${name} has no tokenizer (tokenizer.json): pagebench needs a transformers.js export that includes its tokenizer files`;
  else if (missing !== null && /\.onnx(_data)?$/.test(missing))
    msg = `${name} has no ${dtype} ONNX weights (${missing.replace(/^.*\/(onnx\/)/, '$1')}): pick a dtype the repository offers`;
  else if (/unsupported model type/i.test(raw))
    msg = `${name} is not a causal LM (model type ${raw.split(':').at(-1)!.trim()}): pick a text-generation model exported for transformers.js`;
  else msg = `${name} is not a loadable causal LM (${dtype}${device ? `, ${device}` : ''}): ${raw}`;
  return new ModelLoadError(msg);
}

function localId(dir: string): string {
  const clean = dir.replace(/[\\/]+$/, '');
  const i = Math.max(clean.lastIndexOf('/'), clean.lastIndexOf('\\'));
  return clean.slice(i + 1);
}

function configureEnv(source: ModelSource): void {
  if (source.localDir) {
    const clean = source.localDir.replace(/[\\/]+$/, '');
    const i = Math.max(clean.lastIndexOf('/'), clean.lastIndexOf('\\'));
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = i >= 0 ? clean.slice(0, i + 1) : './';
  } else {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.remoteHost = (source.hubUrl ?? 'https://huggingface.co').replace(/\/*$/, '/');
    env.remotePathTemplate = '{model}/resolve/{revision}/';
  }
}

function describe(source: ModelSource): string {
  return source.localDir
    ? `model folder ${source.localDir}`
    : `hub model ${source.id}${source.hubUrl ? ` at ${source.hubUrl}` : ''}`;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}
