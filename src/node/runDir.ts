import { QUIZ_PREFIX, registerQuiz } from '../core/benchmarks/quiz/index.ts';
import { checkQuiz } from '../core/quiz/quizLink.ts';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Sample } from '../core/records.ts';
import type { RunOutput } from '../core/report/merge.ts';
import { validateResults, validateSample } from '../core/report/validate.ts';
import { decodeUtf8 } from '../core/util/utf8.ts';

/** A results.json path, or a folder holding one. */
export function resultsPath(arg: string): string {
  if (!existsSync(arg)) throw new Error(`${arg}: no such file or folder`);
  const file = statSync(arg).isDirectory() ? join(arg, 'results.json') : arg;
  if (!existsSync(file)) throw new Error(`${arg} holds no results.json`);
  return file;
}

export function readJsonFile(file: string): unknown {
  const text = decodeUtf8(readFileSync(file), file);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON: ${(e as Error).message}`);
  }
  registerResultsQuiz(v, file);
  return v;
}

/** A quiz run's results carry their quiz: registered, so the results read like any benchmark's. */
function registerResultsQuiz(v: unknown, file: string): void {
  const c = (v as { config?: { benchmark?: unknown; quiz?: unknown } } | null)?.config;
  if (typeof c?.benchmark !== 'string' || !c.benchmark.startsWith(QUIZ_PREFIX) || c.quiz === undefined) return;
  const b = registerQuiz(checkQuiz(c.quiz, `${file}: config.quiz`));
  if (b.id !== c.benchmark) throw new Error(`${file}: config.quiz is not the quiz ${c.benchmark} (changed?)`);
}

/**
 * A pagebench run's output folder (or its results.json): the results, checked against the schema,
 * and its samples_<subject>.jsonl, each line checked, in the subjects' order.
 */
export function readRunOutput(arg: string): RunOutput {
  const file = resultsPath(arg);
  const results = readJsonFile(file) as RunOutput['results'];
  if ((results as { config?: { engine?: string } }).config?.engine !== 'pagebench')
    throw new Error(`${file} was not written by pagebench (config.engine is not "pagebench")`);
  try {
    validateResults(results);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const dir = dirname(file);
  const present = new Set(readdirSync(dir));
  const samples: Sample[] = [];
  for (const subject of results.config.subjects) {
    const name = `samples_${subject}.jsonl`;
    if (!present.has(name)) throw new Error(`${dir} has no ${name} (results.json lists subject ${subject})`);
    const lines = decodeUtf8(readFileSync(join(dir, name)), name).split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let s: unknown;
      try {
        s = JSON.parse(line);
        validateSample(s);
      } catch (e) {
        throw new Error(`${join(dir, name)} line ${i + 1}: ${(e as Error).message}`);
      }
      samples.push(s as Sample);
    });
  }
  return { label: basename(dir) === '.' ? file : dir, results, samples };
}
