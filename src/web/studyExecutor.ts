import { loadRunData } from '../core/session.ts';
import type { Variant } from '../core/study/axes.ts';
import { runStudy } from '../core/study/runStudy.ts';
import { studySamples, updateRun, addSample, variantRunId, type RunRecord } from '../storage/db.ts';
import { dataSource } from './dataSources.ts';
import type { WorkerHost } from './host.ts';
import type { Emit } from './protocol.ts';
import { modelFacts, settleRun } from './runExecutor.ts';

/** A stored study: every variant scored on the same questions, each finished variant-question stored at once. */
export function runStoredStudy(host: WorkerHost, run: RunRecord, emit: Emit): Promise<RunRecord> {
  const { db } = host;
  const runId = run.id;
  const study = run.study!;
  return settleRun(host, run, async () => {
    const model = await host.models.get(run.model, emit);
    emit({ type: 'phase', phase: 'data', message: `loading ${run.settings.subjects.length} subject(s)` });
    const maxShots = Math.max(...study.variants.map((v) => Number(v.axes.shots)));
    const data = await loadRunData(dataSource(db, run.data, emit), { ...run.settings, shots: maxShots });
    const perVariant = data.reduce((a, d) => a + Math.min(d.questions.length, run.settings.limit ?? Infinity), 0);
    const total = perVariant * study.variants.length;
    const stored = await studySamples(db, run);
    const done = new Set([...stored].flatMap(([v, xs]) => xs.map((s) => `${v}#${s.subject}#${s.doc_id}`)));
    await updateRun(db, runId, (r) => Object.assign(r, { status: 'running', total, done: done.size }));
    emit({ type: 'phase', phase: 'eval', message: `evaluating ${study.variants.length} prompt variants` });
    let doneNow = done.size;
    const t0 = performance.now();
    const result = await runStudy(
      model,
      data,
      run.settings,
      study.variants as Variant[],
      {
        skip: (v, s, d) => done.has(`${v}#${s}#${d}`),
        onSample: async (s) => {
          doneNow = (await addSample(db, { ...s, runId: variantRunId(runId, s.variant) }, s.acc, runId)).done;
          emit({ type: 'sample', subject: s.subject, docId: s.doc_id, acc: s.acc, variant: s.variant });
        },
        onProgress: (p) => {
          const elapsed = (performance.now() - t0) / 1000;
          const rate = (doneNow - done.size) / elapsed;
          emit({
            type: 'progress',
            progress: {
              done: p.done,
              total: p.total,
              subject: p.subject,
              elapsedSeconds: elapsed,
              itemsPerSecond: rate,
              promptTokensPerSecond: p.promptTokens / elapsed,
              etaSeconds: (total - doneNow) / rate,
            },
            done: doneNow,
            total,
          });
        },
      },
      study.system,
    );
    Object.assign(run, await db.get('runs', runId));
    run.facts = {
      ...modelFacts(host, run, model, result),
      batchSize: 1,
      truncatedCount: 0,
      itemsPerSecond: (doneNow - done.size) / result.seconds,
    };
    run.status = run.done >= total ? 'complete' : 'stopped';
  });
}
