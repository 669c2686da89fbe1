import { unseenContextChars } from '../core/scoring/window.ts';
import type { EvalSettings } from '../core/records.ts';
import { planRun, type RunPlan } from '../core/plan.ts';
import { makeEncoder } from '../core/scoring/requests.ts';
import { loadRunData } from '../core/session.ts';
import type { Variant } from '../core/study/axes.ts';
import { planStudy, type StudyPlan } from '../core/study/planStudy.ts';
import { chatApplier } from '../core/templates/chat.ts';
import type { ModelSpec, RunRecord } from '../storage/db.ts';
import { dataSource } from './dataSources.ts';
import { explainFailure } from './failures.ts';
import type { WorkerHost } from './host.ts';

const worded = (e: unknown): never => {
  throw new Error(explainFailure(e));
};

/** Counts what a run would send to the model (questions, prompt tokens, truncation) from the tokenizer alone. */
export async function planStoredRun(
  host: WorkerHost,
  spec: ModelSpec,
  data: RunRecord['data'],
  settings: EvalSettings,
): Promise<RunPlan> {
  const [{ tokenizer, maxLength }, subjects] = await Promise.all([
    host.models.tokenizer(spec),
    loadRunData(dataSource(host.db, data), settings),
  ]).catch(worded);
  const chat =
    settings.chat && settings.chat !== 'none'
      ? { mode: settings.chat, apply: chatApplier(tokenizer.tokenizer, spec.id), system: settings.system }
      : undefined;
  try {
    return planRun(makeEncoder(tokenizer, settings.bos, settings.lmEval), maxLength, subjects, settings, chat);
  } catch (e) {
    return worded(e);
  }
}

/** A study's cost beside one plain run (tokenizer and data only). */
export async function planStoredStudy(
  host: WorkerHost,
  spec: ModelSpec,
  data: RunRecord['data'],
  settings: EvalSettings,
  variants: Variant[],
  system?: string,
): Promise<StudyPlan> {
  const maxShots = Math.max(...variants.map((v) => Number(v.axes.shots)));
  const [{ tokenizer, maxLength }, subjects] = await Promise.all([
    host.models.tokenizer(spec),
    loadRunData(dataSource(host.db, data), { ...settings, shots: maxShots }),
  ]).catch(worded);
  const chat = variants.some((v) => v.axes.chat !== 'none')
    ? { apply: chatApplier(tokenizer.tokenizer, spec.id), system }
    : {};
  try {
    return planStudy(
      makeEncoder(tokenizer, settings.bos, settings.lmEval),
      maxLength,
      subjects,
      settings.limit,
      variants,
      chat,
    );
  } catch (e) {
    return worded(e);
  }
}

/** How many leading characters of a scored prompt its model did not see (left truncation), from the tokenizer. */
export async function unseenPrefix(
  host: WorkerHost,
  spec: ModelSpec,
  settings: Pick<EvalSettings, 'bos' | 'lmEval'>,
  context: string,
  continuations: string[],
): Promise<number> {
  const { tokenizer, maxLength } = await host.models.tokenizer(spec).catch(worded);
  return unseenContextChars(
    tokenizer,
    makeEncoder(tokenizer, settings.bos, settings.lmEval),
    context,
    continuations,
    maxLength,
  );
}
