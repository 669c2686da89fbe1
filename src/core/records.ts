/**
 * The engine's shared records — a run's settings, a scored question, progress — as plain types.
 * This module imports nothing of the engine's behaviour, so any folder may use it without an
 * import circle (benchmarks, report, study, the worker and the page all do).
 */
import type { GenerationSettings } from './templates/template.ts';

/**
 * BOS policy. 'lm-eval' (the default) is the HF backend of the lm-evaluation-harness release the
 * run emulates (lmEvalReleases.ts): since 0.4.9.2 the tokenizer's own default (a Llama tokenizer
 * adds BOS; GPT-2's adds nothing), except that a text already starting with the BOS text gets no
 * special tokens; up to 0.4.9.1 no special tokens, except Gemma's tokenizer default.
 * 'tokenizer' uses the tokenizer's own default for special tokens; 'never' encodes without
 * special tokens; 'always' encodes without them and prepends the BOS id.
 */
export type BosPolicy = 'lm-eval' | 'tokenizer' | 'never' | 'always';

/** naive: one pass per choice; harness: lm-eval's batching; fast: shared prefixes cached (same numbers). */
export type ScorerMode = 'naive' | 'harness' | 'fast';

/** One part of a split run (parts.ts). */
export interface Part {
  /** 1-based. */
  index: number;
  count: number;
}

/** No chat template, the prompt as one user turn, or each shot a turn. */
export type ChatMode = 'none' | 'single' | 'multiturn';

export interface EvalSettings {
  /** The benchmark (src/core/benchmarks/registry.ts); MMLU when absent. */
  benchmark?: string;
  subjects: string[];
  split: string;
  shots: number;
  template: string;
  /** At most this many questions per subject (the first ones, in file order). */
  limit?: number;
  bos: BosPolicy;
  /**
   * The lm-evaluation-harness release whose semantics 'lm-eval' BOS follows (lmEvalReleases.ts);
   * absent: the latest. Recorded as config.lm_eval_version.
   */
  lmEval?: string;
  scorer: ScorerMode;
  /**
   * Questions per forward pass (fast scorer; default 1), or 'auto': measure batches of
   * AUTO_BATCH against one at a time on the first questions and keep the faster. Results are the
   * same for any value.
   */
  batchSize?: number | 'auto';
  /** The task description before the shots (default on; lm-eval's `description`). */
  description?: boolean;
  /** Chat template: none (default), the prompt as one user turn, or each shot a turn; an optional system prompt. */
  chat?: ChatMode;
  system?: string;
  /** Generate templates: decoding overrides (max new tokens, stops, temperature, top-k/p, seed). */
  generation?: Partial<GenerationSettings>;
  /** Only this slice of the run's questions (parts.ts); absent: all of them. */
  part?: Part;
}

/** One scored question; the JSONL sample format (see README). */
export interface Sample {
  subject: string;
  doc_id: number;
  target: number;
  context: string;
  continuations: string[];
  loglikelihoods: number[];
  is_greedy: boolean[];
  pred: number;
  /** 1 if pred is the target, else 0; TruthfulQA mc2: the probability mass on the true choices (as lm-eval's sample). */
  acc: number;
  /** TruthfulQA mc2: each choice's label (1 true), and the mass by the v1 leaderboard's formula (split at the first false). */
  labels?: number[];
  mc2_split?: number;
  acc_norm?: 0 | 1;
  /** The acc_norm pick (log-likelihood per character), where the template reports acc_norm. */
  pred_norm?: number;
  /** Tokens fed to the model for the longest choice and whether lm-eval truncation cut it. */
  input_tokens: number;
  truncated: boolean;
  /** Few-shot examples actually in the prompt (fewer than requested only under 'drop-shots'). */
  shots_used: number;
  /** Generate mode: the generated text and the extracted choice (-1 when none matched). */
  generated?: string;
  /** Generate mode: how long this question's decoding took on the device that ran it (scoring/generate.ts). */
  timing?: { ttft_s: number; seconds: number; output_tokens: number };
  /** Free-text answers (GSM8K), per lm-eval filter: what it extracted, exact_match, and 1 where it found nothing. */
  filtered?: Record<string, string>;
  exact_match?: Record<string, number>;
  no_answer?: Record<string, number>;
  /** Partial scoring (Winogrande): each choice's own context. */
  contexts?: string[];
  /** MMLU-Redux: the re-annotation's verdict on the original label ("ok", "wrong_groundtruth", …). */
  error_type?: string;
}

export interface Progress {
  done: number;
  total: number;
  subject: string;
  elapsedSeconds: number;
  itemsPerSecond: number;
  promptTokensPerSecond: number;
  etaSeconds: number;
}
