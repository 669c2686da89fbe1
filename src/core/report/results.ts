import type { EvalSettings, Sample } from '../evaluate.ts';
import { CATEGORIES, LM_EVAL_GROUPS, subjectInfo, type Category } from '../mmlu/subjects.ts';
import { getTemplate } from '../templates/presets.ts';
import { ENGINE_VERSION } from '../version.ts';
import { macroAcc, macroStderr, microAcc, pooledStderr, subtaskStat, type SubtaskStat } from './metrics.ts';

/** Everything about a run that is needed to reproduce it, beyond the settings. */
export interface RunFacts {
  model: { id: string; revision: string; source: 'local' | 'hub'; sha256?: string; maxLength: number };
  dtype: string;
  device: string;
  data: string;
  threads?: number;
  batchSize: number;
  /** Load-time graph rewrites applied (graphRewrites.ts). */
  graphRewrites: string[];
  loadSeconds: number;
  evalSeconds: number;
  promptTokens: number;
  truncatedCount: number;
  date: string;
  /** Set when the run stopped before every question was scored: such numbers are not a full run's. */
  partial?: { done: number; total: number };
}

/** lm-eval task names: mmlu_<subject> for the default template, mmlu_<template>_<subject> otherwise. */
export function taskPrefix(template: string): string {
  return template === 'lm-eval'
    ? 'mmlu'
    : template === 'cloze'
      ? 'mmlu_continuation'
      : template === 'generate'
        ? 'mmlu_generative'
        : `mmlu_${template}`;
}

type Entry = Record<string, number | string | null>;

/** The metric the template's reference headlines (what the CLI prints and the page shows first). */
export function headlineMetric(template: string): string {
  return getTemplate(template).headline;
}

function metricNames(template: string): string[] {
  const t = getTemplate(template);
  if (t.scoring === 'generate') return ['exact_match'];
  return t.reportAccNorm ? ['acc', 'acc_norm'] : ['acc'];
}

function sampleValue(s: Sample, metric: string): number {
  return metric === 'acc_norm' ? s.acc_norm! : s.acc;
}

