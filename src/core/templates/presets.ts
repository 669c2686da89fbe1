import type { Question } from '../benchmarks/doc.ts';
import type { GenerationSettings, TemplateSpec } from './template.ts';
import { LABEL_SETS, type LabelSet } from './labels.ts';
import { didYouMean } from '../util/suggest.ts';
import { pyStrip } from '../util/pyStr.ts';
import { TRUTHFULQA_PRIMER, truthfulqaContext } from '../benchmarks/truthfulqa/prompt.ts';
import { winograndeDoc } from '../benchmarks/winogrande/prompt.ts';
import {
  cutAtStops,
  GSM8K_UNTIL,
  GSM8K_V1_UNTIL,
  INVALID,
  legacyExtract,
  scoreGsm8k,
  scoreGsm8kV1,
} from '../benchmarks/gsm8k/extract.ts';

// All prompt templates live in this file: adding one is adding an entry to TEMPLATES. Where the
// reference is Python, `strip()` is Python's (pyStrip), not String.prototype.trim.

const spaced = (subject: string) => subject.replaceAll('_', ' ');

/**
 * A lettered template: the stem, one line per choice under its label, then "Answer:"; the labels
 * are what is scored. `withLabels` gives the same template under another label set (LABEL_SETS).
 */
function lettered(
  base: Omit<TemplateSpec, 'formatQuestion' | 'choices' | 'withLabels' | 'labels'>,
  stem: (q: Question) => string,
  set: LabelSet = LABEL_SETS.ABCD!,
): TemplateSpec {
  return {
    ...base,
    labels: set.id,
    formatQuestion: (q) => `${stem(q)}\n${q.choices.map((c, i) => set.line(set.labels[i]!, c)).join('\n')}\nAnswer:`,
    choices: (q) => q.choices.map((_, i) => set.labels[i]!),
    // A generated answer is matched against the letters A-D only: no other label set.
    withLabels: base.generation ? undefined : (s) => lettered(base, stem, s),
  };
}

const lmEvalBase = {
  id: 'lm-eval',
  summary: "lm-evaluation-harness' mmlu task (default): letters A-D after 'Answer:', first k dev rows as shots",
  reference: 'lm-evaluation-harness lm_eval/tasks/mmlu/default (_default_template_yaml, version 1.0)',
  description: (s: string) => `The following are multiple choice questions (with answers) about ${spaced(s)}.\n\n`,
  targetDelimiter: ' ',
  fewshotDelimiter: '\n\n',
  scoring: 'loglikelihood',
  reportAccNorm: false,
  headline: 'acc',
  overflow: 'truncate',
} as const;
const lmEval = lettered(lmEvalBase, (q) => pyStrip(q.question));

