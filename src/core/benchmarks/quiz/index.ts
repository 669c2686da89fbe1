import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { DataError, type Doc } from '../doc.ts';
import type { Benchmark } from '../types.ts';
import { descriptionFor, quizSubjects, subjectOf, type Quiz } from '../../quiz/quiz.ts';

/**
 * A teacher's quiz as a benchmark: its subjects are the subsets, its questions the test split
 * (no few-shot pool: 0-shot only), scored with lm-eval's MMLU prompt whose description line is the
 * quiz's own. A quiz benchmark exists once its quiz is registered (read from a file, a link or the
 * page's storage); its id names the quiz's content (sha256), so a result says which quiz it scored.
 */
const QUIZZES = new Map<string, Benchmark>();

export const QUIZ_PREFIX = 'quiz:';

/** The quiz's content hash: the same questions, choices, answers, subjects, title and description → the same id. */
export function quizHash(q: Quiz): string {
  const canonical = JSON.stringify([
    q.v,
    q.title,
    q.description,
    q.questions.map((x) => [x.question, x.choices, x.answer, x.subject]),
  ]);
  return bytesToHex(sha256(new TextEncoder().encode(canonical))).slice(0, 16);
}

/** A subject's subset id: lower-case letters, digits and underscores (it names the samples file), unique in the quiz. */
function subsetIds(subjects: string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const s of subjects) {
    const base =
      s
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '') || 'subject';
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(s, id);
  }
  return ids;
}

/** Where each question of the quiz is scored: its subset and doc_id, as the quiz's runs store them. */
export function quizDocKeys(quiz: Quiz): { subject: string; docId: number }[] {
  const ids = subsetIds(quizSubjects(quiz));
  const seen = new Map<string, number>();
  return quiz.questions.map((q) => {
    const subject = ids.get(subjectOf(quiz, q))!;
    const docId = seen.get(subject) ?? 0;
    seen.set(subject, docId + 1);
    return { subject, docId };
  });
}

export function quizBenchmark(quiz: Quiz): Benchmark {
  const hash = quizHash(quiz);
  const subjects = quizSubjects(quiz);
  const ids = subsetIds(subjects);
  const nameOf = new Map([...ids].map(([name, id]) => [id, name]));
  const docs = new Map<string, Doc[]>();
  for (const q of quiz.questions) {
    const subset = ids.get(subjectOf(quiz, q))!;
    const list = docs.get(subset) ?? [];
    list.push({
      subject: subset,
      split: 'test',
      docId: list.length,
      question: q.question,
      choices: [...q.choices],
      answer: q.answer,
    });
    docs.set(subset, list);
  }
  const subsets = [...ids.values()];
  return {
    id: `${QUIZ_PREFIX}${hash}`,
    label: quiz.title,
    dataset: `${QUIZ_PREFIX}${hash}`,
    subsets,
    splits: ['test'],
    lmEvalSplits: { training: null, validation: null, test: 'test', fewshot: null },
    fewshot: { sampler: 'first_n' },
    templates: ['lm-eval'],
    defaultTemplate: 'lm-eval',
    defaultSubsets: subsets,
    load: async (_src, subset, split, shots) => {
      if (shots > 0) throw new DataError(`a quiz has no few-shot examples: run it 0-shot (asked for ${shots})`);
      const questions = docs.get(subset);
      if (!questions || split !== 'test')
        throw new DataError(`the quiz "${quiz.title}" has no subject ${subset} in split ${split}`);
      return { subject: subset, questions, dev: [] };
    },
    describeData: () => `quiz "${quiz.title}" (${quiz.questions.length} questions, sha256 ${hash})`,
    datasetName: (subset) => nameOf.get(subset) ?? subset,
    splitName: () => 'test',
    taskName: (_t, subset) => `quiz_${subset}`,
    groups: (_t, chosen) => (chosen.length > 1 ? [{ name: 'quiz', alias: quiz.title, subsets: chosen }] : []),
    subsetName: (subset) => nameOf.get(subset) ?? subset,
    description: (subset) => descriptionFor(quiz, nameOf.get(subset) ?? subset),
    quiz,
  };
}

/** Makes a quiz runnable by id (getBenchmark finds it) and returns its benchmark. */
export function registerQuiz(quiz: Quiz): Benchmark {
  const b = quizBenchmark(quiz);
  QUIZZES.set(b.id, b);
  return b;
}

export function registeredQuiz(id: string): Benchmark | undefined {
  return QUIZZES.get(id);
}
