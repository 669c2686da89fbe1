import { evaluate } from '../core/evaluate.ts';
import type { EvalSettings } from '../core/records.ts';
import { loadRunData } from '../core/session.ts';
import { deleteRun, type ModelSpec, type PagebenchDB, type RunRecord } from '../storage/db.ts';
import { dataSource } from './dataSources.ts';
import { explainFailure } from './failures.ts';
import type { WorkerHost } from './host.ts';
import type { Calibration, Emit } from './protocol.ts';

const CALIBRATION_QUESTIONS = 8;
/** The run id a calibration's timed samples are stored under while it runs (no run record). */
const CALIBRATION_RUN = '__calibration__';

/** A calibration cut short by a reload leaves its samples behind: removed when the worker starts. */
export function clearCalibration(db: PagebenchDB): Promise<void> {
  return deleteRun(db, CALIBRATION_RUN);
}

/**
 * Loads the model (downloading it if needed: the run reuses it) and times the first questions of
 * the run's first subject, one at a time.
 */
export async function calibrateRun(
  host: WorkerHost,
  spec: ModelSpec,
  data: RunRecord['data'],
  settings: EvalSettings,
  emit: Emit,
): Promise<Calibration> {
  const { db } = host;
  try {
    await host.hang.at('calibration');
    const model = await host.models.get(spec, emit);
    const [first] = await loadRunData(dataSource(db, data), { ...settings, subjects: settings.subjects.slice(0, 1) });
    const questionSeconds: number[] = [];
    let last = 0;
    // Each timed question is stored as a run stores it (then removed), so the estimate includes that cost.
    try {
      await evaluate(
        model,
        [first!],
        { ...settings, limit: CALIBRATION_QUESTIONS, batchSize: 1 },
        {
          onSample: async (s) => void (await db.put('samples', { ...s, runId: CALIBRATION_RUN })),
          onProgress: (p) => {
            questionSeconds.push(p.elapsedSeconds - last);
            last = p.elapsedSeconds;
          },
        },
      );
    } finally {
      await deleteRun(db, CALIBRATION_RUN);
    }
    return { questionSeconds, loadSeconds: model.loadSeconds };
  } catch (e) {
    throw new Error(explainFailure(e));
  }
}
