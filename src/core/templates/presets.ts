import type { Question } from '../benchmarks/doc.ts';
import { LETTERS } from '../benchmarks/mmlu/question.ts';
import type { TemplateSpec } from './template.ts';
import { didYouMean } from '../util/suggest.ts';
import { pyStrip } from '../util/pyStr.ts';

// All prompt templates live in this file: adding one is adding an entry to TEMPLATES. Where the
// reference is Python, `strip()` is Python's (pyStrip), not String.prototype.trim.

const spaced = (subject: string) => subject.replaceAll('_', ' ');
const lettered = (q: Question, question: string) =>
  `${question}\n${q.choices.map((c, i) => `${LETTERS[i]}. ${c}`).join('\n')}\nAnswer:`;
const letters = () => [...LETTERS];

const lmEval: TemplateSpec = {
  id: 'lm-eval',
  summary: "lm-evaluation-harness' mmlu task (default): letters A-D after 'Answer:', first k dev rows as shots",
  reference: 'lm-evaluation-harness lm_eval/tasks/mmlu/default (_default_template_yaml, version 1.0)',
  description: (s) => `The following are multiple choice questions (with answers) about ${spaced(s)}.\n\n`,
  formatQuestion: (q) => lettered(q, pyStrip(q.question)),
  choices: letters,
  targetDelimiter: ' ',
  fewshotDelimiter: '\n\n',
  scoring: 'loglikelihood',
  reportAccNorm: false,
  headline: 'acc',
  overflow: 'truncate',
};

export const TEMPLATES: Record<string, TemplateSpec> = {
  'lm-eval': lmEval,
  original: {
    ...lmEval,
    id: 'original',
    summary:
      "Hendrycks et al.'s evaluate.py: subject with a leading space, question not stripped, shots dropped to fit",
    reference: 'hendrycks/test evaluate.py (format_subject, format_example, gen_prompt, crop loop)',
    // format_subject() prefixes every word with a space, hence "about  abstract algebra."
    description: (s) =>
      `The following are multiple choice questions (with answers) about ${s
        .split('_')
        .map((w) => ' ' + w)
        .join('')}.\n\n`,
    formatQuestion: (q) => lettered(q, q.question),
    overflow: 'drop-shots',
  },
  helm: {
    ...lmEval,
    id: 'helm',
    summary: "HELM's multiple_choice_joint style: 'Question: ' / 'Answer: ' prefixes, letters A-D",
    reference:
      'HELM MMLU run spec, multiple_choice_joint adapter (input_prefix "Question: ", output_prefix "Answer: ")',
    formatQuestion: (q) => lettered(q, `Question: ${pyStrip(q.question)}`),
  },
  cloze: {
    ...lmEval,
    id: 'cloze',
    summary: "lm-eval's mmlu_continuation / lighteval's cloze formulation: the choice texts are the continuations",
    reference: 'lm-evaluation-harness lm_eval/tasks/mmlu/continuation (_continuation_template_yaml)',
    description: (s) => `The following are questions (with answers) about ${spaced(s)}.\n\n`,
    formatQuestion: (q) => `Question: ${pyStrip(q.question)}\nAnswer:`,
    choices: (q) => [...q.choices],
    reportAccNorm: true,
    headline: 'acc_norm',
  },
  generate: {
    ...lmEval,
    id: 'generate',
    summary:
      "lm-eval's prompt, but the model generates after 'Answer:' (greedy); the letter is extracted and exact-matched",
    reference: 'lm-evaluation-harness lm_eval/tasks/mmlu/generative (prompt as the default task)',
    scoring: 'generate',
    headline: 'exact_match',
    // The first non-space thing generated must be the letter (optionally in parentheses),
    // not followed by another word character: " B", "B.", "(B)" match; " Because" does not.
    generation: {
      stop: ['\n', '</s>', '<|im_end|>', '<|endoftext|>'],
      maxNewTokens: 8,
      answerRegex: /^\s*\(?([ABCD])(?![\w])/,
    },
  },
};

// lm-eval's arc_easy / arc_challenge (version 1.0): doc_to_text "Question: {{question}}\nAnswer:",
// doc_to_choice the choice texts; no description. Headline acc_norm, as the Open LLM Leaderboard reported ARC.
TEMPLATES.arc = {
  id: 'arc',
  summary: "lm-eval's arc task: 'Question: …\nAnswer:' with the choice texts as continuations",
  reference: 'lm-evaluation-harness lm_eval/tasks/arc (arc_easy.yaml, version 1.0)',
  description: () => '',
  formatQuestion: (q) => `Question: ${q.question}\nAnswer:`,
  choices: (q) => [...q.choices],
  targetDelimiter: ' ',
  fewshotDelimiter: '\n\n',
  scoring: 'loglikelihood',
  reportAccNorm: true,
  headline: 'acc_norm',
  overflow: 'truncate',
};
// lm-eval's hellaswag (version 1.0): the preprocessed query ("{{query}}") and endings (benchmarks/hellaswag).
TEMPLATES.hellaswag = {
  ...TEMPLATES.arc,
  id: 'hellaswag',
  summary: "lm-eval's hellaswag task: the preprocessed context, the four endings as continuations",
  reference: 'lm-evaluation-harness lm_eval/tasks/hellaswag (hellaswag.yaml + utils.py, version 1.0)',
  formatQuestion: (q) => q.question,
};

export const TEMPLATE_IDS = Object.keys(TEMPLATES);

export function getTemplate(id: string): TemplateSpec {
  const t = TEMPLATES[id];
  if (!t)
    throw new Error(
      `unknown template "${id}"${didYouMean(id, TEMPLATE_IDS)} (expected one of: ${TEMPLATE_IDS.join(', ')})`,
    );
  return t;
}
