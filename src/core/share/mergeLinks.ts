import { checkParts, partEnvironment, type MergeOptions } from '../report/merge.ts';
import type { RunConfig } from '../report/runConfig.ts';
import { fromBase64Url, packValues, toBase64Url, unpackValues } from './bits.ts';
import type { SharePayload, ShareTask } from './payload.ts';

export interface LinkPart {
  label: string;
  payload: SharePayload;
}

export interface MergedLinks {
  payload: SharePayload;
  missing: number[];
  environmentDiffers: string[];
}

/**
 * A classroom's parts (each device's link) merged into the link of the whole run: the same checks
 * as `pagebench merge`, then each subset's counts summed, so every acc and stderr equals a single
 * run's (they are functions of the counts). The picks travel on when every part is a full link;
 * calibration figures do not (they need each question's probabilities).
 */
export function mergeLinkParts(parts: LinkPart[], opts: MergeOptions = {}): MergedLinks {
  const { ordered, missing, environmentDiffers } = checkParts(
    parts.map((p) => ({
      label: p.label,
      config: p.payload.config,
      questions: p.payload.tasks.reduce((a, t) => a + t[1], 0),
      payload: p.payload,
    })),
    opts,
  );
  const payloads = ordered.map((o) => o.payload);
  const first = payloads[0]!;
  const c0 = first.config;
  const bySubset = new Map<string, ShareTask>();
  for (const p of payloads)
    for (const [subset, n, counts, views] of p.tasks) {
      const t = bySubset.get(subset);
      if (!t) {
        bySubset.set(
          subset,
          [subset, n, [...counts], views ? structuredClone(views) : undefined].filter(
            (x) => x !== undefined,
          ) as ShareTask,
        );
        continue;
      }
      t[1] += n;
      counts.forEach((k, i) => (t[2][i]! += k));
      for (const [v, [vn, vc]] of Object.entries(views ?? {})) {
        const mine = (t[3] ??= {});
        const cur = (mine[v] ??= [0, vc.map(() => 0)]);
        cur[0] += vn;
        vc.forEach((k, i) => (cur[1][i]! += k));
      }
    }
  const subjects = [...new Set(payloads.flatMap((p) => p.config.subjects))];
  const sum = (f: (c: RunConfig) => number) => payloads.reduce((a, p) => a + f(p.config), 0);
  const config: RunConfig = {
    ...c0,
    subjects,
    prompt_tokens: sum((c) => c.prompt_tokens),
    truncated_count: sum((c) => c.truncated_count),
    load_seconds: sum((c) => c.load_seconds ?? 0),
    eval_seconds: sum((c) => c.eval_seconds ?? 0),
    date: payloads
      .map((p) => p.config.date)
      .sort()
      .at(-1)!,
    parts: payloads.map((p) => partEnvironment(p.config)),
    environment_differs: environmentDiffers,
  };
  delete config.part;
  // each part's percentiles are its own: the whole run's cannot be computed from them (merge samples for it)
  delete config.generation_speed;
  const questions = [...bySubset.values()].reduce((a, t) => a + t[1], 0);
  if (missing.length) config.partial = { done: questions, total: c0.part!.total };
  const payload: SharePayload = {
    v: 1,
    config,
    metrics: first.metrics,
    tasks: subjects.map((s) => bySubset.get(s)!),
    probabilities: null,
  };
  if (!missing.length && payloads.every((p) => p.picks)) {
    const bits = Math.max(...payloads.map((p) => p.picks!.bits));
    const values = (field: 'pred' | 'norm') =>
      payloads.flatMap((p) =>
        unpackValues(
          fromBase64Url(p.picks![field]!),
          p.picks!.bits,
          p.tasks.reduce((a, t) => a + t[1], 0),
        ),
      );
    payload.picks = {
      bits,
      offset: first.picks!.offset,
      pred: toBase64Url(packValues(values('pred'), bits)),
      ...(payloads.every((p) => p.picks!.norm) ? { norm: toBase64Url(packValues(values('norm'), bits)) } : {}),
    };
  }
  return { payload, missing, environmentDiffers };
}
