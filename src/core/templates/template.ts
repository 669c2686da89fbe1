import type { Question } from '../benchmarks/doc.ts';
import type { LabelSet } from './labels.ts';

/** What a template turns one question into: lm-eval's (context, continuations, target). */
export interface PromptInstance {
  /** The context every choice is scored after; under partial scoring, what the choices' contexts share. */
  context: string;
  /** Partial scoring (Winogrande): each choice's own context, the continuations being the same text. */
  contexts?: string[];
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
  /**
   * Partial scoring (lm-eval's "multiple input" tasks, Winogrande): each choice's own context for
   * the evaluated document (after the shots); `choices` are then its continuations. A shot is still
   * formatQuestion + targetDelimiter + its answer's choice.
   */
  partial?: (q: Question) => string[];
  /**
   * Text every prompt starts with after the description that is not a shot (TruthfulQA's primer,
   * part of lm-eval's doc_to_text): the fast scorer computes it once with the description.
   */
  sharedText?: string;
  /**
   * TruthfulQA mc2: acc is the normalized probability mass on the choices labelled true (lm-eval
   * ≥ 0.4.9), reported beside mc2_split, the mass before the first false label (≤ 0.4.8 and the
   * v1 Open LLM Leaderboard); benchmarks/truthfulqa/mc2.ts.
   */
  trueMass?: boolean;
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
   * For generate templates: the reference's decoding defaults, and how an answer is read from the
   * generated text: a letter (a regex whose group 1 is the letter, applied after Python's strip()
   * where `strip`), named `filter` in the metric keys as lm-eval names a filter
   * (`exact_match,<filter>`); or free text scored against the document's reference (`freeform`,
   * GSM8K), each of its filters reported under its own name.
   */
  generation?: {
    stop: string[];
    maxNewTokens: number;
    answerRegex?: RegExp;
    strip?: boolean;
    filter: string;
    freeform?: FreeformScoring;
  };
}

/** A free-text answer's scoring (GSM8K): lm-eval's filters, each giving an extraction and exact_match. */
export interface FreeformScoring {
  /** Filter names in lm-eval's order (the first is the headline's). */
  filters: readonly string[];
  /** The extraction a filter gives when it finds nothing (lm-eval's "[invalid]"). */
  invalid: string;
  /** The generation as lm-eval keeps it: the decoded text cut at the stop strings. */
  cut(text: string, stop: readonly string[]): string;
  score(response: string, reference: string): Record<string, { extracted: string; exact_match: number }>;
  /** results.json's configs: the task's metric_list entry and filter_list, as lm-eval's YAML writes them. */
  metric: Record<string, unknown>;
  filterList: Record<string, unknown>[];
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
