/**
 * Time estimates before a run, from measurements only: the first questions of the run timed on
 * this device and model (a calibration), or the speed of earlier runs of the same model, dtype,
 * device, template and shots. Shown as a range; the live ETA takes over once the run starts.
 */
export interface TimeRange {
  lo: number;
  hi: number;
  /** Where the numbers come from, for the page. */
  basis: string;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  return sorted[i]! + (sorted[Math.min(i + 1, sorted.length - 1)]! - sorted[i]!) * (pos - i);
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
