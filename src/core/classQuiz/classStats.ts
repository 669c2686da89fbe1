import type { Quiz } from '../quiz/quiz.ts';
import { subjectOf } from '../quiz/quiz.ts';
import type { AnswerSheet } from './links.ts';

/**
 * The model's answer to one question: its probability for each choice (softmax of the
 * log-likelihoods; null where only the pick is known, from a result link) and its pick.
 */
export interface ModelAnswer {
  probs: number[] | null;
  pick: number;
}

export interface QuestionStats {
  /** How many students picked each choice. */
  counts: number[];
  /** Students who answered it. */
  answered: number;
  /** Share of those who answered that picked the right choice (null: nobody answered). */
  classRight: number | null;
  model: ModelAnswer | null;
  /** Who did better on this question: the class (most of it right, the model wrong) or the model (the reverse). */
  winner: 'class' | 'model' | 'both' | 'neither' | null;
}

export interface ClassStats {
  students: number;
  /** Mean over students of their share right (unanswered questions count as wrong). */
  classAccuracy: number | null;
  modelAccuracy: number | null;
  questions: QuestionStats[];
  /** Per subject: the class's share of right answers and the model's accuracy. */
  subjects: { subject: string; questions: number; classAccuracy: number | null; modelAccuracy: number | null }[];
}

export function softmaxPick(lls: readonly number[]): ModelAnswer {
  const m = Math.max(...lls);
  const ex = lls.map((l) => Math.exp(l - m));
  const z = ex.reduce((a, b) => a + b, 0);
  let pick = 0;
  lls.forEach((l, i) => {
    if (l > lls[pick]!) pick = i;
  });
  return { probs: ex.map((e) => e / z), pick };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** The class beside the model, per question and per subject; `model[i]` is null where the model has no answer. */
export function classStats(
  quiz: Quiz,
  sheets: readonly AnswerSheet[],
  model: readonly (ModelAnswer | null)[] | null,
): ClassStats {
  const questions: QuestionStats[] = quiz.questions.map((q, i) => {
    const counts = q.choices.map(() => 0);
    for (const s of sheets) if (s.answers[i]! >= 0) counts[s.answers[i]!]!++;
    const answered = counts.reduce((a, b) => a + b, 0);
    const classRight = answered ? counts[q.answer]! / answered : null;
    const m = model?.[i] ?? null;
    const classWins = classRight !== null && classRight > 0.5;
    const modelWins = m !== null && m.pick === q.answer;
    const winner =
      classRight === null || m === null
        ? null
        : classWins && modelWins
          ? 'both'
          : classWins
            ? 'class'
            : modelWins
              ? 'model'
              : 'neither';
    return { counts, answered, classRight, model: m, winner };
  });
  const studentAcc = sheets.map(
    (s) => quiz.questions.filter((q, i) => s.answers[i] === q.answer).length / quiz.questions.length,
  );
  const modelRight =
    model && model.every((m) => m !== null)
      ? model.map((m, i) => (m!.pick === quiz.questions[i]!.answer ? 1 : 0))
      : null;
  const subjects = [...new Set(quiz.questions.map((q) => subjectOf(quiz, q)))].map((subject) => {
    const idx = quiz.questions.map((q, i) => (subjectOf(quiz, q) === subject ? i : -1)).filter((i) => i >= 0);
    const right = sheets.flatMap((s) => idx.map((i) => (s.answers[i] === quiz.questions[i]!.answer ? 1 : 0)));
    return {
      subject,
      questions: idx.length,
      classAccuracy: sheets.length ? mean(right) : null,
      modelAccuracy: modelRight ? mean(idx.map((i) => modelRight[i]!)) : null,
    };
  });
  return {
    students: sheets.length,
    classAccuracy: mean(studentAcc),
    modelAccuracy: modelRight ? mean(modelRight) : null,
    questions,
    subjects,
  };
}
