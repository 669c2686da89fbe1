import type { ComparableResult } from '../../core/compare/results.ts';

/**
 * What the compare view holds: its sides (each with the key of what it came from, so the same run,
 * link or file is not added twice) and the problems met adding them. It lives with the app, not the
 * view, so leaving the tab keeps the list.
 */
export class CompareState {
  sides = $state.raw<ComparableResult[]>([]);
  keys = $state.raw<string[]>([]);
  problems = $state<string[]>([]);
  metric = $state('');

  /** Whether what `key` names is in the list already (then said among the problems). */
  duplicate(key: string, label: string): boolean {
    if (!this.keys.includes(key)) return false;
    this.problems = [...this.problems, `${label} is already in the list`];
    return true;
  }

  /** Adds a side made under a label not yet used. */
  add(key: string, make: (label: string) => ComparableResult, label: string): void {
    this.sides = [...this.sides, make(this.unique(label))];
    this.keys = [...this.keys, key];
  }

  remove(i: number): void {
    this.sides = this.sides.filter((_, j) => j !== i);
    this.keys = this.keys.filter((_, j) => j !== i);
  }

  clear(): void {
    this.sides = [];
    this.keys = [];
    this.problems = [];
  }

  private unique(label: string): string {
    let l = label;
    for (let k = 2; this.sides.some((s) => s.label === l); k++) l = `${label} (${k})`;
    return l;
  }
}
