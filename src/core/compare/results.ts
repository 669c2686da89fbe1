import { LEGACY_LM_EVAL } from '../lmEvalReleases.ts';
import type { RunConfig } from '../report/runConfig.ts';

/**
 * One side of a comparison, from whatever carried it: a pagebench results.json (with or without
 * its samples), lm-evaluation-harness' own results.json (as its --output_path writes it: groups,
 * aliases, "N/A" stderrs), or a share link.
 */
export interface ComparableResult {
  label: string;
  source: 'pagebench' | 'lm-eval' | 'link';
  /** Task → "<metric>,<filter>" → value and stderr (null where the file has none or "N/A"). */
  tasks: Map<string, Map<string, { value: number; stderr: number | null }>>;
  /** Task → questions scored, where known. */
  n: Map<string, number>;
  /** Task → number of few-shot examples, where known. */
  shots: Map<string, number>;
  /** Task → alias as the file gives it. */
  alias: Map<string, string>;
  /** Group → member tasks. */
  groupSubtasks: Map<string, string[]>;
  /** pagebench's config, when it is a pagebench result (file or link). */
  config?: RunConfig;
  /** The lm-eval release that made it (lm-eval's own file) or that it emulates (pagebench). */
  lmEvalVersion?: string;
  /** lm-eval's run description (model, model_args), for the header. */
  describe: string;
  /** Per question (subject/doc_id) the pick and whether it was right (and its log-likelihoods), when known. */
  picks?: Map<string, { pred: number; correct: 0 | 1; subject: string; doc_id: number; loglikelihoods?: number[] }>;
}

export class CompareInputError extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Reads a results.json object (pagebench's or lm-eval's); throws CompareInputError naming what is wrong. */
export function comparableFromResults(label: string, json: unknown): ComparableResult {
  if (!isObj(json) || !isObj(json.results))
    throw new CompareInputError(`${label} is not a results.json (no "results" object)`);
  const config = isObj(json.config) ? json.config : {};
  const isPagebench = config.engine === 'pagebench';
  const tasks: ComparableResult['tasks'] = new Map();
  const alias = new Map<string, string>();
  for (const [task, entry] of Object.entries(json.results)) {
    if (!isObj(entry)) throw new CompareInputError(`${label}: results.${task} is not an object`);
    const metrics = new Map<string, { value: number; stderr: number | null }>();
    for (const [key, v] of Object.entries(entry)) {
      if (key === 'alias' || !key.includes(',') || /_stderr,/.test(key)) continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const [metric, filter] = key.split(',', 2) as [string, string];
      const se = entry[`${metric}_stderr,${filter}`];
      metrics.set(key, { value: v, stderr: typeof se === 'number' && Number.isFinite(se) ? se : null });
    }
    if (metrics.size) tasks.set(task, metrics);
    if (typeof entry.alias === 'string') alias.set(task, entry.alias);
  }
  if (!tasks.size) throw new CompareInputError(`${label} holds no metric values`);
  const n = new Map<string, number>();
  if (isObj(json['n-samples']))
    for (const [t, v] of Object.entries(json['n-samples']))
      if (isObj(v) && typeof v.effective === 'number') n.set(t, v.effective);
  for (const [t, metrics] of tasks) {
    const e = (json.results as Record<string, Record<string, unknown>>)[t]!;
    if (!n.has(t) && typeof e.n === 'number') n.set(t, e.n);
    void metrics;
  }
  const shots = new Map<string, number>();
  if (isObj(json['n-shot']))
    for (const [t, v] of Object.entries(json['n-shot'])) if (typeof v === 'number') shots.set(t, v);
  const groupSubtasks = new Map<string, string[]>();
  if (isObj(json.group_subtasks))
    for (const [g, v] of Object.entries(json.group_subtasks))
      if (Array.isArray(v))
        groupSubtasks.set(
          g,
          v.filter((x): x is string => typeof x === 'string'),
        );
  const describe = isPagebench
    ? `pagebench ${String(config.engine_version)}: ${String(config.model)} (${String(config.dtype)}, ${String(config.device)}), ${String(config.template)}, ${String(config.num_fewshot)}-shot`
    : `lm-evaluation-harness: ${String(config.model ?? '?')} ${String(config.model_args ?? '')}`.trim();
  return {
    label,
    source: isPagebench ? 'pagebench' : 'lm-eval',
    tasks,
    n,
    shots,
    alias,
    groupSubtasks,
    ...(isPagebench ? { config: config as unknown as RunConfig } : {}),
    ...(isPagebench
      ? { lmEvalVersion: typeof config.lm_eval_version === 'string' ? config.lm_eval_version : LEGACY_LM_EVAL }
      : typeof json.lm_eval_version === 'string'
        ? { lmEvalVersion: json.lm_eval_version }
        : {}),
    describe,
  };
}

/** A pagebench run with its samples: the results, and each question's pick for paired statistics. */
export function comparableFromRun(
  label: string,
  results: unknown,
  samples: readonly { subject: string; doc_id: number; pred: number; acc: number; loglikelihoods?: number[] }[],
): ComparableResult {
  const c = comparableFromResults(label, results);
  // Paired statistics compare right/wrong per question; a probability mass (TruthfulQA mc2) is neither.
  if (samples.some((s) => s.acc !== 0 && s.acc !== 1)) return c;
  c.picks = new Map(
    samples.map((s) => [
      `${s.subject}/${s.doc_id}`,
      {
        pred: s.pred,
        correct: s.acc as 0 | 1,
        subject: s.subject,
        doc_id: s.doc_id,
        ...(s.loglikelihoods ? { loglikelihoods: s.loglikelihoods } : {}),
      },
    ]),
  );
  return c;
}
