import { deflateSync, Inflate } from 'fflate';
import { Validator, type Schema } from '@cfworker/json-schema';
import resultsSchema from '../../../schema/results.schema.json';
import shareSchema from '../../../schema/share.schema.json';
import { benchmarkOf } from '../benchmarks/registry.ts';
import { QUIZ_PREFIX } from '../benchmarks/quiz/index.ts';
import { LM_EVAL_RELEASES } from '../lmEvalReleases.ts';
import type { Sample } from '../records.ts';
import type { RunConfig } from '../report/runConfig.ts';
import { resultKey, sampleValue, templateMetrics, type Probabilities } from '../report/scoreboard.ts';
import { getTemplate, TEMPLATES } from '../templates/presets.ts';
import { fromBase64Url, packValues, toBase64Url } from './bits.ts';

/**
 * A result carried by a link (`#/share/<payload>`), with no server: versioned JSON, deflated,
 * base64url. The summary holds the setup and per-subset counts; the full payload adds each
 * question's pick (a few bits each, in run order) so the receiver can rebuild the question
 * explorer from the dataset, checked against the data hash in the setup.
 */
export const SHARE_VERSION = 1;
const PREFIX = `v${SHARE_VERSION}.`;

/** A subset's questions and, per metric (payload.metrics order), how many scored 1; views alike. */
export type ShareTask = [subset: string, n: number, counts: number[], views?: Record<string, [number, number[]]>];

export interface SharePayload {
  v: 1;
  /** results.json's config, less the merged parts' list. */
  config: RunConfig;
  metrics: string[];
  tasks: ShareTask[];
  probabilities: Probabilities | null;
  /** Full links: pred (+1 under generation, where −1 is no answer) per question in run order; acc_norm picks apart. */
  picks?: { bits: number; offset: 0 | 1; pred: string; norm?: string };
}

export class ShareError extends Error {}

/** Caps on untrusted link text, before and after inflating, and on any string or list inside. */
export const LIMITS = {
  linkChars: 262_144,
  inflatedBytes: 1_048_576,
  stringChars: 10_000,
  listItems: 20_000,
  depth: 12,
};

// An interpreting validator: the page's Content Security Policy allows no eval (Ajv compiles schemas to code).
const shareValidator = new Validator(shareSchema as unknown as Schema, '7', false);
shareValidator.addSchema(resultsSchema as unknown as Schema);

type Results = { config: RunConfig } & Record<string, unknown>;

