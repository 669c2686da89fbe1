import { distance } from 'fastest-levenshtein';

/**
 * The valid names closest to a misspelled one (edit distance at most a third of its length, at
 * least 2), best first: "did you mean …" for unknown subjects, templates, options and commands.
 */
export function nearest(input: string, candidates: readonly string[], max = 3): string[] {
  const limit = Math.max(2, Math.ceil(input.length / 3));
  return candidates
    .map((c) => ({ c, d: distance(input.toLowerCase(), c.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}

/** " (did you mean a or b?)", or "" when nothing is close. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const near = nearest(input, candidates);
  return near.length ? ` (did you mean ${near.join(' or ')}?)` : '';
}

/** A comma-separated list from the CLI or the page, trimmed, empties dropped. */
export function commaList(s: string): string[] {
  return s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}
