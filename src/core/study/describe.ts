import { getTemplate } from '../templates/presets.ts';
import type { Axis } from './axes.ts';

const seed = (v: string) => /^random:(\d+)$/.exec(v)?.[1];

/** One axis value in words, as a reader of a study wants it ("choices rotated by 1"). */
export function describeAxis(axis: Axis, value: string): string {
  switch (axis) {
    case 'template': {
      const t = getTemplate(value);
      return `${value} template (${t.scoring === 'generate' ? 'generation' : `headline ${t.headline}`})`;
    }
    case 'shots':
      return value === '0' ? 'zero-shot' : `${value}-shot`;
    case 'order':
      if (value === 'identity' || value === 'cyc0') return 'choices in their original order';
      if (value === 'reverse') return 'choices reversed';
      if (seed(value) !== undefined) return `choices shuffled (seed ${seed(value)})`;
      return `choices rotated by ${value.slice(3)}`;
    case 'shot_order':
      return value === 'first_n' ? 'shots in file order' : `shots drawn at random (seed ${seed(value)})`;
    case 'labels':
      return `labels ${value}`;
    case 'chat':
      return value === 'none'
        ? 'no chat template'
        : value === 'single'
          ? 'chat: one user turn'
          : 'chat: a turn per shot';
    case 'description':
      return value === 'on' ? 'with the description line' : 'without the description line';
    case 'dtype':
      return `${value} weights`;
  }
}

/** A variant in words: its value on each varied axis, in the order the study varies them. */
export function describeVariant(axes: Readonly<Record<string, string | undefined>>, varied: readonly string[]): string {
  return varied.map((a) => describeAxis(a as Axis, axes[a] ?? '')).join(', ');
}
