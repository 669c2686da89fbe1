export { DataError, type Doc, type Question, type RowProblem } from '../doc.ts';

export type Split = 'dev' | 'val' | 'test';
export const LETTERS = ['A', 'B', 'C', 'D'] as const;

/** The split name cais/mmlu uses on the hub for our split. */
export function hubSplitName(split: Split): string {
  return split === 'val' ? 'validation' : split;
}
