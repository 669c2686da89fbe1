import { answerDistribution, brier, ece, rmsCalibrationError, type AnswerDistribution } from './calibration.ts';
import type { Benchmark, GroupSpec } from '../benchmarks/types.ts';
import type { Sample } from '../records.ts';
import { getTemplate } from '../templates/presets.ts';
import {
  macroAcc,
  macroStderr,
  microAcc,
  pooledStderr,
  proportionStat,
  subtaskStat,
  type SubtaskStat,
} from './metrics.ts';

/** One metric of a task or group: value and standard error (null where n < 2). */
export interface Score {
  value: number;
  stderr: number | null;
}

export interface TaskScore {
  /** The subset (an MMLU subject, an ARC config). */
  subset: string;
  /** Its results.json task name (mmlu_anatomy, arc_easy, …). */
  task: string;
  n: number;
  /** By metric name: acc, acc_norm, exact_match, and views such as acc_ok. */
  metrics: Record<string, Score>;
  /** Documents in each view (MMLU-Redux: the "ok" questions). */
  viewN: Record<string, number>;
}

export interface GroupScore {
  name: string;
  alias: string;
  n: number;
  subsets: string[];
  /** Size-weighted (micro) value with lm-eval's pooled stderr, by metric. */
  metrics: Record<string, Score>;
  /** Unweighted mean over subsets (macro) with √Σse²/k, by metric. */
  macro: Record<string, Score>;
  children: GroupScore[];
}

/**
 * Every number a run produced, as one typed value: what the CLI prints, what the page renders and
 * what results.json serializes (report/results.ts), computed once from the samples.
 */
export interface Scoreboard {
  benchmark: string;
  template: string;
  /** The metric the template's reference headlines. */
  headline: string;
  /** Metrics reported per sample (acc, acc_norm, exact_match). */
  metrics: string[];
  /** Extra views (MMLU-Redux: ok). */
  views: string[];
  tasks: TaskScore[];
  /** Outermost groups first; empty for a single-task benchmark. */
  groups: GroupScore[];
  n: number;
  /** From each question's softmax over its choices (log-likelihood templates; null fields under generation). */
  probabilities: Probabilities;
}

export interface Probabilities {
  ece: number | null;
  brier: number | null;
  /** The MMLU paper's RMS calibration error (calibration.ts), over the run and per group. */
  rms_calibration_error: number | null;
  rms_calibration_error_by_group: Record<string, number | null>;
  answer_distribution: AnswerDistribution;
}

/**
 * results.json's key of a metric: `<metric><suffix>,<filter>`. A metric of a template with several
 * filters (GSM8K) carries its own filter in its name ("exact_match,strict-match").
 */
export function resultKey(metric: string, filter: string, suffix = ''): string {
  const [name, own] = metric.split(',');
  return `${name}${suffix},${own ?? filter}`;
}

/** A metric's name without its filter. */
export const metricName = (metric: string) => metric.split(',')[0]!;

/** The metric a template's reference headlines, with its filter where the template has several (GSM8K). */
export function templateHeadline(template: string): string {
  const t = getTemplate(template);
  const free = t.generation?.freeform;
  return free ? `${t.headline},${free.filters[0]}` : t.headline;
}

/** The per-sample metrics a template reports. */
export function templateMetrics(template: string): string[] {
  const t = getTemplate(template);
  // Free-text answers: exact_match and the share with nothing extracted, under each filter.
  const free = t.generation?.freeform;
  if (free) return free.filters.flatMap((f) => [`exact_match,${f}`, `no_answer,${f}`]);
  // no_answer: the share of generations from which no choice could be extracted (not counted as a wrong pick apart).
  if (t.scoring === 'generate') return ['exact_match', 'no_answer'];
  if (t.trueMass) return ['acc', 'mc2_split'];
  return t.reportAccNorm ? ['acc', 'acc_norm'] : ['acc'];
}

/** A sample's value of a per-sample metric. */
export function sampleValue(s: Sample, metric: string): number {
  const [name, filter] = metric.split(',');
  if (filter !== undefined) return name === 'no_answer' ? (s.no_answer?.[filter] ?? 0) : (s.exact_match?.[filter] ?? 0);
  if (metric === 'no_answer') return s.pred < 0 ? 1 : 0;
  if (metric === 'mc2_split') return s.mc2_split!;
  return metric === 'acc_norm' ? s.acc_norm! : s.acc;
}

const score = (st: SubtaskStat): Score => ({ value: st.acc, stderr: st.stderr });

