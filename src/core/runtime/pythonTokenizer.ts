import type { PreTrainedTokenizer } from '@huggingface/transformers';

/**
 * Tokenizer classes whose Python (fast) tokenizer rebuilds its post-processor from
 * tokenizer_config.json's add_bos_token / add_eos_token (transformers' LlamaTokenizerFast,
 * CodeLlamaTokenizerFast, GemmaTokenizerFast and CohereTokenizerFast `update_post_processor`;
 * add_bos_token defaults to true, add_eos_token to false). For these the config, not
 * tokenizer.json's post-processor (which transformers.js follows), decides what
 * `add_special_tokens=True` adds: a config with `"add_bos_token": false` adds no BOS in Python.
 */
const CONFIG_DRIVEN = /^(Llama|CodeLlama|Gemma|Cohere)Tokenizer(Fast)?$/;

interface TokenizerInternals {
  _tokenizerConfig?: { tokenizer_class?: unknown; add_bos_token?: unknown; add_eos_token?: unknown };
  bos_token_id?: number | null;
  eos_token_id?: number | null;
}

/** Token ids of `text` as Python's `tokenizer.encode(text, add_special_tokens=special)` gives them. */
export function encodeAsPython(tok: PreTrainedTokenizer, text: string, special: boolean): number[] {
  if (!special) return tok.encode(text, { add_special_tokens: false });
  const t = tok as unknown as TokenizerInternals;
  const cfg = t._tokenizerConfig ?? {};
  if (typeof cfg.tokenizer_class !== 'string' || !CONFIG_DRIVEN.test(cfg.tokenizer_class))
    return tok.encode(text, { add_special_tokens: true });
  const ids = tok.encode(text, { add_special_tokens: false });
  const bos = cfg.add_bos_token !== false && t.bos_token_id != null ? [t.bos_token_id] : [];
  const eos = cfg.add_eos_token === true && t.eos_token_id != null ? [t.eos_token_id] : [];
  return [...bos, ...ids, ...eos];
}

/** lm-eval's prefix_token_id decoded: the BOS text (the EOS text where there is no BOS). */
export function prefixTokenText(tok: PreTrainedTokenizer): string | null {
  const t = tok as unknown as TokenizerInternals;
  const id = t.bos_token_id ?? t.eos_token_id;
  return id == null ? null : tok.decode([id], { skip_special_tokens: false });
}
