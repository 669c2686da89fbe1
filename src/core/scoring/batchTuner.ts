/**
 * Chooses questions per forward pass for `batchSize: 'auto'`: whether batching pays depends on the
 * backend (a GPU with idle lanes gains; a CPU, or a GPU emulated on one, loses to the padding),
 * so it is measured on the run itself. After one warm-up chunk of each size, it times a few
 * questions one by one and one full batch, then keeps the faster per question. The numbers do not
 * depend on the choice (padding is exact); only the speed does.
 */
export class BatchTuner {
  private readonly plan: { size: number; timed: boolean }[];
  private readonly seconds = new Map<number, { s: number; n: number }>();
  private choice: number | null = null;

  constructor(readonly max: number) {
    this.plan =
      max <= 1
        ? []
        : [
            { size: 1, timed: false },
            { size: max, timed: false },
            ...Array.from({ length: 4 }, () => ({ size: 1, timed: true })),
            { size: max, timed: true },
          ];
    if (max <= 1) this.choice = 1;
  }

  /** The chunk size to use next. */
  next(): number {
    return this.choice ?? this.plan[0]!.size;
  }

  /** The size chosen after probing (null while probing). */
  get chosen(): number | null {
    return this.choice;
  }

  /** Reports the chunk just scored (its size as asked, the questions it held, its seconds). */
  record(questions: number, seconds: number): void {
    if (this.choice !== null) return;
    const step = this.plan.shift()!;
    if (step.timed && questions > 0) {
      const t = this.seconds.get(step.size) ?? { s: 0, n: 0 };
      this.seconds.set(step.size, { s: t.s + seconds, n: t.n + questions });
    }
    if (this.plan.length === 0) {
      const per = (size: number) => {
        const t = this.seconds.get(size);
        return t && t.n > 0 ? t.s / t.n : Infinity;
      };
      this.choice = per(this.max) < per(1) ? this.max : 1;
    }
  }
}
