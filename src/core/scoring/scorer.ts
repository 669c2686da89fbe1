import type { CausalLM, KvCache } from '../runtime/causalLm.ts';
import { tokenLogProb } from '../runtime/logprobs.ts';
import { repeatBatch } from './kvCache.ts';
import type { ChoiceScore, Encode, QuestionRequest } from './requests.ts';
import { scoreFromLogits, scorePlain } from './plainScorer.ts';

/**
 * How a question's choices are computed:
 * - naive:   one full forward pass per choice (the reference; plainScorer.ts);
 * - harness: lm-evaluation-harness' grouping: choices whose inputs (ctx + cont[:-1]) are identical
 *            share one full pass; others get their own; no reuse across questions;
 * - fast:    the subject's few-shot prefix is computed once and its KV cache reused; the part the
 *            choices share is computed once on top of it; the choices' remaining tokens are batched
 *            on that cache. Truncated inputs fall back to naive (their positions shift).
 */
export type ScorerMode = 'naive' | 'harness' | 'fast';
export const SCORER_MODES: readonly ScorerMode[] = ['naive', 'harness', 'fast'];

export interface ScorerStats {
  forwardPasses: number;
  /** Tokens actually run through the model (cached tokens not counted), summed over batch rows. */
  tokensComputed: number;
  /** Query-key pairs attended (for FLOP accounting): sum over computed tokens of their key count. */
  attendedPairs: number;
  /** Positions the LM head was applied to (all of them, unless num_logits_to_keep cut them). */
  logitRows: number;
  prefixReuses: number;
  fallbacks: number;
}

interface Prefix {
  tokens: number[];
  cache: KvCache;
}

