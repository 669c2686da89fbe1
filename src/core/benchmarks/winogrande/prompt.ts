/**
 * Winogrande as lm-eval scores it (lm_eval/tasks/winogrande/default.yaml and
 * preprocess_winogrande.py, v0.4.12; the "multiple input" path of ConfigurableTask): partial
 * scoring. Each option fills the blank to make its own context — the sentence up to the "_" with
 * the option in its place — and every context scores the same continuation, " " + the text after
 * the blank, stripped. A shot is its correct context, " ", its continuation and "\n\n".
 */
import { pyStrip } from '../../util/pyStr.ts';

/** A row of allenai/winogrande (winogrande_xl): answer "1" or "2" ("" in the unlabelled test split). */
export interface WinograndeRow {
  sentence: string;
  option1: string;
  option2: string;
  answer: string;
}

export interface WinograndeDoc {
  /** The sentence before the blank with each option in its place (lm-eval's doc_to_choice). */
  contexts: [string, string];
  /** The text after the blank, stripped (doc_to_target). */
  continuation: string;
  /** Which context is right (doc_to_text: {"1": 0, "2": 1}). */
  gold: 0 | 1;
}

/** A row as lm-eval reads it, or why it cannot be scored (no blank, several, an answer not 1 or 2). */
export function winograndeDoc(row: WinograndeRow): WinograndeDoc | string {
  const idx = row.sentence.indexOf('_');
  if (idx < 0) return 'the sentence has no blank "_"';
  if (row.sentence.indexOf('_', idx + 1) >= 0)
    return 'the sentence has more than one "_" (lm-eval fills the first; the rest would be scored as text)';
  if (row.answer !== '1' && row.answer !== '2') return `answer is ${JSON.stringify(row.answer)}, not "1" or "2"`;
  const before = row.sentence.slice(0, idx);
  return {
    contexts: [before + row.option1, before + row.option2],
    continuation: pyStrip(row.sentence.slice(idx + 1)),
    gold: row.answer === '1' ? 0 : 1,
  };
}

/** The shots' text: each shot's correct context, the target delimiter, its continuation, "\n\n". */
export function winograndeShots(shots: readonly WinograndeDoc[]): string {
  return shots.map((s) => `${s.contexts[s.gold]} ${s.continuation}\n\n`).join('');
}

/** The two requests of a document after its shots: (context, continuation) for each option. */
export function winograndeRequests(doc: WinograndeDoc, shots: readonly WinograndeDoc[]): [string, string][] {
  const prefix = winograndeShots(shots);
  return doc.contexts.map((c) => [prefix + c, ' ' + doc.continuation] as [string, string]);
}
