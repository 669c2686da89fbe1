import type { Doc, RowProblem, SubjectData } from './doc.ts';
import type { Sample } from '../records.ts';
import type { DataSource } from './mmlu/source.ts';
import type { RowSource } from './rows.ts';
import type { Quiz } from '../quiz/quiz.ts';

/** Where a run's data comes from: MMLU's own layouts (CSV or cais/mmlu parquet), and hub datasets' rows. */
export interface DataSources {
  mmlu: DataSource;
  rows: RowSource;
}

/** A group of subsets aggregated together (lm-eval's groups), as data; a group with children holds groups. */
export interface GroupSpec {
  name: string;
  alias: string;
  subsets: string[];
  children?: GroupSpec[];
}

/**
 * What differs between benchmarks, as data and small functions; everything else (prompts,
 * requests, scoring, samples, aggregation, storage, the page) is shared.
 */
export interface Benchmark {
  id: string;
  label: string;
  /** The hub dataset the documents come from. */
  dataset: string;
  /** Its configs (MMLU: the 57 subjects; ARC: one config). */
  subsets: readonly string[];
  /** Named selections of subsets besides "all" (MMLU: lm-eval's groups). */
  selections?: Record<string, readonly string[]>;
  /** Evaluation splits (first: default), by the dataset's own split names. */
  splits: readonly string[];
  /**
   * The split fields of lm-eval's task YAML, as it writes them (null where it leaves one unset):
   * the few-shot pool is fewshot_split, else training_split, else validation_split (Task.fewshot_docs),
   * and the default sampler draws k+1 and drops the evaluated document whenever fewshot_split ==
   * test_split (ConfigurableTask.fewshot_context) — also when both are unset (HellaSwag).
   * templates/fewshot.ts derives both.
   */
  lmEvalSplits: { training: string | null; validation: string | null; test: string | null; fewshot: string | null };
  /** Few-shot examples: lm-eval's sampler (its seed), and the dataset they come from where it is another. */
  fewshot: { sampler: 'first_n' | 'random'; seed?: number; dataset?: string };
  templates: readonly string[];
  defaultTemplate: string;
  /**
   * A subset's documents of the eval split and, when shots are asked for, its few-shot pool; a
   * malformed row fails the load naming file and row (nothing is scored).
   */
  load(src: DataSources, subset: string, split: string, shots: number): Promise<SubjectData>;
  /** Where a run's documents came from, for results.json's config.data. */
  describeData(src: DataSources): string;
  /** The hub config (lm-eval's dataset_name) of a subset, and the hub's name of an eval split. */
  datasetName(subset: string): string | null;
  splitName(split: string): string;
  /** The results.json task name of a subset under a template. */
  taskName(template: string, subset: string): string;
  /** Groups to aggregate (weighted by size, lm-eval's weight_by_size), outermost first. */
  groups(template: string, subsets: string[]): GroupSpec[];
  /**
   * Extra views of a metric over a subset of the samples, reported as `<metric>_<view>`
   * (MMLU-Redux: `acc_ok` over the questions whose label the re-annotation found correct).
   */
  views?: Record<string, (s: Sample) => boolean>;
  /** More groupings reported under results.json's `pagebench` key (MMLU: the paper's categories). */
  reportGroups?(subsets: string[]): Record<string, GroupSpec[]>;
  /** A subset's display name ("Anatomy"). */
  subsetName(subset: string): string;
  /**
   * Where a subset sits in navigation: the group it is aggregated in (MMLU: lm-eval's) and a
   * secondary label (MMLU: the original release's category). Absent: no grouping.
   */
  subsetGroup?(subset: string): { group: string; secondary: string };
  /** Display name of a selection or group ("STEM"). */
  groupLabel?(group: string): string;
  /**
   * The description line a subset's prompts start with, where the benchmark has its own (a quiz);
   * absent: the template's.
   */
  description?(subset: string): string;
  /** A teacher's quiz: the quiz itself (its results carry it, so they read anywhere). */
  quiz?: Quiz;
  /** The subset selection a new run starts with. */
  defaultSubsets: readonly string[];
}

export type { Doc, RowProblem };
