import { RUN_CALIBRATION_QUESTIONS, timeFirstQuestions } from '../core/calibrate.ts';
import type { EvalSettings } from '../core/records.ts';
import { loadRunData } from '../core/session.ts';
import { calibrateSuite, type SuiteTimings } from '../core/suiteEstimate.ts';
import { SUITES, type Fidelity } from '../core/suites.ts';
import { deleteRun, type ModelSpec, type PagebenchDB, type RunRecord } from '../storage/db.ts';
import { dataSource } from './dataSources.ts';
import { explainFailure } from './failures.ts';
import type { WorkerHost } from './host.ts';
import type { Calibration, Emit } from './protocol.ts';

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
    const first = await loadRunData(dataSource(db, data), { ...settings, subjects: settings.subjects.slice(0, 1) });
    // Each timed question is stored as a run stores it (then removed), so the estimate includes that cost.
    try {
      const t = await timeFirstQuestions(model, first, settings, RUN_CALIBRATION_QUESTIONS, async (s) => {
        await db.put('samples', { ...s, runId: CALIBRATION_RUN });
      });
      return { questionSeconds: t.questionSeconds, loadSeconds: model.loadSeconds };
    } finally {
      await deleteRun(db, CALIBRATION_RUN);
    }
  } catch (e) {
    throw new Error(explainFailure(e));
  }
}

/** The same for each task of a suite: its data loaded (downloaded if needed) and its first questions timed. */
export async function calibrateSuiteRun(
  host: WorkerHost,
  spec: ModelSpec,
  data: RunRecord['data'],
  suite: string,
  fidelity: Fidelity,
  base: EvalSettings,
  emit: Emit,
): Promise<SuiteTimings> {
  const { db } = host;
  try {
    const model = await host.models.get(spec, emit);
    try {
      return await calibrateSuite(model, SUITES[suite]!, fidelity, base, (s) => loadRunData(dataSource(db, data), s), {
        onTask: (b) => emit({ type: 'phase', phase: 'data', message: `timing ${b}` }),
        onSample: async (s) => {
          await db.put('samples', { ...s, runId: CALIBRATION_RUN });
          emit({ type: 'phase', phase: 'eval', message: `timed ${s.subject} ${s.doc_id}` });
        },
      });
    } finally {
      await deleteRun(db, CALIBRATION_RUN);
    }
  } catch (e) {
    throw new Error(explainFailure(e));
  }
}
