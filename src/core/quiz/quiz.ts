/**
 * A teacher's own quiz: multiple-choice questions (2-10 choices, one right), each with an optional
 * subject, and the description line its prompts start with. Pasted from a spreadsheet or read from
 * a CSV file (parseQuizTable), carried by a quiz link (quizLink.ts), run as a benchmark.
 */
export interface QuizQuestion {
  question: string;
  choices: string[];
  /** Index of the right choice. */
  answer: number;
  /** The row's subject ('' for none: the quiz's title stands in). */
  subject: string;
}

export interface Quiz {
  v: 1;
  title: string;
  /**
   * The line before the questions, as lm-eval's MMLU description: {subject} is replaced by the
   * question's subject (the title where a row has none).
   */
  description: string;
  questions: QuizQuestion[];
}

export const DEFAULT_DESCRIPTION = 'The following are multiple choice questions (with answers) about {subject}.';
export const MIN_CHOICES = 2;
export const MAX_CHOICES = 10;
export const MAX_QUESTIONS = 500;
export const MAX_FIELD = 2000;
export const LETTERS = 'ABCDEFGHIJ';

/** A problem with one cell (or a whole row: column null) of the pasted table, as a spreadsheet numbers it. */
export interface QuizProblem {
  row: number;
  column: string | null;
  message: string;
}

export class QuizError extends Error {
  constructor(
    message: string,
    readonly problems: QuizProblem[] = [],
  ) {
    super(message);
    this.name = 'QuizError';
  }
}

/** The subjects of a quiz, in first-appearance order (the title for rows without one). */
export function quizSubjects(q: Quiz): string[] {
  return [...new Set(q.questions.map((x) => subjectOf(q, x)))];
}

export function subjectOf(q: Quiz, x: QuizQuestion): string {
  return x.subject || q.title;
}

/** The description line of a subject's prompts, with lm-eval's blank line after it. */
export function descriptionFor(q: Quiz, subject: string): string {
  return `${q.description.replaceAll('{subject}', subject)}\n\n`;
}
