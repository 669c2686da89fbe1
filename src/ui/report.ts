import { QUIZ_PREFIX } from '../core/benchmarks/quiz/index.ts';
import type { EvalSettings, Sample } from '../core/records.ts';
import { buildResults } from '../core/report/results.ts';
import { benchmarkOf } from '../core/benchmarks/registry.ts';
import type { RunRecord, StoredSample } from '../storage/db.ts';

/** results.json for a stored run, in the engine's format (the same builder the CLI uses). */
export function runResults(run: RunRecord, samples: Sample[]): Record<string, unknown> {
  const f = run.facts;
  const settings: EvalSettings = run.settings;
  return buildResults(settings, samples, {
    model: {
      id: run.model.id,
      revision: f?.revision ?? 'main',
      source: run.model.id.startsWith('local/') ? 'local' : 'hub',
      maxLength: f?.maxLength ?? 0,
      ...(f?.modelFiles ? { files: f.modelFiles } : {}),
    },
    dtype: run.model.dtype,
    device: run.model.device,
    threads: f?.threads,
    data: settings.benchmark?.startsWith(QUIZ_PREFIX)
      ? // a quiz's description (its title, size and hash) reads no data source
        benchmarkOf(settings).describeData(undefined!)
      : run.data.source === 'hub'
        ? `${run.data.hubUrl}/datasets/${benchmarkOf(settings).dataset}`
        : `local files (${run.data.group})`,
    batchSize: f?.batchSize ?? 1,
    graphRewrites: f?.graphRewrites ?? [],
    ...(f?.bosResolved ? { bosResolved: f.bosResolved } : {}),
    ...(f?.fingerprint ? { fingerprint: f.fingerprint } : {}),
    ...(f?.part ? { part: f.part } : {}),
    ...(run.switchedFrom
      ? { deviceSwitch: { from: run.switchedFrom.device, atQuestion: run.switchedFrom.atQuestion } }
      : {}),
    loadSeconds: f?.loadSeconds ?? 0,
    evalSeconds: f?.evalSeconds ?? 0,
    promptTokens: f?.promptTokens ?? 0,
    truncatedCount: samples.filter((s) => s.truncated).length,
    // When the run started, as lm-eval's results["date"] (evaluator.py: start_date).
    date: new Date(run.createdAt).toISOString(),
    partial: run.status === 'complete' ? undefined : { done: samples.length, total: Math.max(run.total, 1) },
  });
}

/**
 * Stored samples as the CLI writes them (without the store's runId), in evaluation order: the
 * run's subject order, then doc_id.
 */
export function orderedSamples(run: RunRecord, stored: StoredSample[]): Sample[] {
  const order = new Map(run.settings.subjects.map((s, i) => [s, i]));
  return stored
    .map((s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'runId')) as unknown as Sample)
    .sort((a, b) => order.get(a.subject)! - order.get(b.subject)! || a.doc_id - b.doc_id);
}

export function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
