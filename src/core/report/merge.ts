import { benchmarkOf } from '../benchmarks/registry.ts';
import { LEGACY_LM_EVAL } from '../lmEvalReleases.ts';
import type { Sample } from '../records.ts';
import { computeScoreboard } from './scoreboard.ts';
import { factsFromConfig, settingsFromConfig, type RunConfig } from './runConfig.ts';
import { serializeResults, type PartEnvironment } from './results.ts';
import { generationSpeed } from './generationSpeed.ts';
export type { PartEnvironment } from './results.ts';

/**
 * Config fields that can move a number: parts (and compared runs) that differ in one of them are
 * not the same evaluation. Dotted paths reach into `fingerprint`.
 */
export const SETUP_FIELDS = [
  'benchmark',
  'model',
  'model_revision',
  'model_sha256',
  'max_length',
  'dtype',
  'template',
  'scoring',
  'split',
  'num_fewshot',
  'fewshot_selection',
  'fewshot_split',
  'fewshot_seed',
  'limit',
  'description',
  'chat',
  'system_prompt',
  'generation',
  'bos_policy',
  'lm_eval_version',
  'bos_resolved',
  'truncation',
  'engine_version',
  'fingerprint.template_sha256',
  'fingerprint.data_sha256',
] as const;

export type SetupField = (typeof SETUP_FIELDS)[number];

/** Each setup field in words, plural, for "different …" lines (compare's not_like_for_like). */
export const SETUP_FIELD_WORDS: Record<SetupField, string> = {
  benchmark: 'benchmarks',
  model: 'models',
  model_revision: 'model revisions',
  model_sha256: 'model files',
  max_length: 'context windows',
  dtype: 'dtypes',
  template: 'templates',
  scoring: 'scoring',
  split: 'splits',
  num_fewshot: 'few-shot counts',
  fewshot_selection: 'shot selection',
  fewshot_split: 'shot pools',
  fewshot_seed: 'shot seeds',
  limit: 'question limits',
  description: 'description lines',
  chat: 'chat templates',
  system_prompt: 'system prompts',
  generation: 'generation settings',
  bos_policy: 'BOS policies',
  lm_eval_version: 'lm-eval releases',
  bos_resolved: 'BOS tokens',
  truncation: 'truncation',
  engine_version: 'pagebench versions',
  'fingerprint.template_sha256': 'prompt templates',
  'fingerprint.data_sha256': 'data (questions)',
};

/**
 * Fields that describe where a run ran: by design they do not change pagebench's numbers (the
 * scorers and batch sizes agree; the tests hold Node, WASM and WebGPU to the same log-likelihoods
 * within 1e-4), so parts that differ here are merged, each listed, and the difference flagged.
 */
export const ENVIRONMENT_FIELDS = [
  'device',
  'threads',
  'batch_size',
  'scorer',
  'graph_rewrites',
  'fingerprint.runtime',
  'fingerprint.onnxruntime',
  'fingerprint.transformers_js',
  'fingerprint.webgpu_adapter',
] as const;

export class MergeError extends Error {}

/** One run's output as read from its folder, a file or a link. */
export interface RunOutput {
  /** Where it came from (a folder, a file name), for messages. */
  label: string;
  results: { config: RunConfig } & Record<string, unknown>;
  samples: Sample[];
}

