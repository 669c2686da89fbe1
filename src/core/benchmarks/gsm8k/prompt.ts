/**
 * GSM8K's 5-shot prompt in lm-eval (gsm8k.yaml, v0.4.2–v0.4.12; the v1 harness built the same
 * string): each shot is "Question: " + question + "\nAnswer:" + " " + its whole worked answer
 * (the "#### N" line included) + "\n\n", then the evaluated "Question: …\nAnswer:" with no
 * trailing space. No description. Shots come from train by random.Random(1234), k per document
 * (fewshot_split "train" is not the test split, so no k+1 draw).
 */
export interface Gsm8kRow {
  question: string;
  answer: string;
}

const turn = (question: string) => `Question: ${question}\nAnswer:`;

export function gsm8kContext(question: string, shots: readonly Gsm8kRow[]): string {
  return shots.map((s) => `${turn(s.question)} ${s.answer}\n\n`).join('') + turn(question);
}
