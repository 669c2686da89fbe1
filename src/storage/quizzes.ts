import { registerQuiz } from '../core/benchmarks/quiz/index.ts';
import type { Quiz } from '../core/quiz/quiz.ts';
import type { PagebenchDB, StoredQuiz } from './db.ts';

/** Keeps a quiz in IndexedDB and makes it runnable here; returns its benchmark id. */
export async function saveQuiz(db: PagebenchDB, quiz: Quiz): Promise<string> {
  const id = registerQuiz(quiz).id;
  await db.put('quizzes', { id, quiz, savedAt: Date.now() });
  return id;
}

/** Every stored quiz, newest first, each registered as a benchmark (the page and the worker each keep their own registry). */
export async function loadQuizzes(db: PagebenchDB): Promise<StoredQuiz[]> {
  const all = await db.getAll('quizzes');
  for (const q of all) registerQuiz(q.quiz);
  return all.sort((a, b) => b.savedAt - a.savedAt);
}

export async function deleteQuiz(db: PagebenchDB, id: string): Promise<void> {
  await db.delete('quizzes', id);
}
