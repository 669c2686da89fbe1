import {
  AutoModelForCausalLM,
  AutoTokenizer,
  Tensor,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { wantedRewrites, type RewriteName } from './graphRewrites.ts';
import { withRewrites } from './sessionRewrites.ts';

export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';
export type Device = 'cpu' | 'wasm' | 'webgpu';

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
    readonly graphRewrites: RewriteName[],
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
    let graphRewrites: RewriteName[] = [];
    const want =
      options.rewrites === 'none'
        ? { logitsToKeep: false, preciseSinCos: false }
        : wantedRewrites(options.device, options.dtype);
    try {
      tokenizer = await AutoTokenizer.from_pretrained(id, common);
    } catch (e) {
      throw new ModelLoadError(`could not load a tokenizer from ${describe(source)}: ${firstLine(e)}`);
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
      graphRewrites = loaded.applied;
    } catch (e) {
      throw new ModelLoadError(
        `${describe(source)} is not a loadable causal LM (${options.dtype}, ${options.device}): ${firstLine(e)}`,
      );
    }
    const session = (model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions.model;
    if (!session || !session.inputNames.includes('input_ids'))
      throw new ModelLoadError(`${describe(source)} has no decoder session taking input_ids: not a causal LM export`);
    const cfg = model.config as unknown as Record<string, unknown>;
    const tokMax = (tokenizer as unknown as { model_max_length?: number }).model_max_length;
    // lm-eval HFLM.max_length: the first of these config attributes, then the tokenizer's limit, then 2048.
    const maxLength =
      (['n_positions', 'max_position_embeddings', 'n_ctx'].map((k) => cfg[k]).find((v) => typeof v === 'number') as
        number | undefined) ?? (tokMax && tokMax < 1e9 ? tokMax : 2048);
    return new CausalLM(source, options, tokenizer, model, maxLength, (performance.now() - t0) / 1000, graphRewrites);
  }

  get inputNames(): string[] {
    return (this.model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions.model!.inputNames;
  }

  get vocabSize(): number {
    return (this.model.config as unknown as { vocab_size: number }).vocab_size;
  }

  get bosTokenId(): number | null {
    const t = this.tokenizer as unknown as { bos_token_id?: number | null };
    return t.bos_token_id ?? null;
  }

  /** Token ids for text, with or without the tokenizer's special tokens (BOS for Llama). */
  encode(text: string, addSpecialTokens: boolean): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens });
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
    return { logits: out.logits!, cache };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
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
