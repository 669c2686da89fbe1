import Papa from 'papaparse';
import { parquetReadObjects } from 'hyparquet';
import { DataError, LETTERS, type Question, type RowProblem, type Split } from './question.ts';

export interface ParsedFile {
  questions: Question[];
  problems: RowProblem[];
}

interface RawRow {
  question: unknown;
  choices: unknown[];
  answer: number | null;
}

function checkRow(file: string, row: number, raw: RawRow, subject: string, split: Split): Question | RowProblem {
  const problem = (message: string): RowProblem => ({ file, row: row + 1, message });
  if (typeof raw.question !== 'string' || raw.question.trim() === '') return problem('empty question');
  if (raw.choices.length !== 4) return problem(`expected 4 choices, found ${raw.choices.length}`);
  for (let i = 0; i < 4; i++) {
    const c = raw.choices[i];
    if (typeof c !== 'string' || c.trim() === '') return problem(`empty choice ${LETTERS[i]}`);
  }
  if (raw.answer === null) return problem('answer is not one of A, B, C, D (or 0-3)');
  return {
    subject,
    split,
    docId: row,
    question: raw.question,
    choices: raw.choices as Question['choices'],
    answer: raw.answer,
  };
}

/** Rejects a file in which no row, or fewer than half of the rows, is a valid MMLU question. */
function finish(file: string, total: number, items: (Question | RowProblem)[], why: string): ParsedFile {
  const questions: Question[] = [];
  const problems: RowProblem[] = [];
  for (const it of items) ('message' in it ? problems : questions).push(it as never);
  if (total === 0) throw new DataError(`${file}: not an MMLU file: it has no rows`);
  if (questions.length === 0 || problems.length * 2 > total) {
    const first = problems[0];
    throw new DataError(
      `${file}: not an MMLU file: ${problems.length} of ${total} rows are invalid (${why}); first: row ${first?.row}: ${first?.message}`,
      problems,
    );
  }
  return { questions, problems };
}

/**
 * The original release's CSV: no header; question, A, B, C, D, answer letter; RFC 4180 quoting.
 * Row numbers count records (a quoted field may span several lines).
 */
export function parseMmluCsv(text: string, file: string, subject: string, split: Split): ParsedFile {
  const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: false });
  const records = parsed.data;
  // A trailing newline yields one empty record at the end; it is not a row.
  while (records.length > 0) {
    const last = records[records.length - 1]!;
    if (last.length === 1 && last[0] === '') records.pop();
    else break;
  }
  const quoteErrors = new Map<number, string>();
  for (const e of parsed.errors) if (e.row !== undefined) quoteErrors.set(e.row, e.message);
  const items = records.map((rec, row) => {
    if (quoteErrors.has(row)) return { file, row: row + 1, message: `CSV error: ${quoteErrors.get(row)}` };
    if (rec.length !== 6)
      return { file, row: row + 1, message: `expected 6 columns (question, A, B, C, D, answer), found ${rec.length}` };
    const letter = rec[5]!.trim();
    const answer = (LETTERS as readonly string[]).indexOf(letter);
    return checkRow(
      file,
      row,
      { question: rec[0], choices: rec.slice(1, 5), answer: answer < 0 ? null : answer },
      subject,
      split,
    );
  });
  return finish(file, records.length, items, 'an MMLU CSV has 6 columns: question, A, B, C, D, answer letter');
}

/** cais/mmlu parquet: columns question, subject, choices (list of 4), answer (0-3). */
export async function parseMmluParquet(
  bytes: ArrayBuffer,
  file: string,
  subject: string,
  split: Split,
): Promise<ParsedFile> {
  let rows: Record<string, unknown>[];
  try {
    rows = (await parquetReadObjects({ file: bytes })) as Record<string, unknown>[];
  } catch (e) {
    throw new DataError(`${file}: not a readable parquet file: ${(e as Error).message}`);
  }
  if (rows.length > 0) {
    const missing = ['question', 'choices', 'answer'].filter((c) => !(c in rows[0]!));
    if (missing.length)
      throw new DataError(`${file}: not an MMLU parquet file: missing column(s) ${missing.join(', ')}`);
  }
  const items = rows.map((r, row) => {
    const a = typeof r.answer === 'bigint' ? Number(r.answer) : r.answer;
    const answer = typeof a === 'number' && Number.isInteger(a) && a >= 0 && a <= 3 ? a : null;
    const choices = Array.isArray(r.choices) ? r.choices : [];
    return checkRow(file, row, { question: r.question, choices, answer }, subject, split);
  });
  return finish(file, rows.length, items, 'an MMLU parquet row has question, choices[4], answer 0-3');
}
