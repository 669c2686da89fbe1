import type { CausalLM, KvCache } from '../runtime/causalLm.ts';
import { tokenLogProb } from '../runtime/logprobs.ts';
import { disposeCache, repeatBatch, selectRow, toHost } from './kvCache.ts';
import type { ChoiceScore, Encode, QuestionRequest } from './requests.ts';
import { scoreFromLogits, scorePlain } from './plainScorer.ts';

/**
 * How a question's choices are computed:
 * - naive:   one full forward pass per choice (the reference; plainScorer.ts);
 * - harness: lm-evaluation-harness' grouping: choices whose inputs (ctx + cont[:-1]) are identical
 *            share one full pass; others get their own; no reuse across questions;
 * - fast:    the subject's few-shot prefix is computed once and its KV cache reused; the part the
 *            choices share is computed once on top of it; the choices' remaining tokens are batched
 *            on that cache. A question that starts with more of the previous question's tokens
 *            than the prefix (a reading passage several questions share) continues from that
 *            question's cache instead. Truncated inputs fall back to naive (their positions shift).
 */
export type { ScorerMode } from '../records.ts';
import type { ScorerMode } from '../records.ts';
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
  /** Questions continued from the previous question's cache (a shared start longer than the prefix). */
  continued: number;
  fallbacks: number;
  /** The subjects' shared prefixes: tokens computed and seconds spent (once per subject). */
  prefixTokens: number;
  prefixSeconds: number;
}

interface Prefix {
  tokens: number[];
  /** As computed (GPU buffers on WebGPU). */
  cache: KvCache;
  /** The same in host memory, for batch copies (made when first needed). */
  hostCache: KvCache | null;
}

interface QuestionPlan {
  q: QuestionRequest;
  /** Tokens every choice's input shares (absolute length). */
  shared: number;
  /** First position whose logits a choice reads. */
  firstNeeded: number;
  /** Stage-1 tokens after the cached prefix. */
  seg: number[];
  /** The stage-1 input: tokens up to `shared`. */
  stem: number[];
  /** Each choice's tokens after the shared segment. */
  rest: number[][];
}

/**
 * Shared segment: tokens every choice's input has in common (context, plus e.g. a shared "▁").
 * The first continuation token of choice i is predicted at position len(input_i) - len(cont_i).
 * When every input is a prefix of the longest one (letters under SentencePiece: " B" is one token,
 * " A" is "▁" + "A"), one pass over the longest serves every choice.
 */
function planQuestion(q: QuestionRequest, cached: number): QuestionPlan {
  const inputs = q.choices.map((c) => c.input);
  const longest = inputs.reduce((a, b) => (b.length > a.length ? b : a));
  const shared = inputs.every((s) => startsWith(longest, s)) ? longest.length : commonPrefixLength(inputs);
  const firstNeeded = Math.min(...q.choices.map((c) => c.input.length - c.continuation.length));
  if (firstNeeded < cached) throw new Error('internal: needed logits fall inside the cached prefix');
  return {
    q,
    shared,
    firstNeeded,
    seg: longest.slice(cached, shared),
    stem: longest.slice(0, shared),
    rest: inputs.map((s) => (s.length <= shared ? [] : s.slice(shared))),
  };
}

const ones = (n: number) => new Array<number>(n).fill(1);
const zeros = (n: number) => new Array<number>(n).fill(0);
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

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

/** Counters at zero. */
export const noStats = (): ScorerStats => ({
  forwardPasses: 0,
  tokensComputed: 0,
  attendedPairs: 0,
  logitRows: 0,
  prefixReuses: 0,
  continued: 0,
  fallbacks: 0,
  prefixTokens: 0,
  prefixSeconds: 0,
});

/** Several scorers' counters added up. */
export function sumStats(all: readonly ScorerStats[]): ScorerStats {
  const out = noStats();
  for (const s of all) for (const k of Object.keys(out) as (keyof ScorerStats)[]) out[k] += s[k];
  return out;
}

/** Fewer shared tokens than this beyond the prefix are computed again rather than cut from the previous cache. */
export const MIN_CONTINUED = 8;