export function buildResults(settings: EvalSettings, samples: Sample[], facts: RunFacts): Record<string, unknown> {
  const template = getTemplate(settings.template);
  const prefix = taskPrefix(settings.template);
  const metrics = metricNames(settings.template);
  const bySubject = new Map<string, Sample[]>();
  for (const s of samples) {
    const list = bySubject.get(s.subject) ?? [];
    list.push(s);
    bySubject.set(s.subject, list);
  }
  const subjects = settings.subjects.filter((s) => bySubject.has(s));
  const stats = new Map<string, Record<string, SubtaskStat>>();
  for (const subj of subjects) {
    const list = bySubject.get(subj)!;
    stats.set(subj, Object.fromEntries(metrics.map((m) => [m, subtaskStat(list.map((s) => sampleValue(s, m)))])));
  }

  const results: Record<string, Entry> = {};
  const groups: Record<string, Entry> = {};
  const groupSubtasks: Record<string, string[]> = {};
  const groupEntry = (members: string[], alias: string): Entry => {
    const e: Entry = { alias };
    for (const m of metrics) {
      const parts = members.map((s) => stats.get(s)![m]!);
      e[`${m},none`] = microAcc(parts);
      e[`${m}_stderr,none`] = pooledStderr(parts);
      e[`${m}_macro,none`] = macroAcc(parts);
      e[`${m}_macro_stderr,none`] = macroStderr(parts);
    }
    e.n = members.reduce((a, s) => a + bySubject.get(s)!.length, 0);
    return e;
  };

  groups[prefix] = groupEntry(subjects, prefix);
  results[prefix] = groups[prefix]!;
  groupSubtasks[prefix] = [];
  for (const g of LM_EVAL_GROUPS) {
    const members = subjects.filter((s) => subjectInfo(s).lmEvalGroup === g);
    if (members.length === 0) continue;
    const name = `${prefix}_${g}`;
    groups[name] = groupEntry(members, ` - ${g}`);
    results[name] = groups[name]!;
    groupSubtasks[prefix]!.push(name);
    groupSubtasks[name] = members.map((s) => `${prefix}_${s}`);
    for (const s of members) {
      const e: Entry = { alias: `  - ${s}` };
      for (const m of metrics) {
        const st = stats.get(s)![m]!;
        e[`${m},none`] = st.acc;
        e[`${m}_stderr,none`] = st.stderr;
      }
      results[`${prefix}_${s}`] = e;
    }
  }

  const categories: Record<string, Entry> = {};
  const subcategories: Record<string, Entry> = {};
  for (const cat of Object.keys(CATEGORIES) as Category[]) {
    const members = subjects.filter((s) => subjectInfo(s).category === cat);
    if (members.length) categories[cat] = groupEntry(members, cat);
    for (const sub of CATEGORIES[cat]) {
      const m2 = subjects.filter((s) => subjectInfo(s).subcategory === sub);
      if (m2.length) subcategories[sub] = groupEntry(m2, sub);
    }
  }

  const taskNames = subjects.map((s) => `${prefix}_${s}`);
  const configs = Object.fromEntries(
    subjects.map((s) => [
      `${prefix}_${s}`,
      {
        task: `${prefix}_${s}`,
        dataset_path: 'cais/mmlu',
        dataset_name: s,
        test_split: settings.split === 'val' ? 'validation' : 'test',
        fewshot_split: 'dev',
        description: template.description(s),
        target_delimiter: template.targetDelimiter,
        fewshot_delimiter: template.fewshotDelimiter,
        fewshot_config: { sampler: 'first_n' },
        num_fewshot: settings.shots,
        output_type: template.scoring === 'generate' ? 'generate_until' : 'multiple_choice',
        template: template.id,
        template_reference: template.reference,
        metric_list: metrics.map((m) => ({ metric: m, aggregation: 'mean', higher_is_better: true })),
        metadata: { version: 1.0 },
      },
    ]),
  );

  return {
    results,
    groups,
    group_subtasks: groupSubtasks,
    configs,
    versions: Object.fromEntries([...taskNames.map((t) => [t, 1.0]), ...Object.keys(groups).map((g) => [g, 2])]),
    'n-shot': Object.fromEntries(taskNames.map((t) => [t, settings.shots])),
    'n-samples': Object.fromEntries(
      subjects.map((s) => [
        `${prefix}_${s}`,
        { original: bySubject.get(s)!.length, effective: bySubject.get(s)!.length },
      ]),
    ),
    higher_is_better: Object.fromEntries(taskNames.map((t) => [t, Object.fromEntries(metrics.map((m) => [m, true]))])),
    pagebench: { categories, subcategories },
    config: {
      model: facts.model.id,
      model_revision: facts.model.revision,
      model_source: facts.model.source,
      ...(facts.model.sha256 ? { model_sha256: facts.model.sha256 } : {}),
      max_length: facts.model.maxLength,
      dtype: facts.dtype,
      device: facts.device,
      ...(facts.threads !== undefined ? { threads: facts.threads } : {}),
      batch_size: facts.batchSize,
      graph_rewrites: facts.graphRewrites,
      data: facts.data,
      template: settings.template,
      scoring: template.scoring === 'generate' ? 'generate' : 'loglikelihood',
      scorer: settings.scorer,
      split: settings.split,
      subjects,
      num_fewshot: settings.shots,
      fewshot_selection: 'first_n',
      fewshot_split: 'dev',
      fewshot_seed: null,
      limit: settings.limit ?? null,
      bos_policy: settings.bos,
      truncation: template.overflow === 'drop-shots' ? 'drop-shots-then-left-truncate' : 'left-truncate',
      truncated_count: facts.truncatedCount,
      prompt_tokens: facts.promptTokens,
      load_seconds: facts.loadSeconds,
      eval_seconds: facts.evalSeconds,
      ...(facts.partial ? { partial: facts.partial } : {}),
      engine: 'pagebench',
      engine_version: ENGINE_VERSION,
      date: facts.date,
    },
  };
}

/** Samples of one subject as JSONL (one line per question, in evaluation order). */
export function samplesJsonl(samples: Sample[]): string {
  return samples.map((s) => JSON.stringify(s)).join('\n') + '\n';
}
