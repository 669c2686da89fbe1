/**
 * One scored question as the model saw it: each choice's prompt split into the tokens fed to the
 * model (after lm-eval's encode pair and left truncation) and its continuation's tokens, each with
 * its log-probability — recomputed with one plain pass per choice, so the explorer can show why a
 * choice won.
 */
import { tokenLogProb } from '../runtime/logprobs.ts';
import { choiceRequest, encodePair, type Encode } from '../scoring/requests.ts';
import { tokenPieces, type ProbeModel, type TokenLogprob } from './textProbe.ts';

export interface ChoiceTokens {
  /** The context tokens the model saw (a left-truncated prompt's first ones are gone). */
  context: { id: number; piece: string }[];
  /** Context tokens cut from the left to fit the window. */
  dropped: number;
  /** The continuation's tokens with log p of each given everything before it. */
  continuation: (TokenLogprob & { greedy: boolean })[];
  logprob: number;
}

export async function questionTokens(
  model: ProbeModel,
  encode: Encode,
  pairs: readonly (readonly [context: string, continuation: string])[],
): Promise<ChoiceTokens[]> {
  const V = model.vocabSize;
  const out: ChoiceTokens[] = [];
  for (const [ctx, cont] of pairs) {
    const pair = encodePair(encode, ctx, cont);
    const req = choiceRequest(pair.context, pair.continuation, model.maxLength);
    const data = (await model.forward([req.input])).logits.data as Float32Array;
    const n = req.continuation.length;
    const seen = req.input.slice(0, req.input.length - n + 1);
    const pieces = tokenPieces(model, [...seen, ...req.continuation]);
    const continuation = req.continuation.map((id, j) => {
      const r = tokenLogProb(data, (req.input.length - n + j) * V, V, id);
      return { id, piece: pieces[seen.length + j]!, logprob: r.logprob, greedy: r.greedy };
    });
    out.push({
      context: seen.map((id, i) => ({ id, piece: pieces[i]! })),
      dropped: pair.context.length - seen.length,
      continuation,
      logprob: continuation.reduce((a, t) => a + t.logprob, 0),
    });
  }
  return out;
}
