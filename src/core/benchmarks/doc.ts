/**
 * One evaluated document of any benchmark, the same whichever format it was loaded from: an MMLU
 * question, an ARC question, a HellaSwag context. `subject` is the subset it belongs to (an MMLU
 * subject, an ARC config) and names its samples file.
 */
export interface Question {
  subject: string;
  split: string;
  /** Row index within the split's file, as lm-eval's doc_id. */
  docId: number;
  /** The text the templates format (for HellaSwag: lm-eval's preprocessed query). */
  question: string;
  /** Any number of choices (MMLU 4, ARC 3-5). */
  choices: string[];
  /** Index of the correct choice. */
  answer: number;
  /** Benchmark-specific fields carried into the sample (e.g. MMLU-Redux's error_type). */
  extra?: Record<string, string>;
  /** TruthfulQA mc2: each choice's label (1 true, 0 false), for the probability mass on the true ones. */
  labels?: number[];
  /**
   * The source row's content, for lm-eval's whole-dict equality (`x != doc` when the sampler drops
   * the evaluated document) where rows carry no id (Winogrande): two rows with the same fields are
   * the same document there.
   */
  content?: string;
}

/** The generic name: a document of a benchmark (lm-eval's doc, lighteval's Doc). */
export type Doc = Question;

/** A subset's documents of the eval split and its few-shot pool. */
export interface SubjectData {
  subject: string;
  questions: Doc[];
  /** The few-shot split (MMLU's dev), in file order. */
  dev: Doc[];
}

/** A problem found in a data file; never scored. */
export interface RowProblem {
  file: string;
  /** The data row as a spreadsheet counts it: 1 for the first (CSV records, parquet rows, JSON lines). */
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
