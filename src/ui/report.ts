import type { EvalSettings, Sample } from '../core/evaluate.ts';
import { buildResults } from '../core/report/results.ts';
import type { RunRecord } from '../storage/db.ts';

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
    },
    dtype: run.model.dtype,
    device: run.model.device,
    threads: f?.threads,
    data: run.data.source === 'hub' ? `${run.data.hubUrl}/datasets/cais/mmlu` : `local files (${run.data.group})`,
    batchSize: f?.batchSize ?? 1,
    graphRewrites: f?.graphRewrites ?? [],
    loadSeconds: f?.loadSeconds ?? 0,
    evalSeconds: f?.evalSeconds ?? 0,
    promptTokens: f?.promptTokens ?? 0,
    truncatedCount: samples.filter((s) => s.truncated).length,
    date: new Date(run.updatedAt).toISOString(),
  });
}

/** Samples in evaluation order (subject order of the run, then doc_id). */
export function orderedSamples(run: RunRecord, samples: Sample[]): Sample[] {
  const order = new Map(run.settings.subjects.map((s, i) => [s, i]));
  return [...samples].sort((a, b) => order.get(a.subject)! - order.get(b.subject)! || a.doc_id - b.doc_id);
}

export function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
