import type { TaskTiming } from './calibrate.ts';
import { quantile } from './util/quantile.ts';

/**
 * Time estimates before a run, from measurements only: the first questions of the run timed on
 * this device and model (a calibration), or the speed of earlier runs of the same model, dtype,
 * device, template and shots. Shown as a range; the live ETA takes over once the run starts.
 */
/** Seconds as the page and the CLI show a time: "45 s", "3 min 20 s", "2 h 5 min". */
export function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '—';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export interface TimeRange {
  lo: number;
  hi: number;
  /** Where the numbers come from, for the page. */
  basis: string;
}

/**
 * From per-question seconds of a calibration (the first one includes the subject's few-shot
 * prefix, computed once per subject by the fast scorer): each subject pays that prefix once, each
 * question the interquartile range of the others' times.
 */
export function fromCalibration(questionSeconds: number[], questions: number, subjects: number): TimeRange | null {
  if (questionSeconds.length < 2) return null;
  const rest = questionSeconds.slice(1).sort((a, b) => a - b);
  const prefix = Math.max(0, questionSeconds[0]! - quantile(rest, 0.5));
  return {
    lo: subjects * prefix + questions * quantile(rest, 0.25),
    hi: subjects * prefix + questions * quantile(rest, 0.75),
    basis: `measured: ${questionSeconds.length} questions on this device`,
  };
}

/**
 * From a task's timing (core/calibrate.ts): the first question's extra time (the warm-up and the first
 * subset's prefix) once, each further subset the second timed subset's prefix cost scaled by prefix
 * length, each question the interquartile range of the timed ones' scaled by what the task computes.
 */
export function fromTaskTiming(t: TaskTiming, basis: string): TimeRange | null {
  const starts = new Set(t.subsetStarts);
  const rest = t.questionSeconds.filter((_, i) => !starts.has(i)).sort((a, b) => a - b);
  if (rest.length === 0) return null;
  const med = quantile(rest, 0.5);
  const warm = Math.max(0, t.questionSeconds[0]! - med);
  const second = t.subsetStarts[1];
  const prefix = second !== undefined ? Math.max(0, t.questionSeconds[second]! - med) * t.prefixRatio : 0;
  const fixed = warm + (t.subsets - 1) * prefix;
  return {
    lo: fixed + t.questions * t.questionRatio * quantile(rest, 0.25),
    hi: fixed + t.questions * t.questionRatio * quantile(rest, 0.75),
    basis,
  };
}

/** From earlier runs' questions per second (same model, dtype, device, template and shots). */
export function fromEarlierRuns(questionsPerSecond: number[], questions: number): TimeRange | null {
  const rates = questionsPerSecond.filter((r) => Number.isFinite(r) && r > 0);
  if (rates.length === 0) return null;
  return {
    lo: questions / Math.max(...rates),
    hi: questions / Math.min(...rates),
    basis: `from ${rates.length} earlier run(s) of this setup on this device`,
  };
}

export interface TaskTime {
  /** The task's name as the suite shows it. */
  column: string;
  questions: number;
  range: TimeRange;
  /** The task answers by generating (its time is its generated tokens'). */
  generates: boolean;
}

export interface SuiteTime {
  tasks: TaskTime[];
  total: TimeRange;
  /** The task that takes most of the time, when it takes over half of it. */
  dominant: { column: string; share: number; generates: boolean } | null;
}

/** A suite's time: its tasks' ranges added up, and which task dominates (by the ranges' midpoints). */
export function suiteTime(tasks: TaskTime[], basis: string): SuiteTime {
  const lo = tasks.reduce((a, t) => a + t.range.lo, 0);
  const hi = tasks.reduce((a, t) => a + t.range.hi, 0);
  const mid = (r: TimeRange) => (r.lo + r.hi) / 2;
  const top = tasks.reduce<TaskTime | null>((a, t) => (!a || mid(t.range) > mid(a.range) ? t : a), null);
  const share = top && lo + hi > 0 ? mid(top.range) / ((lo + hi) / 2) : 0;
  return {
    tasks,
    total: { lo, hi, basis },
    dominant: top && share > 0.5 ? { column: top.column, share, generates: top.generates } : null,
  };
}

/** A range as words: "about 3 min 20 s", "2 min 10 s to 3 min 0 s" when the ends differ by over a tenth, "under 1 s". */
export const timeText = (t: TimeRange) =>
  t.hi < 0.5
    ? 'under 1 s'
    : Math.abs(t.hi - t.lo) < 0.1 * t.hi || duration(t.lo) === duration(t.hi)
      ? `about ${duration(t.hi)}`
      : `${duration(t.lo)} to ${duration(t.hi)}`;
