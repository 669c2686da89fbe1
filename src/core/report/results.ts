import { lmEvalRelease } from '../lmEvalReleases.ts';
import { generationSpeed, type GenerationSpeed } from './generationSpeed.ts';
import { fewshotSplit, samplerSpec } from '../benchmarks/fewshot.ts';
import { benchmarkOf, DEFAULT_BENCHMARK } from '../benchmarks/registry.ts';
import type { Benchmark } from '../benchmarks/types.ts';
import type { EvalSettings, Sample } from '../records.ts';
import { runGeneration, runTemplate } from '../templates/presets.ts';
import { ENGINE_VERSION } from '../version.ts';
import type { Fingerprint } from './fingerprint.ts';
import type { GenerationSettings } from '../templates/template.ts';
import type { PartRange } from '../parts.ts';
import {
  computeGroup,
  computeScoreboard,
  metricName,
  resultKey,
  type GroupScore,
  type Scoreboard,
  type TaskScore,
} from './scoreboard.ts';

/** Everything about a run that is needed to reproduce it, beyond the settings. */
/** What config.parts records of each merged part. */
export interface PartEnvironment {
  index: number;
  start: number;
  end: number;
  date: string;
  eval_seconds: number;
  environment: Record<string, unknown>;
}

export interface RunFacts {
  model: {
    id: string;
    revision: string;
    source: 'local' | 'hub';
    sha256?: string;
    /** Hub models in the CLI: every file loaded, verified against the hub's listing (path → sha256). */
    files?: Record<string, string>;
    maxLength: number;
  };
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
  /** When the run started (ISO), as lm-eval's results["date"]. */
  date: string;
  /** The BOS policy applied (the 'lm-eval' default resolved for the model's type). */
  bosResolved?: string;
  /** Runtime, versions and hashes (report/fingerprint.ts). */
  fingerprint?: Fingerprint;
  /** The run moved device part way (its GPU was lost): the first device and how many questions it scored. */
  deviceSwitch?: { from: string; atQuestion: number };
  /** A study's variant: its id and every prompt axis. */
  variant?: { id: string; axes: Record<string, string> };
  /** A generating run's speed from its samples' timings (report/generationSpeed.ts). */
  generationSpeed?: GenerationSpeed | null;
  /** Set when the run stopped before every question was scored: such numbers are not a full run's. */
  partial?: { done: number; total: number };
  /** A part of a split run (parts.ts): which slice of the questions it scored. */
  part?: PartRange;
  /** A merged run (merge.ts): each part's environment, and the environment fields in which they differ. */
  parts?: PartEnvironment[];
  environmentDiffers?: string[];
}

type Entry = Record<string, number | string | null>;

/**
 * A group's lm-eval entry: micro value, pooled stderr, macro value and stderr for each metric,
 * then n. Keys are `<metric>,<filter>`: `none` for log-likelihood scoring, the extraction rule's
 * name under generation.
 */
function groupEntry(g: GroupScore, filter: string, alias = g.alias): Entry {
  const e: Entry = { alias };
  for (const [m, sc] of Object.entries(g.metrics)) {
    e[resultKey(m, filter)] = sc.value;
    e[resultKey(m, filter, '_stderr')] = sc.stderr;
    e[resultKey(m, filter, '_macro')] = g.macro[m]!.value;
    e[resultKey(m, filter, '_macro_stderr')] = g.macro[m]!.stderr;
  }
  e.n = g.n;
  return e;
}

function taskEntry(t: TaskScore, filter: string, alias: string): Entry {
  const e: Entry = { alias };
  for (const [m, sc] of Object.entries(t.metrics)) {
    e[resultKey(m, filter)] = sc.value;
    e[resultKey(m, filter, '_stderr')] = sc.stderr;
  }
  for (const [v, n] of Object.entries(t.viewN)) e[`n_${v}`] = n;
  return e;
}

/** config.fewshot_draw under the v1 leaderboard's harness (benchmarks/leaderboardV1.ts). */
const V1_DRAW = 'documents shuffled by random.Random(42), then k per document from it';

/** results.json (lm-evaluation-harness' shape) for a run: one serialization of its scoreboard. */
export function buildResults(settings: EvalSettings, samples: Sample[], facts: RunFacts): Record<string, unknown> {
  const benchmark = benchmarkOf(settings);
  const sb = computeScoreboard(benchmark, settings.template, settings.subjects, samples);
  return serializeResults(benchmark, sb, settings, {
    ...facts,
    generationSpeed: facts.generationSpeed ?? generationSpeed(samples),
  });
}

