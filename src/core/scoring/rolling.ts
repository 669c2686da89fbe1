/**
 * lm-eval's loglikelihood_rolling (HFLM at v0.4.9.2 and v0.4.12: utils.get_rolling_token_windows with
 * context_len=1, then make_disjoint_window): the text's tokens are predicted in windows of at most
 * max_length; the first is conditioned on the prefix token (BOS, else EOS) alone, each later one on
 * the max_length tokens before it. Every token of the text is predicted exactly once.
 */
export interface RollingWindow {
  /** Ids fed to the model, as _loglikelihood_tokens builds them: (context + pred)[-(max_length+1):][:-1]. */
  input: number[];
  /** The window's predicted tokens: the last pred.length positions of input predict them. */
  pred: number[];
  /** Index in the text's tokens of pred[0]. */
  start: number;
}

export function rollingWindows(tokens: readonly number[], prefixToken: number, maxSeqLen: number): RollingWindow[] {
  if (maxSeqLen < 1) throw new Error(`rolling windows need a window of at least 1 token, got ${maxSeqLen}`);
  const out: RollingWindow[] = [];
  if (tokens.length === 0) return out;
  const first = Math.min(maxSeqLen, tokens.length);
  out.push({ input: [prefixToken, ...tokens.slice(0, first - 1)], pred: tokens.slice(0, first), start: 0 });
  let predicted = first;
  while (predicted < tokens.length) {
    const n = Math.min(tokens.length - predicted, maxSeqLen);
    const end = predicted + n;
    // context tokens[end - max - 1 : end - 1] made disjoint, then the model input is its last max tokens
    const from = Math.max(0, end - maxSeqLen - 1);
    out.push({
      input: tokens.slice(from, end - 1).slice(-maxSeqLen),
      pred: tokens.slice(end - n, end),
      start: end - n,
    });
    predicted += n;
  }
  return out;
}
