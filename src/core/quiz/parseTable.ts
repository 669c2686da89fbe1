import Papa from 'papaparse';
import { pyStrip } from '../util/pyStr.ts';
import {
  DEFAULT_DESCRIPTION,
  LETTERS,
  MAX_CHOICES,
  MAX_FIELD,
  MAX_QUESTIONS,
  MIN_CHOICES,
  QuizError,
  type Quiz,
  type QuizProblem,
  type QuizQuestion,
} from './quiz.ts';

/**
 * A quiz from a table with a header row: a `question` column, an `answer` column (the right
 * choice's letter, or its text), an optional `subject` column, and every other column a choice, in
 * order (A, B, C, … or any names; a row may leave its last choices empty). Tab-separated text (a
 * spreadsheet's copy) or CSV (comma or semicolon, RFC 4180 quotes). Every row is checked; one bad
 * cell refuses the whole table, naming each problem's row and column as the spreadsheet shows them
 * (the header is row 1).
 */
export function parseQuizTable(text: string, title: string, description = DEFAULT_DESCRIPTION): Quiz {
  const body = text.replace(/^\uFEFF/, '');
  if (pyStrip(body) === '') throw new QuizError('the table is empty: paste a header row and at least one question');
  const firstLine = body.split(/\r?\n/, 1)[0]!;
  const parsed = Papa.parse<string[]>(body, {
    header: false,
    skipEmptyLines: 'greedy',
    ...(firstLine.includes('\t') ? { delimiter: '\t' } : {}),
  });
  const records = parsed.data;
  const problems: QuizProblem[] = [];
  for (const e of parsed.errors)
    if (e.row !== undefined && e.type !== 'Delimiter')
      problems.push({ row: e.row + 1, column: null, message: `unreadable row (${e.message})` });
  const header = (records[0] ?? []).map((h) => pyStrip(h));
  const lower = header.map((h) => h.toLowerCase());
  const qCol = lower.indexOf('question');
  const aCol = lower.indexOf('answer');
  const sCol = lower.indexOf('subject');
  const missing = [qCol < 0 ? '"question"' : '', aCol < 0 ? '"answer"' : ''].filter(Boolean);
  if (missing.length)
    throw new QuizError(
      `row 1 (the header) has no ${missing.join(' or ')} column: name the columns question, A, B, C, …, answer (and optionally subject)`,
      [{ row: 1, column: null, message: `no ${missing.join(' or ')} column` }],
    );
  const choiceCols = header.map((_, i) => i).filter((i) => i !== qCol && i !== aCol && i !== sCol);
  if (choiceCols.length < MIN_CHOICES)
    throw new QuizError(
      `row 1 (the header) names ${choiceCols.length} choice column(s): a quiz needs at least ${MIN_CHOICES}`,
      [{ row: 1, column: null, message: 'too few choice columns' }],
    );
  if (choiceCols.length > MAX_CHOICES)
    throw new QuizError(`row 1 (the header) names ${choiceCols.length} choice columns: at most ${MAX_CHOICES}`, [
      { row: 1, column: null, message: 'too many choice columns' },
    ]);
  const rows = records.slice(1);
  if (rows.length === 0) throw new QuizError('the table has a header but no questions');
  if (rows.length > MAX_QUESTIONS)
    throw new QuizError(`the table has ${rows.length} questions: a quiz holds at most ${MAX_QUESTIONS}`);

  const questions: QuizQuestion[] = [];
  rows.forEach((rec, i) => {
    const row = i + 2;
    const bad = (column: string | null, message: string) => problems.push({ row, column, message });
    if (rec.length > header.length)
      return bad(null, `${rec.length} cells, but the header names ${header.length} columns`);
    const cell = (c: number) => pyStrip(rec[c] ?? '');
    for (let c = 0; c < rec.length; c++)
      if ((rec[c] ?? '').length > MAX_FIELD) return bad(header[c]!, `longer than ${MAX_FIELD} characters`);
    const question = cell(qCol);
    if (!question) return bad(header[qCol]!, 'the question is empty');
    const cells = choiceCols.map(cell);
    const last = cells.findLastIndex((c) => c !== '');
    const choices = cells.slice(0, last + 1);
    const gap = choices.findIndex((c) => c === '');
    if (gap >= 0) return bad(header[choiceCols[gap]!]!, 'an empty choice before a filled one');
    if (choices.length < MIN_CHOICES)
      return bad(
        header[choiceCols[Math.max(0, choices.length)]!]!,
        `${choices.length} choice(s): a question needs at least ${MIN_CHOICES}`,
      );
    if (new Set(choices).size !== choices.length) return bad(null, 'two choices have the same text');
    const given = cell(aCol);
    const answer = answerIndex(given, choices);
    if (answer === null)
      return bad(
        header[aCol]!,
        given === ''
          ? 'the answer is empty'
          : `"${given}" is neither a letter of the ${choices.length} choices (A–${LETTERS[choices.length - 1]}) nor one of their texts`,
      );
    questions.push({ question, choices, answer, subject: sCol >= 0 ? cell(sCol) : '' });
  });
  if (problems.length) {
    problems.sort((a, b) => a.row - b.row);
    const shown = problems
      .slice(0, 5)
      .map((p) => `row ${p.row}${p.column ? `, column "${p.column}"` : ''}: ${p.message}`);
    throw new QuizError(
      `${shown.join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''} — nothing was imported`,
      problems,
    );
  }
  return { v: 1, title: pyStrip(title) || 'My quiz', description, questions };
}

/** A letter (any case, optionally with ")" or ".") within the row's choices, else a choice's exact text. */
function answerIndex(given: string, choices: string[]): number | null {
  const letter = /^([A-Ja-j])[).]?$/.exec(given)?.[1];
  if (letter) {
    const i = LETTERS.indexOf(letter.toUpperCase());
    // a one-letter choice text ("a", "b") matches as text only where it is not a letter in range
    if (i < choices.length) return i;
  }
  const t = choices.indexOf(given);
  return t >= 0 ? t : null;
}