export function computeScoreboard(
  benchmark: Benchmark,
  template: string,
  subsets: string[],
  samples: Sample[],
): Scoreboard {
  const metrics = templateMetrics(template);
  const views = Object.keys(benchmark.views ?? {});
  const bySubset = new Map<string, Sample[]>();
  for (const s of samples) {
    const list = bySubset.get(s.subject) ?? [];
    list.push(s);
    bySubset.set(s.subject, list);
  }
  const present = subsets.filter((s) => bySubset.has(s));
  // Per subset and metric (views included as <metric>_<view>): the lm-eval subtask statistics.
  const stats = new Map<string, Record<string, SubtaskStat>>();
  for (const subset of present) {
    const list = bySubset.get(subset)!;
    const st: Record<string, SubtaskStat> = {};
    for (const m of metrics) {
      st[m] = subtaskStat(list.map((s) => sampleValue(s, m)));
      for (const v of views) {
        const inView = list.filter(benchmark.views![v]!);
        if (inView.length) st[`${m}_${v}`] = subtaskStat(inView.map((s) => sampleValue(s, m)));
      }
    }
    stats.set(subset, st);
  }
  const allMetrics = metrics.flatMap((m) => [m, ...views.map((v) => `${m}_${v}`)]);
  const tasks: TaskScore[] = present.map((subset): TaskScore => {
    const st = stats.get(subset)!;
    return {
      subset,
      task: benchmark.taskName(template, subset),
      n: bySubset.get(subset)!.length,
      metrics: Object.fromEntries(allMetrics.filter((m) => st[m]).map((m) => [m, score(st[m]!)])),
      viewN: Object.fromEntries(views.map((v) => [v, st[`${metrics[0]}_${v}`]?.n ?? 0])),
    };
  });
  const sb = assemble(benchmark, template, tasks, present, {
    ece: ece(samples),
    brier: brier(samples),
    rms_calibration_error: rmsCalibrationError(samples),
    rms_calibration_error_by_group: {},
    answer_distribution: answerDistribution(samples, Math.max(0, ...samples.map((x) => x.continuations.length))),
  });
  const walk = (g: GroupScore) => {
    const members = new Set(g.subsets);
    sb.probabilities.rms_calibration_error_by_group[g.name] = rmsCalibrationError(
      samples.filter((x) => members.has(x.subject)),
    );
    g.children.forEach(walk);
  };
  sb.groups.forEach(walk);
  return sb;
}

/**
 * A group's scores from its tasks' (lm-eval's aggregation): size-weighted mean with the pooled
 * stderr, and the unweighted mean over subsets with √Σse²/k. A view's sizes are its own.
 */
export function computeGroup(sb: Pick<Scoreboard, 'tasks' | 'metrics' | 'views'>, g: GroupSpec): GroupScore {
  const byTask = new Map(sb.tasks.map((t) => [t.subset, t]));
  const members = g.subsets.filter((s) => byTask.has(s));
  const out: GroupScore = {
    name: g.name,
    alias: g.alias,
    n: members.reduce((a, s) => a + byTask.get(s)!.n, 0),
    subsets: members,
    metrics: {},
    macro: {},
    children: (g.children ?? []).map((c) => computeGroup(sb, c)).filter((c) => c.subsets.length > 0),
  };
  const all = sb.metrics.flatMap((m) => [m, ...sb.views.map((v) => `${m}_${v}`)]);
  for (const m of all) {
    const view = sb.views.find((v) => m.endsWith(`_${v}`));
    const parts: SubtaskStat[] = members
      .map((s) => byTask.get(s)!)
      .filter((t) => t.metrics[m])
      .map((t) => ({ acc: t.metrics[m]!.value, stderr: t.metrics[m]!.stderr, n: view ? t.viewN[view]! : t.n }));
    if (parts.length === 0) continue;
    out.metrics[m] = { value: microAcc(parts), stderr: pooledStderr(parts) };
    out.macro[m] = { value: macroAcc(parts), stderr: macroStderr(parts) };
  }
  return out;
}

/** The run's headline: the outermost group's (or the only task's) headline metric. */
export function headlineScore(sb: Scoreboard): Score & { n: number } {
  const top = sb.groups[0];
  if (top) return { ...top.metrics[sb.headline]!, n: top.n };
  const t = sb.tasks[0]!;
  return { ...t.metrics[sb.headline]!, n: t.n };
}

/** A subset's counts: questions, and per metric how many scored 1 (views alike). */
export interface SubsetCounts {
  subset: string;
  n: number;
  counts: Record<string, number>;
  views?: Record<string, { n: number; counts: Record<string, number> }>;
}

/**
 * The scoreboard of a result known by its counts (a share link, merged links): every 0/1 metric
 * is a function of the counts (metrics.ts proportionStat), so the numbers are the run's exactly.
 */
export function scoreboardFromCounts(
  benchmark: Benchmark,
  template: string,
  subsets: string[],
  rows: SubsetCounts[],
  probabilities: Probabilities,
): Scoreboard {
  const metrics = templateMetrics(template);
  const views = Object.keys(benchmark.views ?? {});
  const byId = new Map(rows.map((r) => [r.subset, r]));
  const present = subsets.filter((s) => byId.has(s));
  const tasks: TaskScore[] = present.map((subset) => {
    const r = byId.get(subset)!;
    const m: Record<string, Score> = {};
    for (const k of metrics) m[k] = score(proportionStat(r.counts[k]!, r.n));
    for (const v of views) {
      const vr = r.views?.[v];
      if (vr && vr.n > 0) for (const k of metrics) m[`${k}_${v}`] = score(proportionStat(vr.counts[k]!, vr.n));
    }
    return {
      subset,
      task: benchmark.taskName(template, subset),
      n: r.n,
      metrics: m,
      viewN: Object.fromEntries(views.map((v) => [v, r.views?.[v]?.n ?? 0])),
    };
  });
  return assemble(benchmark, template, tasks, present, probabilities);
}

/** The scoreboard around its tasks: the template's metrics and headline, the benchmark's groups computed from the tasks. */
function assemble(
  benchmark: Benchmark,
  template: string,
  tasks: TaskScore[],
  present: string[],
  probabilities: Probabilities,
): Scoreboard {
  const sb: Scoreboard = {
    benchmark: benchmark.id,
    template,
    headline: templateHeadline(template),
    metrics: templateMetrics(template),
    views: Object.keys(benchmark.views ?? {}),
    tasks,
    groups: [],
    n: tasks.reduce((a, t) => a + t.n, 0),
    probabilities,
  };
  sb.groups = benchmark.groups(template, present).map((g) => computeGroup(sb, g));
  return sb;
}
