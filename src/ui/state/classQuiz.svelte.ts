import { quizDocKeys } from '../../core/benchmarks/quiz/index.ts';
import { classStats, softmaxPick, type ModelAnswer } from '../../core/classQuiz/classStats.ts';
import {
  admitAnswers,
  decodeSession,
  encodeSession,
  randomId,
  type AnswerSheet,
  type ClassSession,
} from '../../core/classQuiz/links.ts';
import type { Quiz } from '../../core/quiz/quiz.ts';
import type { Sample } from '../../core/records.ts';

const KEY = 'pagebench.classQuiz';

/** One answer link given to the presenter and what became of it. */
export interface Receipt {
  ok: boolean;
  message: string;
}

/**
 * The presenter's class quiz: the session, the answer links counted (kept in localStorage as the
 * links themselves, so a reload re-admits them the same way), what each link given became, and the
 * model's answers from a run of the quiz.
 */
export class ClassQuizState {
  session = $state.raw<ClassSession | null>(null);
  sheets = $state.raw<AnswerSheet[]>([]);
  receipts = $state.raw<Receipt[]>([]);
  /** Per question, the model's answer (from a run's samples), or null. */
  model = $state.raw<(ModelAnswer | null)[] | null>(null);
  private links: string[] = [];

  constructor(private readonly storage: Storage = localStorage) {
    try {
      const saved = JSON.parse(storage.getItem(KEY) ?? 'null') as { session?: string; links?: string[] } | null;
      if (saved?.session) {
        this.session = decodeSession(saved.session);
        for (const l of saved.links ?? []) this.admit(l, false);
        this.receipts = [];
      }
    } catch {
      // a saved session that no longer reads is dropped
    }
  }

  get stats() {
    return this.session ? classStats(this.session.quiz, this.sheets, this.model) : null;
  }

  get joinText(): string | null {
    return this.session ? encodeSession(this.session) : null;
  }

  /** Starts a class quiz (a quiz too large for a join link throws, naming the limit). */
  start(quiz: Quiz, askSure: boolean): void {
    const session: ClassSession = { v: 1, session: randomId(), quiz, askSure, created: Date.now() };
    encodeSession(session);
    this.session = session;
    this.sheets = [];
    this.receipts = [];
    this.links = [];
    this.model = null;
    this.save();
  }

  end(): void {
    this.session = null;
    this.sheets = [];
    this.receipts = [];
    this.links = [];
    this.model = null;
    this.storage.removeItem(KEY);
  }

  /** Every answer link in a text (pasted, or a file's), each admitted or refused with its reason. */
  addText(text: string): void {
    const found = text.match(/(?:\S*#\/answers\/)?a1\.[A-Za-z0-9_-]+/g) ?? [];
    if (found.length === 0 && text.trim())
      this.receipts = [...this.receipts, { ok: false, message: 'no answer link found in what was given' }];
    for (const link of found) this.admit(link, true);
  }

  private admit(link: string, record: boolean): void {
    if (!this.session) return;
    const a = admitAnswers(this.session, this.sheets, link);
    if (a.ok) {
      this.sheets = [...this.sheets, a.sheet];
      this.links.push(link);
      this.save();
    }
    if (record) this.receipts = [...this.receipts, { ok: a.ok, message: a.ok ? `counted — ${a.note}` : a.reason }];
  }

  /** Where the model's answers come from ('' for none). */
  modelLabel = $state('');

  /** The model's answers from a full result link of the quiz (picks only). */
  useAnswers(answers: (ModelAnswer | null)[], label: string): void {
    this.model = answers;
    this.modelLabel = label;
  }

  /** The model's answers from a run of this quiz (its samples), or none. */
  useRun(samples: readonly Sample[] | null): void {
    if (!this.session || !samples) {
      this.model = null;
      return;
    }
    const by = Object.fromEntries(samples.map((s) => [`${s.subject}#${s.doc_id}`, s]));
    this.model = quizDocKeys(this.session.quiz).map((k) => {
      const s = by[`${k.subject}#${k.docId}`];
      return s?.loglikelihoods.length ? softmaxPick(s.loglikelihoods) : null;
    });
  }

  private save(): void {
    if (this.session) this.storage.setItem(KEY, JSON.stringify({ session: this.joinText, links: this.links }));
  }
}
