import type { ScorerStats } from '../core/scoring/scorer.ts';

/** The shape of a Llama-family model, from its config.json. */
export interface LlamaShape {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  vocab: number;
}

export function shapeFromConfig(cfg: Record<string, unknown>): LlamaShape {
  const n = (k: string) => cfg[k] as number;
  const heads = n('num_attention_heads');
  return {
    hidden: n('hidden_size'),
    layers: n('num_hidden_layers'),
    heads,
    kvHeads: n('num_key_value_heads') ?? heads,
    headDim: n('head_dim') ?? n('hidden_size') / heads,
    ffn: n('intermediate_size'),
    vocab: n('vocab_size'),
  };
}

/**
 * Multiply-add FLOPs (2 per MAC) the model performed: weight matmuls per computed token, the LM
 * head per kept logit row, and attention (QK^T and AV) per attended query-key pair. Norms,
 * softmax and rotary embeddings are ignored (a few percent at most).
 */
export function forwardFlops(s: LlamaShape, stats: ScorerStats): number {
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  const perTokenWeights = s.layers * (s.hidden * q + 2 * s.hidden * kv + q * s.hidden + 3 * s.hidden * s.ffn);
  return (
    2 * perTokenWeights * stats.tokensComputed +
    2 * s.hidden * s.vocab * stats.logitRows +
    2 * 2 * s.layers * q * stats.attendedPairs
  );
}
