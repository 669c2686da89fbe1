/**
 * GSM8K's answer extraction and scoring as lm-eval runs them, in Python's `re` semantics:
 * - v0.4.2–v0.4.12 (`gsm8k` version 3.0, lm_eval/tasks/gsm8k/gsm8k.yaml): the generation is cut
 *   at each `until` term in turn, two filters pick the answer (`strict-match`: the first
 *   "#### <number>"; `flexible-extract`: the last number-like run), and `exact_match` compares
 *   it with the whole reference answer after both go through the same regexes_to_ignore and
 *   lower-casing (lm_eval/filters/extraction.py RegexFilter, lm_eval/api/metrics.py exact_match);
 * - the v1 leaderboard's harness (b281b09 lm_eval/tasks/gsm8k.py): the first "#### <number>" of
 *   both, stripped and without commas, compared as strings (`acc`).
 */
import { pyStrip } from '../../util/pyStr.ts';

/** What RegexFilter gives when nothing matches. */
export const INVALID = '[invalid]';

/** lm-eval 0.4.12's stop terms for gsm8k (the model's EOS string is added where it is not one of them). */
export const GSM8K_UNTIL = ['Question:', '</s>', '<|im_end|>'] as const;
/** The v1 harness's stop terms (before its EOS string). */
export const GSM8K_V1_UNTIL = [':', 'Question:', 'Question'] as const;

/**
 * lm-eval's cut of a generation at its stop strings: `for term in until: s = s.split(term)[0]`,
 * term by term in order (not the earliest of all: a later term may straddle an earlier cut).
 */
export function cutAtStops(text: string, until: readonly string[]): string {
  let s = text;
  for (const term of until) if (term.length > 0) s = s.split(term)[0]!;
  return s;
}

// No `u` flag: `\,` is an invalid escape under it (Python accepts it as ",").
const STRICT = /#### (-?[0-9.,]+)/g;
const FLEXIBLE = /(-?[$0-9.,]{2,})|(-?[0-9]+)/g;

/** The `strict-match` filter: re.findall's first match, stripped; "[invalid]" when none. */
export function strictMatch(response: string): string {
  const first = response.matchAll(STRICT).next();
  return first.done ? INVALID : pyStrip(first.value[1]!);
}

/**
 * The `flexible-extract` filter: findall's last match (group_select -1) of a two-group pattern
 * gives a tuple, of which the first non-empty group is taken, stripped.
 */
export function flexibleExtract(response: string): string {
  let last: RegExpMatchArray | undefined;
  for (const m of response.matchAll(FLEXIBLE)) last = m;
  if (!last) return INVALID;
  const group = last[1] || last[2];
  return group ? pyStrip(group) : INVALID;
}

/**
 * exact_match's normalization of a prediction or reference: each of regexes_to_ignore removed
 * with re.sub in order — ",", "\$", "(?s).*#### " (everything up to the last "#### "), "\.$"
 * (Python's $ also matches before a final newline) — then lower-cased (ignore_case).
 */
export function normalizeExactMatch(s: string): string {
  return s
    .replace(/,/g, '')
    .replace(/\$/g, '')
    .replace(/[\s\S]*#### /, '')
    .replace(/\.(?=\n?$)/, '')
    .toLowerCase();
}

/** lm-eval's exact_match of one prediction against one reference (1 or 0). */
export function exactMatch(prediction: string, reference: string): number {
  return normalizeExactMatch(prediction) === normalizeExactMatch(reference) ? 1 : 0;
}

/** The v1 harness's _extract_answer: the first "#### <number>", stripped, commas removed. */
export function legacyExtract(completion: string): string {
  const first = completion.matchAll(STRICT).next();
  return first.done ? INVALID : pyStrip(first.value[1]!).replace(/,/g, '');
}

/** One generation's answer and exact_match under each of lm-eval's filters (strict-match, flexible-extract). */
export interface Gsm8kScore {
  strict: { extracted: string; exact_match: number };
  flexible: { extracted: string; exact_match: number };
}

/** Scores a generation already cut at its stops against the dataset's full answer. */
export function scoreGsm8k(response: string, answer: string): Gsm8kScore {
  const strict = strictMatch(response);
  const flexible = flexibleExtract(response);
  return {
    strict: { extracted: strict, exact_match: exactMatch(strict, answer) },
    flexible: { extracted: flexible, exact_match: exactMatch(flexible, answer) },
  };
}

/** The v1 harness's acc of a generation cut at its stops: the two extractions equal. */
export function scoreGsm8kV1(completion: string, answer: string): number {
  return legacyExtract(completion) === legacyExtract(answer) ? 1 : 0;
}
