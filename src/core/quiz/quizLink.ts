import { deflateSync, inflateSync } from 'fflate';
import { fromBase64Url, toBase64Url } from '../share/bits.ts';
import { LETTERS, MAX_CHOICES, MAX_FIELD, MAX_QUESTIONS, MIN_CHOICES, QuizError, type Quiz } from './quiz.ts';

/**
 * A quiz link (#/quiz/<text>) carries the quiz itself, deflated: students and colleagues open the
 * same questions with no server. Past MAX_LINK_CHARS a link is refused (browsers, chat apps and QR
 * codes choke on longer ones): share the quiz file instead.
 */
const PREFIX = 'q1.';
export const MAX_LINK_CHARS = 8000;

export function encodeQuiz(q: Quiz): string {
  const text = PREFIX + toBase64Url(deflateSync(new TextEncoder().encode(JSON.stringify(q)), { level: 9 }));
  if (text.length > MAX_LINK_CHARS)
    throw new QuizError(
      `this quiz is too large for a link (${text.length} characters, at most ${MAX_LINK_CHARS}): share the quiz file instead`,
    );
  return text;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown, max: number, empty = false): v is string =>
  typeof v === 'string' && (empty || v.length > 0) && v.length <= max;

/** A quiz from untrusted input (a link, a file), checked field by field; QuizError says what is wrong. */
export function checkQuiz(v: unknown, what: string): Quiz {
  const bad = (field: string): never => {
    throw new QuizError(`${what}: its ${field} is not valid`);
  };
  if (!isObj(v) || v.v !== 1) bad('version');
  const o = v as Record<string, unknown>;
  if (!text(o.title, 200)) bad('title');
  if (!text(o.description, 500, true)) bad('description');
  if (!Array.isArray(o.questions) || o.questions.length === 0 || o.questions.length > MAX_QUESTIONS)
    bad('question list');
  const questions = (o.questions as unknown[]).map((x, i) => {
    const n = `question ${i + 1}`;
    if (!isObj(x)) return bad(n);
    if (!text(x.question, MAX_FIELD)) bad(`${n} text`);
    if (!Array.isArray(x.choices) || x.choices.length < MIN_CHOICES || x.choices.length > MAX_CHOICES)
      bad(`${n} choices`);
    if (!(x.choices as unknown[]).every((c) => text(c, MAX_FIELD))) bad(`${n} choices`);
    const k = (x.choices as string[]).length;
    if (typeof x.answer !== 'number' || !Number.isInteger(x.answer) || x.answer < 0 || x.answer >= k)
      bad(`${n} answer (A–${LETTERS[k - 1]})`);
    if (!text(x.subject, 200, true)) bad(`${n} subject`);
    return {
      question: x.question as string,
      choices: [...(x.choices as string[])],
      answer: x.answer as number,
      subject: x.subject as string,
    };
  });
  return { v: 1, title: o.title as string, description: o.description as string, questions };
}

export function decodeQuiz(link: string): Quiz {
  const t = link.trim().replace(/^.*#\/quiz\//s, '');
  if (t.length > MAX_LINK_CHARS) throw new QuizError('the quiz link is too long');
  if (!t.startsWith(PREFIX)) throw new QuizError('this is not a pagebench quiz link (no "q1." mark)');
  let v: unknown;
  try {
    const raw = inflateSync(fromBase64Url(t.slice(PREFIX.length)));
    if (raw.length > 4_000_000) throw new Error('too large');
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new QuizError('the quiz link is damaged (cut short or changed)');
  }
  return checkQuiz(v, 'the quiz link');
}
