export type Split = 'dev' | 'val' | 'test';
export const LETTERS = ['A', 'B', 'C', 'D'] as const;

/** One MMLU question, the same whichever format it was loaded from. */
export interface Question {
  subject: string;
  split: Split;
  /** Row index within the split's file, as lm-eval's doc_id. */
  docId: number;
  question: string;
  choices: [string, string, string, string];
  /** Index of the correct choice, 0-3. */
  answer: number;
}

/** A problem found in a data file; never scored. */
export interface RowProblem {
  file: string;
  /** 0-based data row (CSV line records / parquet rows). */
  row: number;
  message: string;
}

export class DataError extends Error {
  constructor(
    message: string,
    readonly problems: RowProblem[] = [],
  ) {
    super(message);
    this.name = 'DataError';
  }
}

/** The split name cais/mmlu uses on the hub for our split. */
export function hubSplitName(split: Split): string {
  return split === 'val' ? 'validation' : split;
}
