import { quizDocKeys, quizHash, QUIZ_PREFIX, registerQuiz } from '../benchmarks/quiz/index.ts';
import { QuizError, type Quiz } from '../quiz/quiz.ts';
import { linkedPicks } from '../share/open.ts';
import { decodePayload } from '../share/payload.ts';
import type { ModelAnswer } from './classStats.ts';

/**
 * The model's answers from a full result link of a run of the quiz (someone else's device, another
 * model): each question's pick, matched to the quiz's questions through the run's data hash. A link
 * carries picks, not probabilities.
 */
export async function modelFromLink(
  link: string,
  quiz: Quiz,
): Promise<{ answers: (ModelAnswer | null)[]; label: string }> {
  const b = registerQuiz(quiz);
  const p = decodePayload(link);
  if (p.config.benchmark !== `${QUIZ_PREFIX}${quizHash(quiz)}`)
    throw new QuizError(`this result link is of another benchmark or quiz, not of "${quiz.title}"`);
  if (!p.picks) throw new QuizError("a summary link carries no per-question picks: share the run's full link");
  const data = await Promise.all(p.config.subjects.map((s) => b.load(undefined!, s, 'test', 0)));
  const picks = await linkedPicks(p, data);
  const by = Object.fromEntries(picks.map((x) => [`${x.subject}#${x.doc_id}`, x.pred]));
  return {
    answers: quizDocKeys(quiz).map((k) => {
      const pick = by[`${k.subject}#${k.docId}`];
      return pick === undefined ? null : { probs: null, pick };
    }),
    label: `${p.config.model} (${p.config.dtype}, from a link)`,
  };
}