/** The payload of a run's result (summary), with each question's pick when the samples are given (full). */
export function buildPayload(results: Results, samples?: readonly Sample[]): SharePayload {
  const config = { ...results.config };
  delete config.parts;
  delete config.environment_differs;
  const template = getTemplate(config.template);
  const metrics = templateMetrics(config.template);
  const benchmark = benchmarkOf(config);
  const views = Object.keys(benchmark.views ?? {});
  if (template.trueMass)
    throw new ShareError(
      `a link carries how many questions scored 1; ${benchmark.label}'s acc is a probability mass per question, which it cannot carry yet: share the run's output folder instead (pagebench compare reads it)`,
    );
  const bySubset = new Map<string, Sample[]>();
  const taskNames = new Map(config.subjects.map((s) => [benchmark.taskName(config.template, s), s]));
  const tasks: ShareTask[] = [];
  if (samples) {
    for (const s of samples) bySubset.set(s.subject, [...(bySubset.get(s.subject) ?? []), s]);
    for (const subset of config.subjects) {
      const list = bySubset.get(subset) ?? [];
      if (!list.length) continue;
      const task: ShareTask = [
        subset,
        list.length,
        metrics.map((m) => list.reduce((a, s) => a + sampleValue(s, m), 0)),
      ];
      if (views.length) {
        task[3] = Object.fromEntries(
          views.map((v) => {
            const inView = list.filter(benchmark.views![v]!);
            return [v, [inView.length, metrics.map((m) => inView.reduce((a, s) => a + sampleValue(s, m), 0))]];
          }),
        );
      }
      tasks.push(task);
    }
  } else {
    // From results.json alone: counts are value × n (exact for 0/1 metrics).
    const res = results.results as Record<string, Record<string, number>>;
    const filter = template.generation?.filter ?? 'none';
    for (const [task, subset] of taskNames) {
      const e = res[task];
      if (!e) continue;
      const n = (results['n-samples'] as Record<string, { effective: number }>)[task]!.effective;
      const t: ShareTask = [subset, n, metrics.map((m) => Math.round(e[resultKey(m, filter)]! * n))];
      if (views.length)
        t[3] = Object.fromEntries(
          views.map((v) => [
            v,
            [
              e[`n_${v}`] ?? 0,
              metrics.map((m) => Math.round((e[resultKey(m, filter, `_${v}`)] ?? 0) * (e[`n_${v}`] ?? 0))),
            ],
          ]),
        );
      tasks.push(t);
    }
  }
  const p = results.probabilities as Probabilities | undefined;
  const payload: SharePayload = {
    v: 1,
    config,
    metrics,
    tasks,
    probabilities: p
      ? {
          ece: p.ece,
          brier: p.brier,
          rms_calibration_error: p.rms_calibration_error,
          rms_calibration_error_by_group: p.rms_calibration_error_by_group,
          answer_distribution: p.answer_distribution,
        }
      : null,
  };
  if (samples) {
    if (template.generation?.freeform)
      throw new ShareError(
        `a full link carries each question's pick; ${benchmark.label}'s answers are free text: the summary link carries every score`,
      );
    const ordered = config.subjects.flatMap((s) => bySubset.get(s) ?? []);
    const offset = template.scoring === 'generate' ? 1 : 0;
    const maxChoices = Math.max(2, ...ordered.map((s) => s.continuations.length));
    const bits = Math.max(1, Math.ceil(Math.log2(maxChoices + offset)));
    payload.picks = {
      bits,
      offset,
      pred: toBase64Url(
        packValues(
          ordered.map((s) => s.pred + offset),
          bits,
        ),
      ),
      ...(template.reportAccNorm
        ? {
            norm: toBase64Url(
              packValues(
                ordered.map((s) => s.pred_norm ?? 0),
                bits,
              ),
            ),
          }
        : {}),
    };
  }
  return payload;
}

/** The payload as link text: "v1." + base64url(deflate(JSON)). */
export function encodePayload(p: SharePayload): string {
  return PREFIX + toBase64Url(deflateSync(new TextEncoder().encode(JSON.stringify(p)), { level: 9 }));
}

/** `<base>#/share/<payload>`. */
export function shareLink(baseUrl: string, p: SharePayload): string {
  return `${baseUrl.replace(/#.*$/, '')}#/share/${encodePayload(p)}`;
}

/** The payload text of a link (or the payload text itself). */
export function payloadText(linkOrPayload: string): string {
  const t = linkOrPayload.trim();
  const i = t.indexOf('#/share/');
  return i >= 0 ? t.slice(i + '#/share/'.length) : t;
}

