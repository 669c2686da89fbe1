import { didYouMean } from '../util/suggest.ts';

/** A label set for lettered templates: the labels shown before the choices and scored as answers. */
export interface LabelSet {
  id: string;
  labels: readonly string[];
  /** One choice line of the prompt. */
  line(label: string, text: string): string;
}

const dotted = (id: string, labels: string[]): LabelSet => ({ id, labels, line: (l, t) => `${l}. ${t}` });

// Adding a label set is adding an entry here.
export const LABEL_SETS: Record<string, LabelSet> = {
  ABCD: dotted('ABCD', ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J']),
  abcd: dotted('abcd', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']),
  '1234': dotted('1234', ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']),
  '(A)': {
    id: '(A)',
    labels: ['(A)', '(B)', '(C)', '(D)', '(E)', '(F)', '(G)', '(H)', '(I)', '(J)'],
    line: (l, t) => `${l} ${t}`,
  },
};
export const LABEL_SET_IDS = Object.keys(LABEL_SETS);

export function getLabelSet(id: string): LabelSet {
  const s = LABEL_SETS[id];
  if (!s)
    throw new Error(
      `unknown label set "${id}"${didYouMean(id, LABEL_SET_IDS)} (expected one of: ${LABEL_SET_IDS.join(', ')})`,
    );
  return s;
}
