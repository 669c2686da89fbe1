/**
 * Questions per second for a time estimate. The first chunk carries the warm-up (the first
 * inference sets up kernels and shapes; an automatic batch size probes): counted in, it made a
 * resumed run's first estimate many times too long. The rate is measured from the end of the first
 * chunk; until a second chunk has finished there is no estimate (NaN).
 */
export class RateMeter {
  private first: { done: number; t: number } | null = null;
  private readonly t0: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.t0 = now();
  }

  /** Items done so far (cumulative since the meter started); returns items per second, or NaN. */
  record(done: number): number {
    const t = this.now();
    if (!this.first) {
      this.first = { done, t };
      return NaN;
    }
    if (done <= this.first.done || t <= this.first.t) return NaN;
    return (done - this.first.done) / ((t - this.first.t) / 1000);
  }

  /** Items per second over the whole time since the meter started (what a finished run reports). */
  overall(done: number): number {
    const s = (this.now() - this.t0) / 1000;
    return s > 0 ? done / s : NaN;
  }
}
