/**
 * How a model reads a text: each token's log-probability given what precedes it (lm-eval's
 * loglikelihood_rolling, windows and all), the text's perplexities as lm-eval defines them, and the
 * model's top-k next tokens after the text. The page's next-token view and `pagebench perplexity`
 * both call probeText, so their numbers are one computation.
 */
import type { KvCache } from '../runtime/causalLm.ts';
import { tokenLogProb } from '../runtime/logprobs.ts';
import type { Tensor } from '@huggingface/transformers';
import { makeEncoder, resolveBos, type BosPolicy, type TokenizerLike } from '../scoring/requests.ts';
import { rollingWindows } from '../scoring/rolling.ts';
import {
  documentCounts,
  perplexityMetrics,
  type DocumentLoglikelihood,
  type PerplexityMetrics,
} from '../report/perplexity.ts';

export interface ProbeModel extends TokenizerLike {
  readonly eosTokenId: number | null;
  readonly vocabSize: number;
  readonly maxLength: number;
  decode(ids: number[]): string;
  forward(ids: number[][], past?: KvCache, numLogitsToKeep?: number): Promise<{ logits: Tensor }>;
}

export interface ProbeOptions {
  bos: BosPolicy;
  /** lm-eval release whose BOS rule 'lm-eval' means. */
  lmEval?: string;
  /** How many next tokens to rank after the text (0: none, and no extra pass). */
  topK: number;
  /** Each token's text piece (the page's colouring; a long file in the CLI can skip it). */
  pieces?: boolean;
}

export interface TokenLogprob {
  id: number;
  /** The token's text, as it adds to the decoded text (empty for a byte that only completes with the next). */
  piece: string;
  logprob: number;
}

export interface TextProbe {
  /** The text's tokens, each with log p(token | the tokens before it in its window). */
  tokens: TokenLogprob[];
  document: DocumentLoglikelihood;
  metrics: PerplexityMetrics;
  /** The model's most likely next tokens after the whole text, most likely first. */
  next: TokenLogprob[];
  windows: number;
  maxLength: number;
  /** lm-eval's prefix_token_id: BOS, else EOS; conditions the first token. */
  prefixToken: number;
  /** What the BOS policy resolved to for this model and release. */
  bos: Exclude<BosPolicy, 'lm-eval'>;
}

export class EmptyTextError extends Error {}

const PIECE_CONTEXT = 8;

/**
 * The text a token adds after `before` (the ids that precede it): decoded with a few tokens of
 * context and without, since byte-level BPE splits characters across tokens and SentencePiece drops
 * a leading space at the start of a decode.
 */
function appendedPiece(model: ProbeModel, before: readonly number[], id: number): string {
  const tail = before.slice(-PIECE_CONTEXT) as number[];
  const head = tail.length ? model.decode(tail) : '';
  const whole = model.decode([...tail, id]);
  return whole.startsWith(head) ? whole.slice(head.length) : model.decode([id]);
}

export function tokenPieces(model: ProbeModel, ids: readonly number[]): string[] {
  return ids.map((id, i) => appendedPiece(model, ids.slice(Math.max(0, i - PIECE_CONTEXT), i), id));
}

export async function probeText(model: ProbeModel, text: string, opts: ProbeOptions): Promise<TextProbe> {
  if (text.length === 0) throw new EmptyTextError('the text is empty: type or paste at least one character');
  const prefixToken = model.bosTokenId ?? model.eosTokenId;
  if (prefixToken === null)
    throw new Error('the tokenizer has neither a BOS nor an EOS token to condition the first token on');
  const tokens = makeEncoder(model, opts.bos, opts.lmEval)(text);
  if (tokens.length === 0) throw new EmptyTextError('the text encodes to no tokens');
  const windows = rollingWindows(tokens, prefixToken, model.maxLength);
  const logprobs = new Array<number>(tokens.length);
  const V = model.vocabSize;
  for (const w of windows) {
    const data = (await model.forward([w.input])).logits.data as Float32Array;
    const first = w.input.length - w.pred.length;
    w.pred.forEach((t, j) => (logprobs[w.start + j] = tokenLogProb(data, (first + j) * V, V, t).logprob));
  }
  const loglikelihood = logprobs.reduce((a, x) => a + x, 0);
  const pieces = opts.pieces === false ? null : tokenPieces(model, tokens);
  const document = documentCounts(text, loglikelihood);
  return {
    tokens: tokens.map((id, i) => ({ id, piece: pieces?.[i] ?? '', logprob: logprobs[i]! })),
    document,
    metrics: perplexityMetrics([document]),
    next: opts.topK > 0 ? await nextTokens(model, [prefixToken, ...tokens].slice(-model.maxLength), opts.topK) : [],
    windows: windows.length,
    maxLength: model.maxLength,
    prefixToken,
    bos: resolveBos(opts.bos, model.modelType, opts.lmEval),
  };
}

/** log-softmax of the last position, top k by probability (ties: the lower id first, as a stable sort). */
async function nextTokens(model: ProbeModel, input: number[], k: number): Promise<TokenLogprob[]> {
  const data = (await model.forward([input], undefined, 1)).logits.data as Float32Array;
  const V = model.vocabSize;
  const row = data.subarray(data.length - V);
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, row[v]!);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(row[v]! - max);
  const logZ = max + Math.log(sum);
  const ids = Array.from({ length: V }, (_, v) => v)
    .sort((a, b) => row[b]! - row[a]! || a - b)
    .slice(0, k);
  return ids.map((id) => ({ id, piece: appendedPiece(model, input, id), logprob: row[id]! - logZ }));
}
