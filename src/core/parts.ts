/**
 * A run split into parts (a classroom's devices, or scripts): part i of n scores one contiguous
 * slice of the run's questions in run order (subject by subject, document order), so the parts
 * together are the run and each keeps the few-shot prefix of its subjects.
 */
export type { Part } from './records.ts';
import type { Part } from './records.ts';

/** Where a part lies among the run's questions (positions in run order, end exclusive). */
export interface PartRange extends Part {
  start: number;
  end: number;
  total: number;
  /**
   * The whole run's subjects, in run order: the part's positions count over them, and its data
   * hash covers them (a part may score fewer). Absent in results written before it was recorded.
   */
  subjects?: string[];
}

export class PartError extends Error {}

export const MAX_PARTS = 1000;

/** "i/n" (1 ≤ i ≤ n ≤ 1000). */
export function parsePart(text: string): Part {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new PartError(`a part is written i/n (e.g. 2/3), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_PARTS)
    throw new PartError(`the number of parts must be 1 to ${MAX_PARTS}, got ${count}`);
  if (index < 1 || index > count) throw new PartError(`part ${index}/${count}: the index must be 1 to ${count}`);
  return { index, count };
}

/** The i-th of n near-equal contiguous slices of `total` questions. */
export function partRange(total: number, part: Part): PartRange {
  const start = Math.floor(((part.index - 1) * total) / part.count);
  const end = Math.floor((part.index * total) / part.count);
  return { ...part, start, end, total };
}
