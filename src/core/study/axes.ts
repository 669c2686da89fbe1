import type { Benchmark } from '../benchmarks/types.ts';
import { fewshotSplit } from '../benchmarks/fewshot.ts';
import { getLabelSet, LABEL_SET_IDS } from '../templates/labels.ts';
import { getTemplate } from '../templates/presets.ts';
import { didYouMean } from '../util/suggest.ts';

/**
 * The axes a study varies: the prompt's, and the model's dtype (one model loaded per dtype). Every
 * variant has a value on every axis (the run's own setting where the axis is not varied); the
 * values are plain strings, as written on the command line. Studies stored before the dtype axis
 * existed have no `dtype`: they ran on their run's one model.
 */
export const AXES = ['template', 'shots', 'order', 'shot_order', 'labels', 'chat', 'description', 'dtype'] as const;
export type Axis = (typeof AXES)[number];
export type Axes = Record<Exclude<Axis, 'dtype'>, string> & { dtype?: string };

/** The dtypes a model can be loaded in (transformers.js' file suffixes). */
export const DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;

export { CHAT_MODES, type ChatMode } from '../templates/chat.ts';
import { CHAT_MODES, type ChatMode } from '../templates/chat.ts';

export interface Variant {
  /** Made of the varied axes' values; also the variant's folder name. */
  id: string;
  axes: Axes;
}

export class AxisError extends Error {}

const seeded = /^random:(\d+)$/;

/** One axis value checked (and `order=cyclic` expanded to its four rotations). */
function axisValues(axis: Axis, value: string, benchmark: Benchmark): string[] {
  switch (axis) {
    case 'template': {
      const t = getTemplate(value);
      if (!benchmark.templates.includes(value))
        throw new AxisError(
          `template ${value} does not apply to ${benchmark.id} (its templates: ${benchmark.templates.join(', ')})`,
        );
      if (t.scoring === 'generate')
        throw new AxisError(`template ${value} scores by generation; studies compare log-likelihood scoring`);
      return [value];
    }
    case 'shots':
      if (!/^\d+$/.test(value)) throw new AxisError(`shots must be a non-negative integer, got "${value}"`);
      if (fewshotSplit(benchmark) === 'dev' && Number(value) > 5)
        throw new AxisError(`shots=${value}: MMLU's dev split has 5 rows per subject`);
      return [String(Number(value))];
    case 'order':
      if (value === 'cyclic') return ['cyc0', 'cyc1', 'cyc2', 'cyc3'];
      if (value === 'identity' || value === 'reverse' || /^cyc\d+$/.test(value) || seeded.test(value)) return [value];
      throw new AxisError(`order must be identity, cyclic, cyc<S>, reverse or random:<seed>, got "${value}"`);
    case 'shot_order':
      if (value === 'first_n' || seeded.test(value)) return [value];
      throw new AxisError(`shot_order must be first_n or random:<seed>, got "${value}"`);
    case 'labels':
      try {
        return [getLabelSet(value).id];
      } catch (e) {
        throw new AxisError((e as Error).message);
      }
    case 'description':
      if (value === 'on' || value === 'off') return [value];
      throw new AxisError(`description must be on or off, got "${value}"`);
    case 'dtype':
      if ((DTYPES as readonly string[]).includes(value)) return [value];
      throw new AxisError(`dtype must be one of ${DTYPES.join(', ')}, got "${value}"${didYouMean(value, DTYPES)}`);
    case 'chat':
      if ((CHAT_MODES as readonly string[]).includes(value)) return [value];
      throw new AxisError(
        `chat must be one of ${CHAT_MODES.join(', ')}, got "${value}"${didYouMean(value, CHAT_MODES)}`,
      );
  }
}

/** `--vary axis=v1,v2,…` arguments, in the order given; an axis given twice is an error. */
export function parseVary(specs: readonly string[], benchmark: Benchmark): [Axis, string[]][] {
  const out: [Axis, string[]][] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const axis = spec.slice(0, eq) as Axis;
    if (eq < 0 || !AXES.includes(axis)) {
      const hint = eq < 0 ? '' : didYouMean(spec.slice(0, eq), AXES);
      throw new AxisError(`--vary takes <axis>=<v1>,<v2>… with axis one of ${AXES.join(', ')}; got "${spec}"${hint}`);
    }
    if (out.some(([a]) => a === axis)) throw new AxisError(`--vary ${axis} given twice`);
    const values = spec
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '')
      .flatMap((v) => axisValues(axis, v, benchmark));
    if (values.length === 0) throw new AxisError(`--vary ${axis}= has no values`);
    if (new Set(values).size !== values.length) throw new AxisError(`--vary ${axis} repeats a value`);
    out.push([axis, values]);
  }
  return out;
}

/** The run's own setting on every axis. */
export function baseAxes(
  benchmark: Benchmark,
  template: string,
  shots: number,
  chat: ChatMode = 'none',
  description = true,
  dtype = 'fp32',
): Axes {
  const f = benchmark.fewshot;
  return {
    template,
    shots: String(shots),
    order: 'identity',
    shot_order: f.sampler === 'random' ? `random:${f.seed ?? 1234}` : 'first_n',
    labels: getTemplate(template).labels ?? 'none',
    chat,
    description: description ? 'on' : 'off',
    dtype,
  };
}

const idPart = (axis: Axis, v: string | undefined) => `${axis}-${(v ?? '').replace(/[^A-Za-z0-9._-]/g, '')}`;

/** The cross product of the varied axes over the base (the first --vary outermost). */
export function expandVariants(base: Axes, vary: readonly [Axis, string[]][]): Variant[] {
  let combos: Partial<Axes>[] = [{}];
  for (const [axis, values] of vary) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  const variants = combos.map((c) => {
    const axes = { ...base, ...c };
    // A label set only applies to a lettered template.
    if (c.template && !c.labels) axes.labels = getTemplate(axes.template).labels ?? 'none';
    return { id: vary.map(([a]) => idPart(a, axes[a])).join('_') || 'base', axes };
  });
  for (const v of variants) {
    if (getTemplate(v.axes.template).trueMass)
      throw new AxisError(
        `template ${v.axes.template} scores each question by a probability mass, not right or wrong; studies compare right/wrong answers`,
      );
    if (v.axes.labels !== 'none' && !getTemplate(v.axes.template).withLabels)
      throw new AxisError(`labels=${v.axes.labels}: template ${v.axes.template} shows no labels`);
  }
  const ids = new Set(variants.map((v) => v.id));
  if (ids.size !== variants.length) variants.forEach((v, i) => (v.id = `${v.id}_${i}`));
  if (variants.length < 2)
    throw new AxisError('a study needs at least two variants: give --vary with two or more values');
  return variants;
}

export const LABEL_VALUES = LABEL_SET_IDS;

/**
 * Variants with the same key share each subject's prompt prefix (they differ in the question's
 * choices only). On one model: the dtype is not part of it.
 */
export function prefixGroupKey(axes: Axes): string {
  return JSON.stringify([axes.template, axes.shots, axes.shot_order, axes.labels, axes.chat, axes.description]);
}
