import type { PromptInstance } from '../templates/template.ts';
import { lmEvalRelease } from '../lmEvalReleases.ts';
import { choicePairs } from '../templates/build.ts';

export type { BosPolicy } from '../records.ts';
import type { BosPolicy } from '../records.ts';
export const BOS_POLICIES: readonly BosPolicy[] = ['lm-eval', 'tokenizer', 'never', 'always'];

export interface TokenizerLike {
  /** Ids as Python's tokenizer.encode(text, add_special_tokens=...) gives them. */
  encode(text: string, addSpecialTokens: boolean): number[];
  readonly bosTokenId: number | null;
  /** lm-eval's decoded prefix token (BOS, else EOS), for its has_bos_prefix rule. */
  readonly bosText?: string | null;
  /** config.json's model_type, where known. */
  readonly modelType?: string;
}

/** What a policy means for a model: 'lm-eval' resolved by the release and the model's type. */
export function resolveBos(
  policy: BosPolicy,
  modelType: string | undefined,
  release?: string,
): Exclude<BosPolicy, 'lm-eval'> {
  if (policy !== 'lm-eval') return policy;
  const bos = lmEvalRelease(release).bos;
  if (bos === 'tokenizer-default') return 'tokenizer';
  if (bos === 'off') return 'never';
  return modelType?.includes('gemma') ? 'tokenizer' : 'never';
}

export type Encode = (text: string) => number[];

export function makeEncoder(tok: TokenizerLike, requested: BosPolicy, release?: string): Encode {
  const policy = resolveBos(requested, tok.modelType, release);
  if (policy === 'tokenizer') {
    const prefix = requested === 'lm-eval' && lmEvalRelease(release).bosPrefixRule ? tok.bosText : null;
    // lm-eval >= 0.4.9.2 tok_encode: has_bos_prefix(string, decode(prefix_token_id)) -> add_special_tokens=False
    if (prefix) return (t) => tok.encode(t, !t.startsWith(prefix));
    return (t) => tok.encode(t, true);
  }
  if (policy === 'never') return (t) => tok.encode(t, false);
  const bos = tok.bosTokenId;
  if (bos === null) throw new Error('BOS policy "always" but the tokenizer has no BOS token');
  return (t) => [bos, ...tok.encode(t, false)];
}

/**
 * lm-eval's _encode_pair: trailing whitespace of the context moves to the front of the
 * continuation; the continuation's tokens are whole[len(enc(context)):].
 */
export function encodePair(
  encode: Encode,
  context: string,
  continuation: string,
): { context: number[]; continuation: number[] } {
  const nSpaces = context.length - context.trimEnd().length;
  if (nSpaces > 0) {
    continuation = context.slice(-nSpaces) + continuation;
    context = context.slice(0, -nSpaces);
  }
  const whole = encode(context + continuation);
  const ctx = encode(context);
  return { context: ctx, continuation: whole.slice(ctx.length) };
}

/** One (context, continuation) pair as the model sees it. */
export interface ChoiceRequest {
  /** Token ids fed to the model: (ctx+cont)[-(maxLength+1):][:-1]. */
  input: number[];
  /** The continuation's token ids, predicted by the last `continuation.length` positions of input. */
  continuation: number[];
  /** The untruncated context ids (for prefix reuse). */
  context: number[];
  truncated: boolean;
}

export function choiceRequest(context: number[], continuation: number[], maxLength: number): ChoiceRequest {
  if (continuation.length === 0) throw new Error('empty continuation: the choice adds no tokens to the context');
  if (continuation.length > maxLength)
    throw new Error(`continuation of ${continuation.length} tokens exceeds the model window of ${maxLength}`);
  const whole = [...context, ...continuation];
  return {
    input: whole.slice(-(maxLength + 1)).slice(0, -1),
    continuation,
    context,
    truncated: whole.length > maxLength + 1,
  };
}

export interface QuestionRequest {
  prompt: PromptInstance;
  choices: ChoiceRequest[];
}

export function questionRequest(prompt: PromptInstance, encode: Encode, maxLength: number): QuestionRequest {
  return {
    prompt,
    choices: choicePairs(prompt).map(([ctx, cont]) => {
      const pair = encodePair(encode, ctx, cont);
      return choiceRequest(pair.context, pair.continuation, maxLength);
    }),
  };
}

/** Per-choice result, as lm-eval's loglikelihood requests return it. */
export interface ChoiceScore {
  logprob: number;
  isGreedy: boolean;
}
