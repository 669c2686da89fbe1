import type { CausalLM } from '../runtime/causalLm.ts';
import { tokenLogProb } from '../runtime/logprobs.ts';
import type { ChoiceRequest, ChoiceScore, QuestionRequest } from './requests.ts';

/** Sum of log-probabilities of `req.continuation` given full-sequence logits for `req.input` ([1, L, V]). */
export function scoreFromLogits(logits: Float32Array, vocab: number, req: ChoiceRequest): ChoiceScore {
  const n = req.continuation.length;
  const start = req.input.length - n;
  let logprob = 0;
  let isGreedy = true;
  for (let i = 0; i < n; i++) {
    const r = tokenLogProb(logits, (start + i) * vocab, vocab, req.continuation[i]!);
    logprob += r.logprob;
    isGreedy &&= r.greedy;
  }
  return { logprob, isGreedy };
}

/**
 * The reference path ("naive"): one full forward pass over the whole sequence for every choice,
 * no cache, no batching.
 */
export async function scorePlain(model: CausalLM, q: QuestionRequest): Promise<ChoiceScore[]> {
  const out: ChoiceScore[] = [];
  for (const c of q.choices) {
    const { logits } = await model.forward([c.input]);
    out.push(scoreFromLogits(logits.data as Float32Array, model.vocabSize, c));
  }
  return out;
}