export class Scorer {
  readonly stats: ScorerStats = noStats();
  private prefix: Prefix | null = null;
  /** The last question's stage-1 tokens and cache (host memory), for a next question that shares more. */
  private previous: { tokens: number[]; cache: KvCache } | null = null;

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
    if (this.prefix) disposeCache(this.prefix.cache);
    this.prefix = null;
    this.previous = null;
    if (this.mode !== 'fast' || !this.model.reusesPrefix) return;
    const tokens = encode(prefixText).slice(0, -1);
    if (tokens.length === 0 || tokens.length >= this.model.maxLength) return;
    const t0 = performance.now();
    const { logits, cache } = await this.model.forward([tokens], undefined, 1);
    this.stats.prefixSeconds += (performance.now() - t0) / 1000;
    this.stats.prefixTokens += tokens.length;
    this.count(tokens.length, 0, logits.dims[1]);
    this.prefix = { tokens, cache, hostCache: null };
  }

  /** Frees the prefix cache (GPU memory on WebGPU). */
  release(): void {
    if (this.prefix) disposeCache(this.prefix.cache);
    this.prefix = null;
    this.previous = null;
  }

  async score(q: QuestionRequest): Promise<ChoiceScore[]> {
    if (this.mode === 'naive') {
      for (const c of q.choices) this.count(c.input.length);
      return scorePlain(this.model, q);
    }
    if (this.mode === 'harness') return this.scoreHarness(q);
    if (q.choices.some((c) => c.truncated) || !this.model.reusesPrefix) {
      // Truncated inputs start at shifted positions, and some models must not reuse a prefix
      // (CausalLM.reusesPrefix): plain full passes.
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

  /**
   * Scores several questions of one subject. In fast mode, those that use the subject's prefix
   * share one forward pass (see scoreFastGroup); the rest are scored one at a time.
   */
  async scoreMany(qs: QuestionRequest[]): Promise<ChoiceScore[][]> {
    const out: ChoiceScore[][] = new Array(qs.length);
    const grouped: number[] = [];
    if (this.mode === 'fast' && qs.length > 1 && this.model.packsQuestions)
      qs.forEach((q, i) => {
        if (!q.choices.some((c) => c.truncated) && this.usablePrefix(q)) grouped.push(i);
      });
    if (grouped.length > 0) {
      const scores = await this.scoreFastGroup(
        grouped.map((m) => qs[m]!),
        this.prefix,
      );
      grouped.forEach((m, j) => (out[m] = scores[j]!));
    }
    for (let i = 0; i < qs.length; i++) if (!out[i]) out[i] = await this.score(qs[i]!);
    return out;
  }

  /**
   * One question under several prompt variants (a study), fast mode: the tokens every variant's
   * inputs share beyond the subject's prefix (the few-shot examples and the question stem before
   * the choices, when only the choices' order or labels differ) are computed once, and each
   * variant continues from that cache. Other modes, and truncated inputs, score each alone.
   */
  async scoreVariants(qs: QuestionRequest[]): Promise<ChoiceScore[][]> {
    const alone = async () => {
      const out: ChoiceScore[][] = [];
      for (const q of qs) out.push(await this.score(q));
      return out;
    };
    if (
      this.mode !== 'fast' ||
      !this.model.reusesPrefix ||
      qs.length < 2 ||
      qs.some((q) => q.choices.some((c) => c.truncated))
    )
      return alone();
    const prefix = qs.every((q) => this.usablePrefix(q)) ? this.prefix : null;
    const cached = prefix?.tokens.length ?? 0;
    const inputs = qs.flatMap((q) => q.choices.map((c) => c.input));
    const firstNeeded = Math.min(...qs.flatMap((q) => q.choices.map((c) => c.input.length - c.continuation.length)));
    // One token short of the first position whose logits are read, so each variant keeps a segment of its own.
    const common = Math.min(commonPrefixLength(inputs), firstNeeded - 1);
    if (common - cached < 1) return prefix ? this.scoreFastGroups(qs, prefix) : alone();
    const tokens = inputs[0]!.slice(0, common);
    if (prefix) this.stats.prefixReuses++;
    const { logits, cache } = await this.model.forward([tokens.slice(cached)], prefix?.cache, 1);
    this.count(common - cached, cached, logits.dims[1]);
    const stem: Prefix = { tokens, cache, hostCache: null };
    try {
      return await this.scoreFastGroups(qs, stem);
    } finally {
      disposeCache(cache);
    }
  }

  /** scoreFastGroup on all of qs at once, or one by one where the model must not pack questions. */
  private async scoreFastGroups(qs: QuestionRequest[], prefix: Prefix): Promise<ChoiceScore[][]> {
    if (this.model.packsQuestions) return this.scoreFastGroup(qs, prefix);
    const out: ChoiceScore[][] = [];
    for (const q of qs) out.push((await this.scoreFastGroup([q], prefix))[0]!);
    return out;
  }

  private usablePrefix(q: QuestionRequest): Prefix | null {
    const p = this.prefix;
    return p && q.choices.every((c) => startsWith(c.input, p.tokens)) ? p : null;
  }

  private async scoreFast(q: QuestionRequest): Promise<ChoiceScore[]> {
    const prefix = this.usablePrefix(q);
    return (await this.scoreFastGroup([q], this.continuedPrefix(q, prefix?.tokens.length ?? 0) ?? prefix, true))[0]!;
  }

  /**
   * The previous question's cache cut to what this question's inputs share with it, when that is
   * longer than `cached` (the subject's prefix) by MIN_CONTINUED tokens or more. It stops at the
   * first position whose logits a choice reads, which must be computed.
   */
  private continuedPrefix(q: QuestionRequest, cached: number): Prefix | null {
    const p = this.previous;
    if (!p) return null;
    let n = Math.min(p.tokens.length, ...q.choices.map((c) => c.input.length - c.continuation.length));
    for (const c of q.choices) {
      let i = 0;
      while (i < n && c.input[i] === p.tokens[i]) i++;
      n = i;
    }
    if (n < cached + MIN_CONTINUED) return null;
    this.stats.continued++;
    return { tokens: p.tokens.slice(0, n), cache: selectRow(p.cache, 0, [[0, n]]), hostCache: null };
  }

  /**
   * The fast path for one or more questions sharing `prefix` (or one question without it).
   * Stage 1: one pass over each question's shared segment on the prefix cache. Several questions
   * go in one batch, left-padded within the segment: pads are masked out of attention and real
   * tokens keep their positions, so every real position sees exactly what it sees alone (pad
   * queries still attend to the prefix, so no attention row is empty). Stage 2: choices' remaining
   * tokens, batched on the question's own cache.
   */
  private async scoreFastGroup(
    qs: QuestionRequest[],
    prefix: Prefix | null,
    continues = false,
  ): Promise<ChoiceScore[][]> {
    if (qs.length > 1 && !prefix) throw new Error('internal: batched questions need the prefix cache');
    const vocab = this.model.vocabSize;
    const cached = prefix?.tokens.length ?? 0;
    if (prefix) this.stats.prefixReuses += qs.length;
    const plans = qs.map((q) => planQuestion(q, cached));
    const width = Math.max(...plans.map((p) => p.seg.length));
    // Trailing positions whose logits some choice reads: with left padding they line up at the end.
    const keep = Math.max(...plans.map((p) => p.shared - p.firstNeeded));
    const pads = plans.map((p) => width - p.seg.length);
    const rows = plans.map((p, b) => [...new Array<number>(pads[b]!).fill(p.seg[0]!), ...p.seg]);
    const layout =
      qs.length > 1
        ? {
            attentionMask: pads.map((n) => [...ones(cached), ...zeros(n), ...ones(width - n)]),
            positionIds: pads.map((n) => [...new Array<number>(n).fill(cached), ...range(cached, width - n)]),
          }
        : undefined;
    if (prefix && qs.length > 1) prefix.hostCache ??= await toHost(prefix.cache);
    const past = prefix ? (qs.length === 1 ? prefix.cache : repeatBatch(prefix.hostCache!, qs.length)) : undefined;
    const first = await this.model.forward(rows, past, keep, layout);
    this.count(width, cached, first.logits.dims[1], qs.length);
    const data = first.logits.data as Float32Array;
    const kept = first.logits.dims[1]!;
    const needsStage2 = plans.some((p) => p.rest.some((r) => r.length > 0));
    // Kept for the next question only where the cache already is in host memory (not worth a GPU download).
    const onHost = Object.values(first.cache).every((t) => t.location === 'cpu' || t.location === undefined);
    const hostCache = needsStage2 ? await toHost(first.cache) : continues && onHost ? first.cache : null;
    this.previous = continues && onHost ? { tokens: plans[0]!.stem, cache: hostCache! } : null;
    disposeCache(first.cache);
    const out: ChoiceScore[][] = [];
    for (const [b, plan] of plans.entries()) {
      // Logit row of absolute position `pos` (cached <= pos < shared) in row b.
      const firstRow = (pos: number) => (b * kept + pads[b]! + (pos - cached) - (width - kept)) * vocab;
      let second: { data: Float32Array; rows: number; index: number[] } | null = null;
      const withRest = plan.rest.map((r, i) => (r.length > 0 ? i : -1)).filter((i) => i >= 0);
      if (withRest.length > 0) {
        const own = selectRow(hostCache!, b, [
          [0, cached],
          [cached + pads[b]!, cached + width],
        ]);
        second = await this.stage2(own, plan, withRest);
      }
      out.push(
        plan.q.choices.map((c, i) => {
          const cont = c.continuation;
          const start = c.input.length - cont.length; // position predicting cont[0]
          let logprob = 0;
          let isGreedy = true;
          for (let j = 0; j < cont.length; j++) {
            const pos = start + j;
            const r =
              pos < plan.shared
                ? tokenLogProb(data, firstRow(pos), vocab, cont[j]!)
                : tokenLogProb(
                    second!.data,
                    (second!.index.indexOf(i) * second!.rows + (pos - plan.shared)) * vocab,
                    vocab,
                    cont[j]!,
                  );
            logprob += r.logprob;
            isGreedy &&= r.greedy;
          }
          return { logprob, isGreedy };
        }),
      );
    }
    return out;
  }

  /** The choices' tokens after the shared segment, right-padded and batched on the question's cache. */
  private async stage2(
    cache: KvCache,
    plan: QuestionPlan,
    index: number[],
  ): Promise<{ data: Float32Array; rows: number; index: number[] }> {
    const width = Math.max(...index.map((i) => plan.rest[i]!.length));
    // Right padding is harmless under causal attention: padded positions come after every
    // position we read, so they cannot influence it.
    const padTok = plan.rest[index[0]!]![0]!;
    const rows = index.map((i) => [...plan.rest[i]!, ...new Array<number>(width - plan.rest[i]!.length).fill(padTok)]);
    const res = await this.model.forward(rows, repeatBatch(cache, rows.length));
    disposeCache(res.cache);
    this.count(width, plan.shared, width, rows.length);
    return { data: res.logits.data as Float32Array, rows: res.logits.dims[1]!, index };
  }
}
