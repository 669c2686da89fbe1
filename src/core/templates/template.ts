import type { Question } from '../benchmarks/doc.ts';
import type { LabelSet } from './labels.ts';

/** What a template turns one question into: lm-eval's (context, continuations, target). */
export interface PromptInstance {
  context: string;
  /** Full continuation strings as scored, target delimiter included (e.g. " A"). */
  continuations: string[];
  target: number;
}

/**
 * A prompt format as data. Every string is assembled by `buildPrompt` in one way:
 *   description(subject) + join(shots: formatQuestion(s) + targetDelimiter + choices(s)[s.answer], fewshotDelimiter)
 *   + (shots ? fewshotDelimiter : '') + formatQuestion(q)
 * and the continuations are targetDelimiter + each of choices(q).
 */
export interface TemplateSpec {
  id: string;
  /** One line for help texts and the UI. */
  summary: string;
  /** Where the format comes from, for the README and results. */
  reference: string;
  description(subject: string): string;
  formatQuestion(q: Question): string;
  /** Strings the model chooses between (without the target delimiter). */
  choices(q: Question): string[];
  targetDelimiter: string;
  fewshotDelimiter: string;
  scoring: 'loglikelihood' | 'generate';
  /** Report acc_norm (log-likelihood / character length of the choice) besides acc. */
  reportAccNorm: boolean;
  /** The metric the template's reference headlines (lm-eval's mmlu_continuation: acc_norm). */
  headline: 'acc' | 'acc_norm' | 'exact_match';
  /**
   * What happens when the prompt does not fit the model window: 'truncate' left-truncates tokens
   * as lm-eval does; 'drop-shots' removes few-shot examples from the end until it fits (Hendrycks'
   * evaluate.py), then truncates if even zero-shot does not fit.
   */
  overflow: 'truncate' | 'drop-shots';
  /** Lettered templates: the label set in use (templates/labels.ts), and the same template under another. */
  labels?: string;
  withLabels?: (set: LabelSet) => TemplateSpec;
  /**
   * For generate templates: the reference's decoding defaults, the answer extraction (a regex whose
   * group 1 is the letter, applied to the generated text, after Python's strip() where `strip`)
   * and its name, which results.json puts in the metric keys as lm-eval names a filter
   * (`exact_match,<filter>`).
   */
  generation?: {
    stop: string[];
    maxNewTokens: number;
    answerRegex: RegExp;
    strip?: boolean;
    filter: string;
  };
}

/**
 * How a generate run decodes: the template's defaults, overridden per run (CLI options, the page's
 * setup) and recorded in config.generation. Temperature 0 is greedy decoding.
 */
export interface GenerationSettings {
  maxNewTokens: number;
  stop: string[];
  temperature: number;
  /** Keep only the k most likely tokens before sampling (0: all). */
  topK: number;
  /** Nucleus sampling: the smallest set of tokens whose probability reaches p (1: all). */
  topP: number;
  /** Sampling seed; each question draws from its own stream seeded by (seed, subject, doc_id). */
  seed: number;
}
