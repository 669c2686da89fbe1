import { subjectInfo, type LmEvalGroup } from './subjects.ts';

/**
 * Navigation and aggregation follow lm-eval's groups (what the numbers are aggregated by); the
 * original release's category is shown beside them as a secondary label, on every screen.
 */
const GROUP_LABELS: Record<LmEvalGroup, string> = {
  stem: 'STEM',
  humanities: 'Humanities',
  social_sciences: 'Social sciences',
  other: 'Other',
};

export function groupLabel(g: string): string {
  return GROUP_LABELS[g as LmEvalGroup] ?? g;
}

/** "paper: other (health)" — the original release's category and subcategory of a subject. */
export function paperLabel(subject: string): string {
  const s = subjectInfo(subject);
  return `paper: ${s.category.replace(/ \(.*\)$/, '')} (${s.subcategory})`;
}
