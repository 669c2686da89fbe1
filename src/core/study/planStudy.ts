import type { SubjectData } from '../benchmarks/doc.ts';
import { makeFits } from '../prompts.ts';
import type { Encode } from '../scoring/requests.ts';
import { prefixGroupKey, type Variant } from './axes.ts';
import type { ApplyChat } from '../templates/chat.ts';
import { variantPrompts } from './variantPrompts.ts';

/** What a study costs beside one plain run of the same questions, counted from the tokenizer. */
export interface StudyPlan {
  variants: number;
  /** Questions per variant. */
  questions: number;
  /**
   * Tokens the study computes for the questions (each subject's shared prefix aside: both compute
   * it once) over those of one plain run: the stems variants share are counted once. Counted on
   * the first SAMPLE questions of each subject.
   */
  tokenRatio: number;
}

const SAMPLE = 10;

export function planStudy(
  encode: Encode,
  maxLength: number,
  data: SubjectData[],
  limit: number | undefined,
  variants: readonly Variant[],
  chat: { apply?: ApplyChat; system?: string } = {},
): StudyPlan {
  const fits = makeFits(encode, maxLength);
  let plain = 0;
  let study = 0;
  let questions = 0;
  for (const d of data) {
    questions += Math.min(d.questions.length, limit ?? Infinity);
    const n = Math.min(SAMPLE, limit ?? Infinity);
    const groups = new Map<string, string[][]>();
    for (const v of variants) {
      const k = prefixGroupKey(v.axes);
      const texts = variantPrompts(v.axes, d, n, fits, chat).map(
        (it) => it.prompt.context + it.prompt.continuations[0],
      );
      groups.set(k, [...(groups.get(k) ?? []), texts]);
    }
    let first = true;
    for (const members of groups.values()) {
      const encoded = members.map((texts) => texts.map(encode));
      const prefix = commonLength(encoded.flat());
      for (let q = 0; q < encoded[0]!.length; q++) {
        const toks = encoded.map((e) => e[q]!);
        const shared = commonLength(toks);
        if (first) plain += toks[0]!.length - prefix;
        study += shared - prefix + toks.reduce((a, t) => a + t.length - shared, 0);
      }
      first = false;
    }
  }
  return { variants: variants.length, questions, tokenRatio: plain > 0 ? study / plain : variants.length };
}

function commonLength(seqs: number[][]): number {
  if (seqs.length === 0) return 0;
  let n = Math.min(...seqs.map((s) => s.length));
  for (const s of seqs) {
    let i = 0;
    while (i < n && s[i] === seqs[0]![i]) i++;
    n = i;
  }
  return n;
}
