import { LM_EVAL_RELEASES } from '../lmEvalReleases.ts';
import { deflateSync, inflateSync } from 'fflate';
import { benchmarkOf } from '../benchmarks/registry.ts';
import type { EvalSettings } from '../records.ts';
import { MAX_PARTS } from '../parts.ts';
import { TEMPLATES } from '../templates/presets.ts';
import { fromBase64Url, toBase64Url } from './bits.ts';
import { ShareError } from './payload.ts';

/**
 * A classroom session as its join link carries it (#/join/<text>): the presenter's setup and the
 * number of parts. Each student's device runs one part (settings.part) and sends back its result
 * link; the presenter merges them (mergeLinks.ts).
 */
export interface ClassroomSession {
  v: 1;
  /** Model repository id and the dtype every part must use (a dtype difference would refuse the merge). */
  model: string;
  dtype: string;
  settings: Omit<EvalSettings, 'part'>;
  parts: number;
  /** When the presenter started it (tells sessions apart). */
  created: number;
}

const PREFIX = 'j1.';
const MAX_CHARS = 32_768;

export function encodeSession(s: ClassroomSession): string {
  return PREFIX + toBase64Url(deflateSync(new TextEncoder().encode(JSON.stringify(s)), { level: 9 }));
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, max = 200) => typeof v === 'string' && v.length > 0 && v.length <= max;
const int = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** A join link's session, checked field by field (it is untrusted input); ShareError says what is wrong. */
export function decodeSession(text: string): ClassroomSession {
  const t = text.trim();
  if (t.length > MAX_CHARS) throw new ShareError('the join link is too long');
  if (!t.startsWith(PREFIX)) throw new ShareError('this is not a pagebench classroom link (no "j1." mark)');
  let v: unknown;
  try {
    const bytes = fromBase64Url(t.slice(PREFIX.length));
    const raw = inflateSync(bytes);
    if (raw.length > 262_144) throw new Error('too large');
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new ShareError('the join link is damaged');
  }
  const bad = (what: string): never => {
    throw new ShareError(`the join link's ${what} is not valid`);
  };
  if (!isObj(v) || v.v !== 1) bad('version');
  const s = v as Record<string, unknown>;
  if (!str(s.model) || !/^[\w.-]+\/[\w.-]+$/.test(s.model as string)) bad('model');
  if (!['fp32', 'fp16', 'q8', 'q4', 'q4f16'].includes(s.dtype as string)) bad('dtype');
  if (!int(s.parts, 1, MAX_PARTS)) bad('number of parts');
  if (!int(s.created, 0, 8.64e15)) bad('date');
  if (!isObj(s.settings)) bad('setup');
  const e = s.settings as Record<string, unknown>;
  let benchmark;
  try {
    benchmark = benchmarkOf({ benchmark: e.benchmark as string | undefined });
  } catch {
    return bad('benchmark');
  }
  if (!str(e.template) || !TEMPLATES[e.template as string] || !benchmark.templates.includes(e.template as string))
    bad('template');
  if (
    !Array.isArray(e.subjects) ||
    !e.subjects.length ||
    !e.subjects.every((x) => benchmark.subsets.includes(x as string))
  )
    bad('subject list');
  if (!benchmark.splits.includes(e.split as string)) bad('split');
  if (!int(e.shots, 0, 25)) bad('number of shots');
  if (e.limit !== undefined && !int(e.limit, 1, 1_000_000)) bad('limit');
  if (!['lm-eval', 'tokenizer', 'never', 'always'].includes(e.bos as string)) bad('BOS policy');
  if (e.lmEval !== undefined && !LM_EVAL_RELEASES.some((r) => r.version === e.lmEval)) bad('lm-eval release');
  if (!['fast', 'harness', 'naive'].includes(e.scorer as string)) bad('scorer');
  if (e.description !== undefined && e.description !== false) bad('description setting');
  if (e.chat !== undefined && !['none', 'single', 'multiturn'].includes(e.chat as string)) bad('chat setting');
  if (e.system !== undefined && !(typeof e.system === 'string' && e.system.length <= 4000)) bad('system prompt');
  if (e.generation !== undefined) {
    const g = e.generation;
    const num = (x: unknown, lo: number, hi: number) =>
      x === undefined || (typeof x === 'number' && x >= lo && x <= hi);
    if (
      !isObj(g) ||
      !(g.maxNewTokens === undefined || int(g.maxNewTokens, 1, 4096)) ||
      !(g.stop === undefined || (Array.isArray(g.stop) && g.stop.length <= 16 && g.stop.every((x) => str(x, 100)))) ||
      !num(g.temperature, 0, 100) ||
      !(g.topK === undefined || int(g.topK, 0, 1_000_000)) ||
      !(num(g.topP, 0, 1) && g.topP !== 0) ||
      !(g.seed === undefined || int(g.seed, 0, 2 ** 31))
    )
      bad('generation settings');
  }
  const known = new Set([
    'benchmark',
    'subjects',
    'split',
    'shots',
    'template',
    'limit',
    'bos',
    'lmEval',
    'scorer',
    'batchSize',
    'description',
    'chat',
    'system',
    'generation',
  ]);
  for (const k of Object.keys(e)) if (!known.has(k)) bad(`setup (unknown field "${k}")`);
  return v as ClassroomSession;
}
