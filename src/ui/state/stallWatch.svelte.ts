import { stepLimit, STEPS, type StepId } from '../stalls.ts';

/**
 * Watches a long wait: the step it is in and the time since the last sign of progress. When that
 * passes the step's limit, `stalled` names the step (the view says what is stuck and what to try);
 * any progress clears it.
 */
export class StallWatch {
  step = $state<StepId>('worker');
  /** The stuck step and for how many seconds nothing has happened, or null. */
  stalled = $state<{ step: StepId; seconds: number; doing: string; advice: string } | null>(null);
  private last = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  start(step: StepId): void {
    this.stop();
    this.step = step;
    this.last = performance.now();
    this.timer = setInterval(() => this.check(), 1000);
  }

  /** A sign of progress, optionally entering another step. */
  touch(step?: StepId): void {
    if (step) this.step = step;
    this.last = performance.now();
    this.stalled = null;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stalled = null;
  }

  private check(): void {
    const seconds = (performance.now() - this.last) / 1000;
    if (seconds < stepLimit(this.step)) return;
    const { doing, advice } = STEPS[this.step];
    this.stalled = { step: this.step, seconds: Math.floor(seconds), doing, advice };
  }
}
