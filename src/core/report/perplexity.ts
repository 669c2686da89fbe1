/**
 * lm-eval's perplexity metrics for loglikelihood_rolling tasks (api/metrics.py and api/task.py at
 * v0.4.9.2 and v0.4.12): per document (loglikelihood, words) and (loglikelihood, bytes); aggregated as
 * word_perplexity = exp(-Σll / Σwords), byte_perplexity = exp(-Σll / Σbytes),
 * bits_per_byte = -Σll / Σbytes / ln 2.
 */
import { PY_SPACE } from '../util/pyStr.ts';

/** Python's len(re.split(r"\s+", doc)): \s is str.isspace()'s set; a leading or trailing run counts an empty word. */
const WORD_GAP = new RegExp(`[${PY_SPACE}]+`);
export function countWords(doc: string): number {
  return doc.split(WORD_GAP).length;
}

export interface DocumentLoglikelihood {
  loglikelihood: number;
  words: number;
  bytes: number;
}

export interface PerplexityMetrics {
  word_perplexity: number;
  byte_perplexity: number;
  bits_per_byte: number;
}

export function documentCounts(doc: string, loglikelihood: number): DocumentLoglikelihood {
  return { loglikelihood, words: countWords(doc), bytes: new TextEncoder().encode(doc).length };
}

export function perplexityMetrics(docs: readonly DocumentLoglikelihood[]): PerplexityMetrics {
  const ll = docs.reduce((a, d) => a + d.loglikelihood, 0);
  const words = docs.reduce((a, d) => a + d.words, 0);
  const bytes = docs.reduce((a, d) => a + d.bytes, 0);
  if (bytes === 0) throw new Error('perplexity of an empty text: give at least one character');
  return {
    word_perplexity: Math.exp(-ll / words),
    byte_perplexity: Math.exp(-ll / bytes),
    bits_per_byte: -ll / bytes / Math.LN2,
  };
}
