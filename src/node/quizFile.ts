import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { checkQuiz } from '../core/quiz/quizLink.ts';
import { parseQuizTable } from '../core/quiz/parseTable.ts';
import { QuizError, type Quiz } from '../core/quiz/quiz.ts';
import { decodeUtf8 } from '../core/util/utf8.ts';

/**
 * A quiz file for `--benchmark quiz --data <file>`: the page's quiz file (.json: title, description
 * and questions, as the page saves it) or a table (.csv / .tsv / .txt with a header row, as pasted
 * in the page; its title is the file's name).
 */
export function readQuizFile(path: string): Quiz {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new QuizError(
      `${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such quiz file' : (e as Error).message}`,
    );
  }
  const text = decodeUtf8(bytes, path);
  try {
    if (extname(path).toLowerCase() === '.json') {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        throw new QuizError("not JSON: a quiz file is the page's .json or a CSV table");
      }
      return checkQuiz(v, 'the quiz file');
    }
    return parseQuizTable(text, basename(path, extname(path)));
  } catch (e) {
    if (e instanceof QuizError) throw new QuizError(`${path}: ${e.message}`, e.problems);
    throw e;
  }
}