export function serializeResults(
  benchmark: Benchmark,
  sb: Scoreboard,
  settings: EvalSettings,
  facts: RunFacts,
): Record<string, unknown> {
  const template = runTemplate(settings);
  const gen = runGeneration(settings);
  const v1 = lmEvalRelease(settings.lmEval).sampler === 'shuffle42';
  const filter = template.generation?.filter ?? 'none';
  const byTask = new Map(sb.tasks.map((t) => [t.subset, t]));
  const results: Record<string, Entry> = {};
  const groups: Record<string, Entry> = {};
  const groupSubtasks: Record<string, string[]> = {};
  const placed = new Set<string>();
  const walk = (g: GroupScore) => {
    groups[g.name] = groupEntry(g, filter);
    results[g.name] = groups[g.name]!;
    if (g.children.length) {
      groupSubtasks[g.name] = g.children.map((c) => c.name);
      g.children.forEach(walk);
      return;
    }
    groupSubtasks[g.name] = g.subsets.map((s) => byTask.get(s)!.task);
    for (const s of g.subsets) {
      results[byTask.get(s)!.task] = taskEntry(byTask.get(s)!, filter, `  - ${s}`);
      placed.add(s);
    }
  };
  sb.groups.forEach(walk);
  for (const t of sb.tasks) if (!placed.has(t.subset)) results[t.task] = taskEntry(t, filter, t.task);

  const taskNames = sb.tasks.map((t) => t.task);
  const fewshot = benchmark.fewshot;
  const configs = Object.fromEntries(
    sb.tasks.map((t) => [
      t.task,
      {
        task: t.task,
        dataset_path: benchmark.dataset,
        dataset_name: benchmark.datasetName(t.subset),
        test_split: benchmark.splitName(settings.split),
        fewshot_split: fewshotSplit(benchmark),
        description: template.description(t.subset),
        target_delimiter: template.targetDelimiter,
        fewshot_delimiter: template.fewshotDelimiter,
        fewshot_config:
          fewshot.sampler === 'first_n'
            ? { sampler: 'first_n' }
            : { sampler: 'default', random_seed: v1 ? 42 : fewshot.seed },
        num_fewshot: settings.shots,
        output_type: template.scoring === 'generate' ? 'generate_until' : 'multiple_choice',
        template: template.id,
        template_reference: template.reference,
        metric_list: template.generation?.freeform
          ? [template.generation.freeform.metric]
          : sb.metrics.map((m) => ({ metric: m, aggregation: 'mean', higher_is_better: m !== 'no_answer' })),
        ...(template.generation
          ? {
              generation_kwargs: {
                until: gen!.stop,
                max_gen_toks: gen!.maxNewTokens,
                do_sample: gen!.temperature > 0,
                ...(gen!.temperature > 0
                  ? { temperature: gen!.temperature, top_k: gen!.topK, top_p: gen!.topP, seed: gen!.seed }
                  : {}),
              },
              filter_list: template.generation.freeform
                ? template.generation.freeform.filterList
                : [
                    {
                      name: template.generation.filter,
                      filter: [
                        ...(template.generation.strip ? [{ function: 'strip' }] : []),
                        { function: 'regex', regex_pattern: template.generation.answerRegex!.source },
                      ],
                    },
                  ],
            }
          : {}),
        metadata: { version: 1.0 },
      },
    ]),
  );
  const extra = benchmark.reportGroups?.(sb.tasks.map((t) => t.subset)) ?? {};
  const pagebench = Object.fromEntries(
    Object.entries(extra).map(([key, specs]) => [
      key,
      Object.fromEntries(
        specs
          .map((g) => computeGroup(sb, g))
          .filter((g) => g.n > 0)
          .map((g) => [g.name, groupEntry(g, filter)]),
      ),
    ]),
  );

  return {
    results,
    groups,
    group_subtasks: groupSubtasks,
    configs,
    versions: Object.fromEntries([...taskNames.map((t) => [t, 1.0]), ...Object.keys(groups).map((g) => [g, 2])]),
    'n-shot': Object.fromEntries(taskNames.map((t) => [t, settings.shots])),
    'n-samples': Object.fromEntries(sb.tasks.map((t) => [t.task, { original: t.n, effective: t.n }])),
    higher_is_better: Object.fromEntries(
      taskNames.map((t) => [
        t,
        Object.fromEntries(sb.metrics.map((m) => [metricName(m), metricName(m) !== 'no_answer'])),
      ]),
    ),
    ...(Object.keys(pagebench).length ? { pagebench } : {}),
    probabilities: sb.probabilities,
    config: {
      ...(benchmark.id !== DEFAULT_BENCHMARK ? { benchmark: benchmark.id } : {}),
      model: facts.model.id,
      model_revision: facts.model.revision,
      model_source: facts.model.source,
      ...(facts.model.sha256 ? { model_sha256: facts.model.sha256 } : {}),
      ...(facts.model.files ? { model_files: facts.model.files } : {}),
      max_length: facts.model.maxLength,
      dtype: facts.dtype,
      device: facts.device,
      ...(facts.deviceSwitch
        ? { device_switch: { from: facts.deviceSwitch.from, at_question: facts.deviceSwitch.atQuestion } }
        : {}),
      ...(facts.threads !== undefined ? { threads: facts.threads } : {}),
      batch_size: facts.batchSize,
      graph_rewrites: facts.graphRewrites,
      data: facts.data,
      template: settings.template,
      scoring: template.scoring === 'generate' ? 'generate' : 'loglikelihood',
      scorer: settings.scorer,
      split: settings.split,
      subjects: sb.tasks.map((t) => t.subset),
      num_fewshot: settings.shots,
      fewshot_selection: fewshot.sampler,
      fewshot_split: fewshotSplit(benchmark),
      ...(v1
        ? { fewshot_draw: V1_DRAW }
        : samplerSpec(benchmark).excludeEvalDoc && settings.shots > 0
          ? { fewshot_draw: 'k+1, evaluated doc removed' }
          : {}),
      fewshot_seed: fewshot.sampler === 'random' ? (v1 ? 42 : (fewshot.seed ?? null)) : null,
      limit: settings.limit ?? null,
      ...(settings.description === false ? { description: false } : {}),
      ...(settings.chat && settings.chat !== 'none' ? { chat: settings.chat } : {}),
      ...(settings.system !== undefined ? { system_prompt: settings.system } : {}),
      ...(gen ? { generation: generationConfig(gen) } : {}),
      bos_policy: settings.bos,
      lm_eval_version: lmEvalRelease(settings.lmEval).version,
      ...(facts.bosResolved ? { bos_resolved: facts.bosResolved } : {}),
      truncation: template.overflow === 'drop-shots' ? 'drop-shots-then-left-truncate' : 'left-truncate',
      truncated_count: facts.truncatedCount,
      prompt_tokens: facts.promptTokens,
      load_seconds: facts.loadSeconds,
      eval_seconds: facts.evalSeconds,
      ...(facts.generationSpeed ? { generation_speed: facts.generationSpeed } : {}),
      // a teacher's quiz travels with its results (share, compare and merge read it back)
      ...(benchmark.quiz ? { quiz: benchmark.quiz } : {}),
      ...(facts.partial ? { partial: facts.partial } : {}),
      ...(facts.part ? { part: facts.part } : {}),
      ...(facts.parts ? { parts: facts.parts, environment_differs: facts.environmentDiffers ?? [] } : {}),
      ...(facts.variant ? { prompt_variant: facts.variant } : {}),
      ...(facts.fingerprint ? { fingerprint: facts.fingerprint } : {}),
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

/** config.generation: how a generate run decoded (snake_case, as results.json writes it). */
export interface GenerationConfig {
  max_new_tokens: number;
  stop: string[];
  temperature: number;
  top_k: number;
  top_p: number;
  seed: number;
}

export function generationConfig(g: GenerationSettings): GenerationConfig {
  return {
    max_new_tokens: g.maxNewTokens,
    stop: g.stop,
    temperature: g.temperature,
    top_k: g.topK,
    top_p: g.topP,
    seed: g.seed,
  };
}

export function generationFromConfig(c: GenerationConfig): GenerationSettings {
  return {
    maxNewTokens: c.max_new_tokens,
    stop: c.stop,
    temperature: c.temperature,
    topK: c.top_k,
    topP: c.top_p,
    seed: c.seed,
  };
}