export function fieldValue(c: RunConfig, path: string): unknown {
  if (path === 'lm_eval_version') return c.lm_eval_version ?? LEGACY_LM_EVAL;
  let v: unknown = c;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const show = (v: unknown) => (v === undefined || v === null ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

/** The setup fields in which two runs differ, each as "field: a vs b". */
export function setupDifferences(a: RunConfig, b: RunConfig): string[] {
  return SETUP_FIELDS.filter((f) => !same(fieldValue(a, f), fieldValue(b, f))).map(
    (f) => `${f}: ${show(fieldValue(a, f))} vs ${show(fieldValue(b, f))}`,
  );
}

export interface MergeOptions {
  /** Write a result from the parts at hand, marked partial, instead of refusing missing parts. */
  allowPartial?: boolean;
}

export interface Merged {
  results: Record<string, unknown>;
  samples: Sample[];
  /** Part indexes not given (only under allowPartial). */
  missing: number[];
  /** Environment fields in which the parts differ (merged, flagged). */
  environmentDiffers: string[];
}

/** One part as the checks see it: where it came from, its config, how many questions it holds. */
export interface PartInput {
  label: string;
  config: RunConfig;
  questions: number;
}

export interface CheckedParts<T extends PartInput> {
  /** The parts given, by index. */
  ordered: T[];
  missing: number[];
  environmentDiffers: string[];
}

/**
 * The checks every merge makes (of folders, files or links): each is a complete part of a split
 * run with the first one's setup, split the same way, given once; missing parts are refused unless
 * allowed. Throws MergeError naming the part and the reason.
 */
export function checkParts<T extends PartInput>(parts: T[], opts: MergeOptions = {}): CheckedParts<T> {
  if (parts.length === 0) throw new MergeError('no parts to merge');
  for (const p of parts) {
    const c = p.config;
    if (!c.part) throw new MergeError(`${p.label} is not a part of a split run (its config has no "part")`);
    if (c.partial)
      throw new MergeError(
        `${p.label} (part ${c.part.index}/${c.part.count}) stopped after ${c.partial.done} of ${c.partial.total} questions: finish it first`,
      );
    if (p.questions !== c.part.end - c.part.start)
      throw new MergeError(
        `${p.label} (part ${c.part.index}/${c.part.count}) has ${p.questions} questions where its slice holds ${c.part.end - c.part.start}`,
      );
  }
  const first = parts[0]!;
  const c0 = first.config;
  for (const p of parts.slice(1)) {
    const c = p.config;
    const diff = setupDifferences(c0, c);
    if (diff.length) throw new MergeError(`${p.label} is not the same setup as ${first.label}: ${diff.join('; ')}`);
    if (c.part!.count !== c0.part!.count || c.part!.total !== c0.part!.total)
      throw new MergeError(
        `${p.label} is part ${c.part!.index}/${c.part!.count} of ${c.part!.total} questions but ${first.label} is part ${c0.part!.index}/${c0.part!.count} of ${c0.part!.total}: the slices overlap`,
      );
  }
  const byIndex = new Map<number, T>();
  for (const p of parts) {
    const i = p.config.part!.index;
    const other = byIndex.get(i);
    if (other) throw new MergeError(`part ${i}/${c0.part!.count} is given twice: ${other.label} and ${p.label}`);
    byIndex.set(i, p);
  }
  const count = c0.part!.count;
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((i) => !byIndex.has(i));
  if (missing.length && !opts.allowPartial)
    throw new MergeError(
      `missing part${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} (or merge with --allow-partial)`,
    );
  const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  const environmentDiffers = ENVIRONMENT_FIELDS.filter((f) =>
    ordered.some((p) => !same(fieldValue(p.config, f), fieldValue(c0, f))),
  );
  return { ordered, missing, environmentDiffers };
}

/** What config.parts lists of each merged part. */
export function partEnvironment(c: RunConfig): PartEnvironment {
  return {
    index: c.part!.index,
    start: c.part!.start,
    end: c.part!.end,
    date: c.date,
    eval_seconds: c.eval_seconds ?? 0,
    environment: Object.fromEntries(ENVIRONMENT_FIELDS.map((f) => [f, fieldValue(c, f) ?? null])),
  };
}

/**
 * Merges the parts of one split run (`pagebench run --part i/n`) into the results.json a single
 * run over all the questions writes: the same setup is required of every part, each part exactly
 * once, every part complete; the numbers are recomputed from the pooled samples.
 */
export function mergeParts(parts: RunOutput[], opts: MergeOptions = {}): Merged {
  const {
    ordered: checked,
    missing,
    environmentDiffers,
  } = checkParts(
    parts.map((p) => ({ label: p.label, config: p.results.config, questions: p.samples.length, run: p })),
    opts,
  );
  const ordered = checked.map((x) => x.run);
  const c0 = ordered[0]!.results.config;
  const samples = ordered.flatMap((p) => p.samples);
  const keys = new Set<string>();
  for (const s of samples) {
    const k = `${s.subject}/${s.doc_id}`;
    if (keys.has(k)) throw new MergeError(`question ${k} is in more than one part`);
    keys.add(k);
  }
  const subjects = [...new Set(ordered.flatMap((p) => p.results.config.subjects))];
  const settings = { ...settingsFromConfig(c0), subjects };
  const benchmark = benchmarkOf(settings);
  const sb = computeScoreboard(benchmark, settings.template, subjects, samples);
  const base = factsFromConfig(c0);
  const sum = (f: (c: RunConfig) => number) => ordered.reduce((a, p) => a + f(p.results.config), 0);
  const total = c0.part!.total;
  const results = serializeResults(benchmark, sb, settings, {
    ...base,
    part: undefined,
    loadSeconds: sum((c) => c.load_seconds ?? 0),
    evalSeconds: sum((c) => c.eval_seconds ?? 0),
    promptTokens: sum((c) => c.prompt_tokens),
    truncatedCount: sum((c) => c.truncated_count),
    generationSpeed: generationSpeed(samples),
    date: ordered
      .map((p) => p.results.config.date)
      .sort()
      .at(-1)!,
    ...(missing.length ? { partial: { done: samples.length, total } } : {}),
    parts: ordered.map((p) => partEnvironment(p.results.config)),
    environmentDiffers,
  });
  return { results, samples, missing, environmentDiffers };
}
