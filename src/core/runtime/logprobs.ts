/** log-softmax of one row of logits at `target`, in float64, and whether target is the (first) argmax, as torch.argmax. */
export function tokenLogProb(
  logits: Float32Array,
  offset: number,
  vocab: number,
  target: number,
): { logprob: number; greedy: boolean } {
  let max = -Infinity;
  let argmax = 0;
  for (let v = 0; v < vocab; v++) {
    const x = logits[offset + v]!;
    if (x > max) {
      max = x;
      argmax = v;
    }
  }
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v]! - max);
  return { logprob: logits[offset + target]! - max - Math.log(sum), greedy: argmax === target };
}