function startsWith(seq: number[], prefix: number[]): boolean {
  if (seq.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (seq[i] !== prefix[i]) return false;
  return true;
}

function commonPrefixLength(seqs: number[][]): number {
  const first = seqs[0]!;
  let n = Math.min(...seqs.map((s) => s.length));
  for (const s of seqs) {
    let i = 0;
    while (i < n && s[i] === first[i]) i++;
    n = i;
  }
  return n;
}

export class Scorer {
  readonly stats: ScorerStats = {
    forwardPasses: 0,
    tokensComputed: 0,
    attendedPairs: 0,
    logitRows: 0,
    prefixReuses: 0,
    fallbacks: 0,
  };
  private prefix: Prefix | null = null;

  constructor(
    readonly model: CausalLM,
    readonly mode: ScorerMode,
  ) {}

  /**
   * Fast mode: computes the KV cache of a subject's shared prefix text (description + shots). The
   * cut is one token short of encode(prefix): the last token may merge with what follows, and a
   * question uses the cache only when its own tokens start with exactly these, so tokenization
   * never changes.
   */
  async setPrefix(prefixText: string, encode: Encode): Promise<void> {
    this.prefix = null;
    if (this.mode !== 'fast') return;
    const tokens = encode(prefixText).slice(0, -1);
    if (tokens.length === 0 || tokens.length >= this.model.maxLength) return;
    const { logits, cache } = await this.model.forward([tokens], undefined, 1);
    this.count(tokens.length, 0, logits.dims[1]);
    this.prefix = { tokens, cache };
  }

  async score(q: QuestionRequest): Promise<ChoiceScore[]> {
    if (this.mode === 'naive') {
      for (const c of q.choices) this.count(c.input.length);
      return scorePlain(this.model, q);
    }
    if (this.mode === 'harness') return this.scoreHarness(q);
    if (q.choices.some((c) => c.truncated)) {
      // Truncated inputs start at shifted positions: no prefix reuse, plain full passes.
      this.stats.fallbacks++;
      return this.scoreHarness(q);
    }
    return this.scoreFast(q);
  }

  /** Accounts one forward pass of `batch` rows of `len` new tokens on `past` cached ones. */
  private count(len: number, past = 0, logitRows = len, batch = 1): void {
    this.stats.forwardPasses++;
    this.stats.tokensComputed += len * batch;
    this.stats.attendedPairs += batch * (len * past + (len * (len + 1)) / 2);
    this.stats.logitRows += logitRows * batch;
  }

  private async scoreHarness(q: QuestionRequest): Promise<ChoiceScore[]> {
    const vocab = this.model.vocabSize;
    const groups = new Map<string, number[]>();
    q.choices.forEach((c, i) => {
      const key = c.input.join(',');
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    const out: ChoiceScore[] = new Array(q.choices.length);
    for (const members of groups.values()) {
      const input = q.choices[members[0]!]!.input;
      const { logits } = await this.model.forward([input]);
      this.count(input.length);
      const data = logits.data as Float32Array;
      for (const i of members) out[i] = scoreFromLogits(data, vocab, q.choices[i]!);
    }
    return out;
  }

  private async scoreFast(q: QuestionRequest): Promise<ChoiceScore[]> {
    const vocab = this.model.vocabSize;
    const inputs = q.choices.map((c) => c.input);
    const prefix = this.prefix && inputs.every((s) => startsWith(s, this.prefix!.tokens)) ? this.prefix : null;
    const cached = prefix?.tokens.length ?? 0;
    if (prefix) this.stats.prefixReuses++;
    // Shared segment: tokens every choice's input has in common (context, plus e.g. a shared "▁").
    // The first continuation token of choice i is predicted at position len(input_i) - len(cont_i).
    // When every input is a prefix of the longest one (letters under SentencePiece: " B" is one
    // token, " A" is "▁" + "A"), one pass over the longest serves every choice.
    const longest = inputs.reduce((a, b) => (b.length > a.length ? b : a));
    const shared = inputs.every((s) => startsWith(longest, s)) ? longest.length : commonPrefixLength(inputs);
    const firstNeeded = Math.min(...q.choices.map((c) => c.input.length - c.continuation.length));
    if (firstNeeded < cached) throw new Error('internal: needed logits fall inside the cached prefix');
    const seg = longest.slice(cached, shared);
    const keep = shared - firstNeeded;
    const first = await this.model.forward([seg], prefix?.cache, keep);
    this.count(seg.length, cached, first.logits.dims[1]);
    const firstData = first.logits.data as Float32Array;
    // Row r of `first.logits` holds position `rowBase + r` (trailing rows only, if the graph honoured keep).
    const firstRows = first.logits.dims[1]!;
    const firstBase = shared - firstRows;

    const rest = q.choices.map((c) => (c.input.length <= shared ? [] : c.input.slice(shared)));
    const batchIdx = rest.map((r, i) => (r.length > 0 ? i : -1)).filter((i) => i >= 0);
    let second: { data: Float32Array; rows: number; width: number } | null = null;
    if (batchIdx.length > 0) {
      const width = Math.max(...batchIdx.map((i) => rest[i]!.length));
      // Right padding is harmless under causal attention: padded positions come after every
      // position we read, so they cannot influence it.
      const padTok = rest[batchIdx[0]!]![0]!;
      const rows = batchIdx.map((i) => [...rest[i]!, ...new Array(width - rest[i]!.length).fill(padTok)]);
      const past = repeatBatch(first.cache, rows.length);
      const res = await this.model.forward(rows, past);
      this.count(width, shared, width, rows.length);
      second = { data: res.logits.data as Float32Array, rows: res.logits.dims[1]!, width };
    }

    return q.choices.map((c, i) => {
      const cont = c.continuation;
      const start = c.input.length - cont.length; // position predicting cont[0]
      let logprob = 0;
      let isGreedy = true;
      for (let j = 0; j < cont.length; j++) {
        const pos = start + j;
        let data: Float32Array;
        let offset: number;
        if (pos < shared) {
          data = firstData;
          offset = (pos - firstBase) * vocab;
        } else {
          const b = batchIdx.indexOf(i);
          data = second!.data;
          offset = (b * second!.rows + (pos - shared)) * vocab;
        }
        const r = tokenLogProb(data, offset, vocab, cont[j]!);
        logprob += r.logprob;
        isGreedy &&= r.greedy;
      }
      return { logprob, isGreedy };
    });
  }
}
