import { lmEvalRelease } from '../lmEvalReleases.ts';
import type { SubjectData } from '../benchmarks/doc.ts';
import { benchmarkOf } from '../benchmarks/registry.ts';
import { runPrompts } from '../prompts.ts';
import { dataHash } from '../report/fingerprint.ts';
import { factsFromConfig, settingsFromConfig } from '../report/runConfig.ts';
import { serializeResults } from '../report/results.ts';
import { scoreboardFromCounts, type Scoreboard, type SubsetCounts } from '../report/scoreboard.ts';
import { fromBase64Url, unpackValues } from './bits.ts';
import { comparableFromResults, type ComparableResult } from '../compare/results.ts';
import { ShareError, type SharePayload } from './payload.ts';

export function payloadCounts(p: SharePayload): SubsetCounts[] {
  const named = (counts: number[]) => Object.fromEntries(p.metrics.map((m, i) => [m, counts[i]!]));
  return p.tasks.map(([subset, n, counts, views]) => ({
    subset,
    n,
    counts: named(counts),
    ...(views
      ? { views: Object.fromEntries(Object.entries(views).map(([v, [vn, vc]]) => [v, { n: vn, counts: named(vc) }])) }
      : {}),
  }));
}

const NO_PROBABILITIES = {
  ece: null,
  brier: null,
  rms_calibration_error: null,
  rms_calibration_error_by_group: {},
  answer_distribution: { predicted: [], gold: [], recall: [], rstd: null },
};

/** The scoreboard a link carries: per-subset counts → the same numbers as the run's. */
export function payloadScoreboard(p: SharePayload): Scoreboard {
  const c = p.config;
  return scoreboardFromCounts(
    benchmarkOf(c),
    c.template,
    c.subjects,
    payloadCounts(p),
    p.probabilities ?? NO_PROBABILITIES,
  );
}

/** The results.json a link carries (lm-eval's shape; config.shared_link says where it came from). */
export function resultsFromPayload(p: SharePayload): Record<string, unknown> {
  const c = p.config;
  const results = serializeResults(benchmarkOf(c), payloadScoreboard(p), settingsFromConfig(c), factsFromConfig(c));
  (results.config as Record<string, unknown>).shared_link = { version: p.v, kind: p.picks ? 'full' : 'summary' };
  return results;
}

/** One question's pick from a full link, with the question itself rebuilt from the dataset. */
export interface LinkedPick {
  subject: string;
  doc_id: number;
  target: number;
  pred: number;
  pred_norm?: number;
  context: string;
  continuations: string[];
}

export class DataMismatchError extends ShareError {}

/**
 * A full link's picks joined to the questions of the dataset at hand. The data must hash as the
 * run's did (config.fingerprint.data_sha256); otherwise DataMismatchError, never wrong rows.
 */
export async function linkedPicks(p: SharePayload, data: SubjectData[]): Promise<LinkedPick[]> {
  if (!p.picks) throw new ShareError('a summary link carries no per-question picks (share the full link)');
  const c = p.config;
  const expected = c.fingerprint?.data_sha256;
  if (!expected) throw new ShareError("the link does not record its data's hash, so its questions cannot be matched");
  const got = await dataHash(data, c.limit ?? undefined, lmEvalRelease(c.lm_eval_version).sampler === 'shuffle42');
  if (got !== expected)
    throw new DataMismatchError(
      `the dataset here differs from the one the run used (data hash ${got.slice(0, 12)}… vs ${expected.slice(0, 12)}…): its questions are not shown`,
    );
  const settings = settingsFromConfig(c);
  const { items: all } = runPrompts(settings, data);
  let items = all;
  if (c.part) items = items.slice(c.part.start, c.part.end);
  const total = p.tasks.reduce((a, x) => a + x[1], 0);
  if (items.length !== total)
    throw new DataMismatchError(`the dataset here has ${items.length} of the run's questions, the link ${total}`);
  const preds = unpackValues(fromBase64Url(p.picks.pred), p.picks.bits, total);
  const norms = p.picks.norm ? unpackValues(fromBase64Url(p.picks.norm), p.picks.bits, total) : null;
  return items.map((it, i) => {
    const pred = preds[i]! - p.picks!.offset;
    if (pred >= it.prompt.continuations.length)
      throw new ShareError(`the link's pick for ${it.subject}/${it.docId} is not one of its choices`);
    return {
      subject: it.subject,
      doc_id: it.docId,
      target: it.prompt.target,
      pred,
      ...(norms ? { pred_norm: norms[i]! } : {}),
      context: it.prompt.context,
      continuations: it.prompt.continuations,
    };
  });
}

/** A link as one side of a comparison; with its picks joined to the dataset, paired statistics become possible. */
export function comparableFromLink(label: string, p: SharePayload, linked?: readonly LinkedPick[]): ComparableResult {
  const c = comparableFromResults(label, resultsFromPayload(p));
  c.source = 'link';
  if (linked)
    c.picks = new Map(
      linked.map((q) => [
        `${q.subject}/${q.doc_id}`,
        { pred: q.pred, correct: q.pred === q.target ? 1 : 0, subject: q.subject, doc_id: q.doc_id },
      ]),
    );
  return c;
}