export const TEMPLATES: Record<string, TemplateSpec> = {
  'lm-eval': lmEval,
  original: lettered(
    {
      ...lmEvalBase,
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
      overflow: 'drop-shots',
    },
    (q) => q.question,
  ),
  // HELM's MMLU run spec (helm.benchmark.run_specs: get_mmlu_spec) with the multiple_choice_joint
  // adapter: instructions + "\n", examples "Question: {q}\nA. …\nAnswer: C\n" joined by "\n", the
  // evaluated one ending "Answer:". get_multiple_choice_adapter_spec asks for max_tokens=1 at
  // temperature 0 and MultipleChoiceJointAdapter sends no stop sequences; the completion is
  // strip()ped and mapped through output_mapping (letter → reference), then exact-matched.
  helm: lettered(
    {
      ...lmEvalBase,
      id: 'helm',
      summary:
        "HELM's multiple_choice_joint: 'Question: ' / 'Answer: ' prompt; one greedy token, stripped, must be the letter (exact match)",
      reference:
        'HELM get_mmlu_spec + get_multiple_choice_adapter_spec (max_tokens 1, temperature 0) + MultipleChoiceJointAdapter (stop_sequences []), exact_match after strip(); shots: the first k dev rows (HELM samples its 5 by label)',
      scoring: 'generate',
      headline: 'exact_match',
      generation: {
        stop: [],
        maxNewTokens: 1,
        answerRegex: /^([ABCD])$/,
        strip: true,
        filter: 'helm-strip-exact',
      },
    },
    (q) => `Question: ${pyStrip(q.question)}`,
  ),
  'helm-prompt': lettered(
    {
      ...lmEvalBase,
      id: 'helm-prompt',
      summary: "HELM's multiple_choice_joint prompt ('Question: ' / 'Answer: '), the letters scored by log-likelihood",
      reference:
        "HELM MMLU prompt (multiple_choice_joint: input_prefix 'Question: ', output_prefix 'Answer: '); scored as lm-eval scores letters, not as HELM does",
    },
    (q) => `Question: ${pyStrip(q.question)}`,
  ),
  cloze: {
    ...lmEval,
    id: 'cloze',
    labels: undefined,
    withLabels: undefined,
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
    // The answer regex reads the letters A-D: no other label set.
    withLabels: undefined,
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
      // pagebench's own rule, not lm-eval's mmlu_generative filters: named as such in the metric keys.
      filter: 'pagebench-letter-at-start',
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

// lm-eval's truthfulqa_mc1 / truthfulqa_mc2 (benchmarks/truthfulqa): the primer and "Q: …\nA:" are
// doc_to_text, so each shot (lm-eval allows them) repeats the primer; no description.
TEMPLATES.truthfulqa = {
  ...TEMPLATES.arc,
  id: 'truthfulqa',
  summary: "lm-eval's truthfulqa_mc1: the six-pair QA primer, 'Q: …\nA:', the answers as continuations (choice 0 true)",
  reference: 'lm-evaluation-harness lm_eval/tasks/truthfulqa/truthfulqa_mc1.yaml (version 2.0)',
  formatQuestion: (q) => truthfulqaContext(q.question),
  sharedText: `${TRUTHFULQA_PRIMER}\n\nQ: `,
  reportAccNorm: false,
  headline: 'acc',
};
TEMPLATES['truthfulqa-mc2'] = {
  ...TEMPLATES.truthfulqa,
  id: 'truthfulqa-mc2',
  summary:
    "lm-eval's truthfulqa_mc2: the mc1 prompt over mc2_targets; acc is the probability mass on the true answers (mc2_split: the v1 leaderboard's formula)",
  reference:
    'lm-evaluation-harness lm_eval/tasks/truthfulqa/truthfulqa_mc2.yaml (version 3.0) + utils.py process_results_mc2',
  trueMass: true,
};
// lm-eval's winogrande (version 1.0), partial scoring: each option in the blank is a context, the
// text after the blank the continuation of both; a shot is its right context + " " + that text.
const winogrande = (q: Question) => {
  const d = winograndeDoc({
    sentence: q.question,
    option1: q.choices[0]!,
    option2: q.choices[1]!,
    answer: String(q.answer + 1),
  });
  if (typeof d === 'string') throw new Error(`${q.subject} ${q.docId}: ${d}`);
  return d;
};
TEMPLATES.winogrande = {
  ...TEMPLATES.arc,
  id: 'winogrande',
  summary: "lm-eval's winogrande: each option fills the blank as its own context; both score the text after the blank",
  reference: 'lm-evaluation-harness lm_eval/tasks/winogrande (default.yaml + preprocess_winogrande.py, version 1.0)',
  formatQuestion: (q) => {
    const d = winogrande(q);
    return d.contexts[d.gold];
  },
  choices: (q) => {
    const c = winogrande(q).continuation;
    return [c, c];
  },
  partial: (q) => [...winogrande(q).contexts],
  reportAccNorm: false,
  headline: 'acc',
};

// lm-eval's gsm8k (version 3.0): "Question: …\nAnswer:", shots with their whole worked answers,
// greedy until "Question:", "</s>" or "<|im_end|>" (and EOS), 256 new tokens; the answer read by
// the strict-match and flexible-extract filters (benchmarks/gsm8k/extract.ts).
TEMPLATES.gsm8k = {
  ...TEMPLATES.arc,
  id: 'gsm8k',
  summary:
    "lm-eval's gsm8k: 'Question: …\nAnswer:', worked answers as shots; greedy generation scored by exact_match under strict-match and flexible-extract",
  reference: 'lm-evaluation-harness lm_eval/tasks/gsm8k/gsm8k.yaml (version 3.0)',
  formatQuestion: (q) => `Question: ${q.question}\nAnswer:`,
  reportAccNorm: false,
  scoring: 'generate',
  headline: 'exact_match',
  generation: {
    stop: [...GSM8K_UNTIL],
    maxNewTokens: 256,
    filter: 'strict-match',
    freeform: {
      filters: ['strict-match', 'flexible-extract'],
      invalid: INVALID,
      cut: cutAtStops,
      score: (response, reference) => {
        const s = scoreGsm8k(response, reference);
        return { 'strict-match': s.strict, 'flexible-extract': s.flexible };
      },
      metric: {
        metric: 'exact_match',
        aggregation: 'mean',
        higher_is_better: true,
        ignore_case: true,
        ignore_punctuation: false,
        regexes_to_ignore: [',', '\\$', '(?s).*#### ', '\\.$'],
      },
      filterList: [
        {
          name: 'strict-match',
          filter: [{ function: 'regex', regex_pattern: '#### (\\-?[0-9\\.\\,]+)' }, { function: 'take_first' }],
        },
        {
          name: 'flexible-extract',
          filter: [
            { function: 'regex', group_select: -1, regex_pattern: '(-?[$0-9.,]{2,})|(-?[0-9]+)' },
            { function: 'take_first' },
          ],
        },
      ],
    },
  },
};

// GSM8K as the v1 leaderboard's harness ran it (b281b09 lm_eval/tasks/gsm8k.py, version 0): the same
// prompt, greedy until ":", "Question:" or "Question" (and EOS), the text split at each in turn;
// right when the first "#### <number>" of the generation, stripped and without commas, equals the answer's.
TEMPLATES['gsm8k-v1'] = {
  ...TEMPLATES.gsm8k!,
  id: 'gsm8k-v1',
  summary:
    "the v1 leaderboard harness' gsm8k (b281b09): stops ':', 'Question:', 'Question'; the first '#### N' compared without commas",
  reference: 'lm-evaluation-harness b281b0921b636bc36ad05c0b0b0763bd6dd43463 lm_eval/tasks/gsm8k.py (version 0)',
  generation: {
    stop: [...GSM8K_V1_UNTIL],
    maxNewTokens: 256,
    filter: 'v1-harness',
    freeform: {
      filters: ['v1-harness'],
      invalid: INVALID,
      cut: cutAtStops,
      score: (response, reference) => ({
        'v1-harness': { extracted: legacyExtract(response), exact_match: scoreGsm8kV1(response, reference) },
      }),
      metric: { metric: 'acc', aggregation: 'mean', higher_is_better: true },
      // b281b09 had no filter pipeline: the task's own code extracted the answer; said as such, not as lm-eval filters
      filterList: [
        {
          name: 'v1-harness',
          regex_pattern: '#### (\\-?[0-9\\.\\,]+)',
          extraction:
            "the first match's group, .strip(), commas removed; '[invalid]' when none (gsm8k.py _extract_answer at b281b09, which had no filter_list)",
        },
      ],
    },
  },
};

export const TEMPLATE_IDS = Object.keys(TEMPLATES);

/** Templates that answer by generation (the decoding options apply to them). */
export const GENERATING_TEMPLATES = TEMPLATE_IDS.filter((id) => TEMPLATES[id]!.scoring === 'generate');

export function getTemplate(id: string): TemplateSpec {
  const t = TEMPLATES[id];
  if (!t)
    throw new Error(
      `unknown template "${id}"${didYouMean(id, TEMPLATE_IDS)} (expected one of: ${TEMPLATE_IDS.join(', ')})`,
    );
  return t;
}

/**
 * The template a run uses: its preset, without the task description when the run turns it off
 * (`description: false`; the description is lm-eval's `description` field, before the shots).
 */
export function runTemplate(settings: { template: string; description?: boolean }): TemplateSpec {
  const t = getTemplate(settings.template);
  if (settings.description !== false) return t;
  const off: TemplateSpec = { ...t, description: () => '' };
  if (t.withLabels) off.withLabels = (set) => ({ ...t.withLabels!(set), description: () => '' });
  return off;
}

/** How a generate run decodes: the template's defaults (greedy, its budget and stops) with the run's overrides. */
export function runGeneration(settings: {
  template: string;
  generation?: Partial<GenerationSettings>;
}): GenerationSettings | null {
  const g = getTemplate(settings.template).generation;
  if (!g) return null;
  return {
    maxNewTokens: g.maxNewTokens,
    stop: g.stop,
    temperature: 0,
    topK: 0,
    topP: 1,
    seed: 0,
    ...settings.generation,
  };
}
