import type { PagebenchDB, StoredQuiz } from '../../storage/db.ts';
import { deleteQuiz, loadQuizzes, saveQuiz } from '../../storage/quizzes.ts';
import type { Quiz } from '../../core/quiz/quiz.ts';

/** The teacher's quizzes stored in this browser (each registered as a benchmark once loaded). */
export class QuizzesState {
  list = $state.raw<StoredQuiz[]>([]);

  constructor(private readonly db: PagebenchDB) {}

  async refresh(): Promise<void> {
    this.list = await loadQuizzes(this.db);
  }

  async save(quiz: Quiz): Promise<string> {
    const id = await saveQuiz(this.db, quiz);
    await this.refresh();
    return id;
  }

  async remove(id: string): Promise<void> {
    await deleteQuiz(this.db, id);
    await this.refresh();
  }

  get(id: string): StoredQuiz | undefined {
    return this.list.find((q) => q.id === id);
  }
}
