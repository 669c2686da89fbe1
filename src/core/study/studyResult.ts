import type { RunFacts } from '../report/results.ts';
import { ENGINE_VERSION } from '../version.ts';
import type { Axis, Variant } from './axes.ts';
import type { VariantSample, StudySettings } from './runStudy.ts';
import { studyStats, type StudyStats } from './stats.ts';

/** study.json (schema/study.schema.json): the setup, then every statistic of studyStats. */
export function buildStudyJson(
  settings: StudySettings,
  vary: readonly [Axis, string[]][],
  variants: readonly Variant[],
  samples: ReadonlyMap<string, VariantSample[]>,
  facts: Pick<RunFacts, 'model' | 'device' | 'data' | 'date'> & {
    /** One dtype, or the varied ones ("fp32, q8") with each one's rewrites. */
    dtype: string;
    graphRewrites: string[] | Record<string, string[]>;
    evalSeconds: number;
    system?: string;
  },
): Record<string, unknown> & StudyStats {
  const stats = studyStats(variants.map((v) => ({ id: v.id, axes: v.axes, samples: samples.get(v.id)! })));
  return {
    engine: 'pagebench',
    engine_version: ENGINE_VERSION,
    date: facts.date,
    model: facts.model.id,
    model_revision: facts.model.revision,
    dtype: facts.dtype,
    device: facts.device,
    graph_rewrites: facts.graphRewrites,
    data: facts.data,
    benchmark: settings.benchmark ?? 'mmlu',
    split: settings.split,
    subjects: settings.subjects,
    limit: settings.limit ?? null,
    bos_policy: settings.bos,
    scorer: settings.scorer,
    metric: 'acc',
    vary: Object.fromEntries(vary),
    ...(facts.system !== undefined ? { system_prompt: facts.system } : {}),
    eval_seconds: facts.evalSeconds,
    ...stats,
  };
}
