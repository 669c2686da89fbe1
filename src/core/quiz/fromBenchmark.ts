import type { SubjectData } from '../benchmarks/doc.ts';
import type { Benchmark } from '../benchmarks/types.ts';
import { DEFAULT_DESCRIPTION, MAX_CHOICES, MAX_FIELD, MIN_CHOICES, QuizError, type Quiz } from './quiz.ts';

/**
 * A benchmark's first questions (at most `limit` per subset, the run's) as a quiz (the class answers what the model answers): each keeps
 * its text, choices and answer as the dataset has them and its subset as the subject ("high school
 * biology", as lm-eval's MMLU description writes it), so a quiz of MMLU questions is scored with
 * MMLU's own prompts. Questions too long for a phone (and a link) are left out.
 */
export function quizOfDocs(b: Benchmark, data: readonly SubjectData[], count: number, limit?: number): Quiz {
  const docs = data
    .flatMap((d) => d.questions.slice(0, limit ?? d.questions.length))
    .filter(
      (q) =>
        q.choices.length >= MIN_CHOICES &&
        q.choices.length <= MAX_CHOICES &&
        q.question.length <= MAX_FIELD &&
        q.choices.every((c) => c.length > 0 && c.length <= MAX_FIELD),
    );
  if (docs.length === 0) throw new QuizError(`${b.label} has no multiple-choice questions to make a quiz of here`);
  const picked = docs.slice(0, Math.max(1, count));
  const names = [...new Set(picked.map((q) => b.subsetName(q.subject)))];
  const subject = (s: string) => s.replace(/_/g, ' ');
  return {
    v: 1,
    title: `${b.label}: ${names.join(', ')}`.slice(0, 200),
    description: DEFAULT_DESCRIPTION,
    questions: picked.map((q) => ({
      question: q.question,
      choices: [...q.choices],
      answer: q.answer,
      subject: subject(q.subject),
    })),
  };
}