/** Inflates link bytes, refusing more than LIMITS.inflatedBytes. */
export function inflateCapped(bytes: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > LIMITS.inflatedBytes)
      throw new ShareError(`the link's content is larger than ${LIMITS.inflatedBytes} bytes`);
    chunks.push(chunk);
  });
  try {
    inflater.push(bytes, true);
  } catch (e) {
    if (e instanceof ShareError) throw e;
    throw new ShareError('the link is damaged (its compressed content does not inflate)');
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Refuses nesting, texts and lists beyond any result's (LIMITS). */
export function checkShape(v: unknown, depth = 0): void {
  if (depth > LIMITS.depth) throw new ShareError('the link nests deeper than any result does');
  if (typeof v === 'string' && v.length > LIMITS.stringChars)
    throw new ShareError(`the link holds a text longer than ${LIMITS.stringChars} characters`);
  if (Array.isArray(v)) {
    if (v.length > LIMITS.listItems)
      throw new ShareError(`the link holds a list longer than ${LIMITS.listItems} items`);
    for (const x of v) checkShape(x, depth + 1);
  } else if (v && typeof v === 'object') for (const x of Object.values(v)) checkShape(x, depth + 1);
}

/**
 * A link's payload, checked: version, size caps, schema, and consistency (known benchmark,
 * template and subsets; counts within n; the picks' length). Throws ShareError with a message a
 * reader can act on; never anything else.
 */
export function decodePayload(linkOrPayload: string): SharePayload {
  try {
    return decodeUnchecked(linkOrPayload);
  } catch (e) {
    if (e instanceof ShareError) throw e;
    throw new ShareError(`the link is not a valid pagebench result (${(e as Error)?.message ?? String(e)})`);
  }
}

function decodeUnchecked(linkOrPayload: string): SharePayload {
  const text = payloadText(String(linkOrPayload));
  if (text.length > LIMITS.linkChars) throw new ShareError(`the link is longer than ${LIMITS.linkChars} characters`);
  const m = /^v(\d+)\.(.*)$/s.exec(text);
  if (!m) throw new ShareError('this is not a pagebench result link (no version mark "v1.")');
  if (m[1] !== String(SHARE_VERSION))
    throw new ShareError(
      `this link is format v${m[1]}; this pagebench reads v${SHARE_VERSION} (a newer version made it?)`,
    );
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(m[2]!);
  } catch {
    throw new ShareError('the link is damaged (not base64url text)');
  }
  const json = inflateCapped(bytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw new ShareError('the link is damaged (its content is not JSON text)');
  }
  checkShape(value);
  const check = shareValidator.validate(value);
  if (!check.valid) {
    const e = check.errors.at(-1);
    throw new ShareError(
      `the link's result is malformed: ${e?.instanceLocation.replace(/^#/, '') || '/'} ${e?.error ?? ''}`.trim(),
    );
  }
  const p = value as unknown as SharePayload;
  checkConsistent(p);
  return p;
}

function checkConsistent(p: SharePayload): void {
  const c = p.config;
  if (!TEMPLATES[c.template]) throw new ShareError(`the link names an unknown template "${c.template}"`);
  if (c.lm_eval_version !== undefined && !LM_EVAL_RELEASES.some((r) => r.version === c.lm_eval_version))
    throw new ShareError(
      `the link names lm-eval ${c.lm_eval_version}, not a release pagebench reproduces (${LM_EVAL_RELEASES.map((r) => r.version).join(', ')})`,
    );
  let benchmark;
  try {
    benchmark = benchmarkOf(c);
  } catch (e) {
    // a quiz's result: this browser needs the quiz itself (its link or file) to show it
    throw new ShareError(
      c.benchmark?.startsWith(QUIZ_PREFIX)
        ? `the link's result is of a teacher's quiz: ${(e as Error).message}`
        : `the link names an unknown benchmark "${c.benchmark}"`,
    );
  }
  if (!benchmark.templates.includes(c.template))
    throw new ShareError(`the link's template ${c.template} does not apply to ${benchmark.id}`);
  const metrics = templateMetrics(c.template);
  if (JSON.stringify(metrics) !== JSON.stringify(p.metrics))
    throw new ShareError(`the link's metrics (${p.metrics.join(', ')}) are not the ${c.template} template's`);
  const seen = new Set<string>();
  for (const [subset, n, counts, views] of p.tasks) {
    if (!benchmark.subsets.includes(subset)) throw new ShareError(`the link names an unknown subset "${subset}"`);
    if (seen.has(subset)) throw new ShareError(`the link lists ${subset} twice`);
    seen.add(subset);
    if (!c.subjects.includes(subset)) throw new ShareError(`the link's counts for ${subset} are outside its setup`);
    if (counts.length !== metrics.length || counts.some((k) => k > n))
      throw new ShareError(`the link's counts for ${subset} do not fit its ${n} questions`);
    for (const [view, [vn, vc]] of Object.entries(views ?? {})) {
      if (!benchmark.views?.[view] || vn > n || vc.length !== metrics.length || vc.some((k) => k > vn))
        throw new ShareError(`the link's "${view}" counts for ${subset} are inconsistent`);
    }
  }
  if (!p.tasks.length) throw new ShareError('the link holds no questions');
  if (p.picks) {
    const total = p.tasks.reduce((a, t) => a + t[1], 0);
    const need = Math.ceil((total * p.picks.bits) / 8);
    for (const field of ['pred', 'norm'] as const) {
      const text = p.picks[field];
      if (text === undefined) continue;
      if (fromBase64Url(text).length !== need)
        throw new ShareError(`the link's picks do not match its ${total} questions`);
    }
  }
}
