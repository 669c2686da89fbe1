import { commaList, didYouMean } from '../../util/suggest.ts';

/**
 * The 57 MMLU subjects as data. `subcategory` and `category` follow the original release
 * (Hendrycks et al., categories.py: 17 subcategories in 4 categories); `lmEvalGroup` is the group
 * lm-evaluation-harness files the subject under (mmlu_stem, ...), which differs for a few subjects
 * (e.g. anatomy is "other" in the paper's taxonomy but "stem" in lm-eval).
 */
export type Category = 'STEM' | 'humanities' | 'social sciences' | 'other (business, health, misc.)';
export type LmEvalGroup = 'stem' | 'humanities' | 'social_sciences' | 'other';

export interface SubjectInfo {
  id: string;
  name: string;
  subcategory: string;
  category: Category;
  lmEvalGroup: LmEvalGroup;
}

export const CATEGORIES: Record<Category, readonly string[]> = {
  STEM: ['physics', 'chemistry', 'biology', 'computer science', 'math', 'engineering'],
  humanities: ['history', 'philosophy', 'law'],
  'social sciences': ['politics', 'culture', 'economics', 'geography', 'psychology'],
  'other (business, health, misc.)': ['other', 'business', 'health'],
};

// subject id -> [subcategory, lm-eval group]
const TABLE: Record<string, [string, LmEvalGroup]> = {
  abstract_algebra: ['math', 'stem'],
  anatomy: ['health', 'stem'],
  astronomy: ['physics', 'stem'],
  business_ethics: ['business', 'other'],
  clinical_knowledge: ['health', 'other'],
  college_biology: ['biology', 'stem'],
  college_chemistry: ['chemistry', 'stem'],
  college_computer_science: ['computer science', 'stem'],
  college_mathematics: ['math', 'stem'],
  college_medicine: ['health', 'other'],
  college_physics: ['physics', 'stem'],
  computer_security: ['computer science', 'stem'],
  conceptual_physics: ['physics', 'stem'],
  econometrics: ['economics', 'social_sciences'],
  electrical_engineering: ['engineering', 'stem'],
  elementary_mathematics: ['math', 'stem'],
  formal_logic: ['philosophy', 'humanities'],
  global_facts: ['other', 'other'],
  high_school_biology: ['biology', 'stem'],
  high_school_chemistry: ['chemistry', 'stem'],
  high_school_computer_science: ['computer science', 'stem'],
  high_school_european_history: ['history', 'humanities'],
  high_school_geography: ['geography', 'social_sciences'],
  high_school_government_and_politics: ['politics', 'social_sciences'],
  high_school_macroeconomics: ['economics', 'social_sciences'],
  high_school_mathematics: ['math', 'stem'],
  high_school_microeconomics: ['economics', 'social_sciences'],
  high_school_physics: ['physics', 'stem'],
  high_school_psychology: ['psychology', 'social_sciences'],
  high_school_statistics: ['math', 'stem'],
  high_school_us_history: ['history', 'humanities'],
  high_school_world_history: ['history', 'humanities'],
  human_aging: ['health', 'other'],
  human_sexuality: ['culture', 'social_sciences'],
  international_law: ['law', 'humanities'],
  jurisprudence: ['law', 'humanities'],
  logical_fallacies: ['philosophy', 'humanities'],
  machine_learning: ['computer science', 'stem'],
  management: ['business', 'other'],
  marketing: ['business', 'other'],
  medical_genetics: ['health', 'other'],
  miscellaneous: ['other', 'other'],
  moral_disputes: ['philosophy', 'humanities'],
  moral_scenarios: ['philosophy', 'humanities'],
  nutrition: ['health', 'other'],
  philosophy: ['philosophy', 'humanities'],
  prehistory: ['history', 'humanities'],
  professional_accounting: ['other', 'other'],
  professional_law: ['law', 'humanities'],
  professional_medicine: ['health', 'other'],
  professional_psychology: ['psychology', 'social_sciences'],
  public_relations: ['politics', 'social_sciences'],
  security_studies: ['politics', 'social_sciences'],
  sociology: ['culture', 'social_sciences'],
  us_foreign_policy: ['politics', 'social_sciences'],
  virology: ['health', 'other'],
  world_religions: ['philosophy', 'humanities'],
};

const SMALL_WORDS = new Set(['and', 'of', 'the']);
const ACRONYMS: Record<string, string> = { us: 'US' };

function displayName(id: string): string {
  return id
    .split('_')
    .map((w, i) => ACRONYMS[w] ?? (i > 0 && SMALL_WORDS.has(w) ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

function categoryOf(subcategory: string): Category {
  for (const [cat, subs] of Object.entries(CATEGORIES) as [Category, readonly string[]][]) {
    if (subs.includes(subcategory)) return cat;
  }
  throw new Error(`subcategory ${subcategory} has no category`);
}

export const SUBJECTS: readonly SubjectInfo[] = Object.entries(TABLE).map(([id, [subcategory, lmEvalGroup]]) => ({
  id,
  name: displayName(id),
  subcategory,
  category: categoryOf(subcategory),
  lmEvalGroup,
}));

const BY_ID = new Map(SUBJECTS.map((s) => [s.id, s]));

export function subjectInfo(id: string): SubjectInfo {
  const s = BY_ID.get(id);
  if (!s) throw new Error(`unknown MMLU subject "${id}"`);
  return s;
}

export const LM_EVAL_GROUPS: readonly LmEvalGroup[] = ['stem', 'humanities', 'social_sciences', 'other'];

/**
 * Resolves a CLI/UI subject selection: a comma list of subject ids, "all", or an lm-eval group
 * name (stem, humanities, social_sciences, other). Unknown names are an error naming them.
 */
export function resolveSubjects(selection: string): string[] {
  const parts = commaList(selection);
  if (parts.length === 0) throw new Error('no subjects selected');
  const out: string[] = [];
  for (const p of parts) {
    if (p === 'all') out.push(...SUBJECTS.map((s) => s.id));
    else if ((LM_EVAL_GROUPS as readonly string[]).includes(p))
      out.push(...SUBJECTS.filter((s) => s.lmEvalGroup === p).map((s) => s.id));
    else if (BY_ID.has(p)) out.push(p);
    else {
      const hint = didYouMean(p, [...BY_ID.keys(), 'all', ...LM_EVAL_GROUPS]);
      throw new Error(
        hint
          ? `unknown subject or group "${p}"${hint}`
          : `unknown subject or group "${p}" (expected one of the 57 MMLU subjects, all, ${LM_EVAL_GROUPS.join(', ')})`,
      );
    }
  }
  return [...new Set(out)];
}
