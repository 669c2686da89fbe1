export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A run's subjects in a few words: up to two by name, else how many. */
export const subjectsText = (s: readonly string[]) => (s.length <= 2 ? s.join(', ') : `${s.length} subjects`);
