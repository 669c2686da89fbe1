import { deflateSync, inflateSync } from 'fflate';
import { quizHash } from '../benchmarks/quiz/index.ts';
import { checkQuiz } from '../quiz/quizLink.ts';
import { QuizError, type Quiz } from '../quiz/quiz.ts';
import { fromBase64Url, toBase64Url } from '../share/bits.ts';

/**
 * The class against the model: the presenter's join link carries the quiz and the session
 * (#/class/<text>); each student's device answers and shows an answer link carrying their answers
 * back (#/answers/<text>). Nothing is sent anywhere: the links travel by QR code, chat or paste.
 */
export interface ClassSession {
  v: 1;
  /** Random per class session: answers from another session are refused. */
  session: string;
  quiz: Quiz;
  /** Ask each student how sure they are. */
  askSure: boolean;
  created: number;
}

export interface AnswerSheet {
  v: 1;
  session: string;
  /** The quiz's content hash: answers to other questions are refused. */
  quiz: string;
  /** Random per student device and session: a second link from the same student is not counted twice. */
  student: string;
  nick: string;
  /** The choice picked per question (-1: not answered). */
  answers: number[];
  /** How sure, per question: 0 guessing, 1 fairly, 2 sure (-1: not asked or not said). */
  sure: number[];
}

export const SESSION_PREFIX = 'c1.';
export const ANSWERS_PREFIX = 'a1.';
const MAX_CHARS = 12_000;
const ID = /^[0-9a-f]{8,16}$/;

function pack(prefix: string, v: unknown): string {
  return prefix + toBase64Url(deflateSync(new TextEncoder().encode(JSON.stringify(v)), { level: 9 }));
}

function unpack(text: string, prefix: string, what: string, route: string): unknown {
  const t = text.trim().replace(new RegExp(`^.*#/${route}/`, 's'), '');
  if (t.length > MAX_CHARS) throw new QuizError(`the ${what} is too long`);
  if (!t.startsWith(prefix)) throw new QuizError(`this is not a pagebench ${what} (no "${prefix}" mark)`);
  try {
    const raw = inflateSync(fromBase64Url(t.slice(prefix.length)));
    if (raw.length > 4_000_000) throw new Error('too large');
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new QuizError(`the ${what} is damaged (cut short or changed)`);
  }
}

export function encodeSession(s: ClassSession): string {
  const text = pack(SESSION_PREFIX, s);
  if (text.length > MAX_CHARS)
    throw new QuizError(
      `this quiz is too large for a join link (${text.length} characters, at most ${MAX_CHARS}): use fewer or shorter questions`,
    );
  return text;
}

export function decodeSession(text: string): ClassSession {
  const v = unpack(text, SESSION_PREFIX, 'class quiz link', 'class') as Record<string, unknown> | null;
  if (!v || v.v !== 1 || typeof v.session !== 'string' || !ID.test(v.session))
    throw new QuizError('the class quiz link is not valid (its session)');
  if (typeof v.askSure !== 'boolean' || typeof v.created !== 'number')
    throw new QuizError('the class quiz link is not valid (its settings)');
  return {
    v: 1,
    session: v.session,
    quiz: checkQuiz(v.quiz, 'the class quiz link'),
    askSure: v.askSure,
    created: v.created,
  };
}

export function encodeAnswers(a: AnswerSheet): string {
  return pack(ANSWERS_PREFIX, a);
}

/** An answer link, checked on its own (its fit to a session is admitAnswers's). */
export function decodeAnswers(text: string): AnswerSheet {
  const v = unpack(text, ANSWERS_PREFIX, 'answer link', 'answers') as Record<string, unknown> | null;
  const bad = (what: string): never => {
    throw new QuizError(`the answer link's ${what} is not valid`);
  };
  if (!v || v.v !== 1) bad('version');
  const o = v as Record<string, unknown>;
  if (typeof o.session !== 'string' || !ID.test(o.session)) bad('session');
  if (typeof o.quiz !== 'string' || !/^[0-9a-f]{16}$/.test(o.quiz)) bad('quiz');
  if (typeof o.student !== 'string' || !ID.test(o.student)) bad('student');
  if (typeof o.nick !== 'string' || o.nick.length > 40) bad('nickname');
  const ints = (x: unknown, lo: number, hi: number) =>
    Array.isArray(x) && x.length <= 500 && x.every((k) => Number.isInteger(k) && k >= lo && k <= hi);
  if (!ints(o.answers, -1, 9)) bad('answers');
  if (!ints(o.sure, -1, 2) || (o.sure as number[]).length !== (o.answers as number[]).length) bad('sureness');
  return {
    v: 1,
    session: o.session as string,
    quiz: o.quiz as string,
    student: o.student as string,
    nick: o.nick as string,
    answers: [...(o.answers as number[])],
    sure: [...(o.sure as number[])],
  };
}

/** What the presenter's page says about an answer link it was given. */
export type Admission = { ok: true; sheet: AnswerSheet; note: string } | { ok: false; reason: string };

/**
 * Whether an answer link counts for this session: it must be one (undamaged), for this session and
 * quiz, answer each question with one of its choices, and come from a student not yet counted.
 * Never counts anyone twice: the same link again, or a second different one from the same student,
 * is refused with the reason (the first stays).
 */
export function admitAnswers(s: ClassSession, counted: readonly AnswerSheet[], text: string): Admission {
  let a: AnswerSheet;
  try {
    a = decodeAnswers(text);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  const who = a.nick ? `${a.nick}'s` : 'an';
  if (a.session !== s.session || a.quiz !== quizHash(s.quiz))
    return {
      ok: false,
      reason: `${who} answer link is for another class quiz (another session or other questions): not counted`,
    };
  if (a.answers.length !== s.quiz.questions.length)
    return {
      ok: false,
      reason: `${who} answer link has ${a.answers.length} answers for ${s.quiz.questions.length} questions: not counted`,
    };
  const out = a.answers.findIndex((k, i) => k >= s.quiz.questions[i]!.choices.length);
  if (out >= 0)
    return { ok: false, reason: `${who} answer link picks a choice question ${out + 1} does not have: not counted` };
  const same = counted.find((c) => c.student === a.student);
  if (same) {
    const identical =
      JSON.stringify(same.answers) === JSON.stringify(a.answers) &&
      JSON.stringify(same.sure) === JSON.stringify(a.sure);
    return {
      ok: false,
      reason: identical
        ? `${a.nick || 'this student'}: already counted (the same link again)`
        : `${a.nick || 'this student'} already sent answers; this second, different link is not counted (the first stays)`,
    };
  }
  const answered = a.answers.filter((k) => k >= 0).length;
  return { ok: true, sheet: a, note: `${a.nick || 'a student'}: ${answered} of ${a.answers.length} answered` };
}

/** A random id for a session or a student's device (crypto.getRandomValues: browsers and Node). */
export function randomId(): string {
  const b = new Uint8Array(6);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
