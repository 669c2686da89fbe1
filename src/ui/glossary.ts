/** Plain-language lines for the terms the result screens use (shown as tooltips and hints). */
export const GLOSSARY: Record<string, string> = {
  acc: 'accuracy: the share of questions where the choice the model scores highest is the right one',
  acc_norm:
    "accuracy after dividing each choice's log-likelihood by its length in bytes (lm-eval's acc_norm), so long answers are not penalised",
  exact_match: "the share of generated answers equal to the right one after lm-eval's normalisation",
  micro: 'micro average: every question counts once (lm-eval’s size-weighted group score)',
  macro: "macro average: the mean of the subjects' scores, each subject counting once",
  ',none': "lm-eval's filter name: the metric is taken on the raw output (no answer-extraction filter)",
  paper:
    'the category the MMLU paper (Hendrycks et al., 2021) gives the subject; lm-eval groups it into STEM, humanities, social sciences or other',
  mc2: "TruthfulQA mc2 (lm-eval's acc for this task): the model's probability on the true answers, normalised over all the choices, averaged over the questions (lm-eval ≥ 0.4.9 counts every choice labelled true)",
  mc2_split:
    'the same probability mass as lm-eval ≤ 0.4.8 and the v1 Open LLM Leaderboard counted it: the choices before the first false one (2 of the 817 questions list a true answer after a false one)',
  ece: "expected calibration error: how far the model's confidence is from its accuracy, over 10 bins of the top choice's probability",
};

/** Whether a score's 95% interval includes chance, in words. */
export function chanceVerdict(value: number, stderr: number | null, chance: number): string {
  const c = `${(100 * chance).toFixed(0)}%`;
  if (stderr === null) return `Chance (guessing) is ${c}.`;
  const lo = value - 1.96 * stderr;
  const hi = value + 1.96 * stderr;
  if (lo <= chance && chance <= hi)
    return `Chance (guessing) is ${c}; this result is within its 95% interval, so it cannot be told apart from guessing.`;
  return hi < chance
    ? `Chance (guessing) is ${c}; this result is below it beyond its 95% interval (the model prefers wrong answers).`
    : `Chance (guessing) is ${c}; this result is above it beyond its 95% interval.`;
}
