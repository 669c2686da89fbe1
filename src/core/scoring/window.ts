import { encodePair, type Encode, type TokenizerLike } from './requests.ts';

/**
 * How many leading characters of a prompt's context the model did not see: lm-eval keeps the last
 * maxLength + 1 tokens of context + continuation (choiceRequest), so a long prompt loses its start.
 * Counted for the choice that loses most; the characters are those the dropped tokens decode to
 * (a BOS among them decodes to nothing of the text), so for a tokenizer that does not decode to its
 * input exactly the count is approximate.
 */
export function unseenContextChars(
  tok: TokenizerLike & { decode(ids: number[]): string },
  encode: Encode,
  context: string,
  continuations: readonly string[],
  maxLength: number,
): number {
  let cut = 0;
  let ctx: number[] = [];
  for (const cont of continuations) {
    const pair = encodePair(encode, context, cont);
    const over = pair.context.length + pair.continuation.length - (maxLength + 1);
    if (over > cut) [cut, ctx] = [over, pair.context];
  }
  if (cut <= 0) return 0;
  const dropped = ctx.slice(0, cut);
  if (tok.bosTokenId !== null && dropped[0] === tok.bosTokenId) dropped.shift();
  return Math.min(context.length, tok.decode(dropped).length);
}
