import type { EvalSettings } from '../records.ts';
import type { GenerationSpeed } from './generationSpeed.ts';
import { LEGACY_LM_EVAL } from '../lmEvalReleases.ts';
import type { BosPolicy } from '../scoring/requests.ts';
import type { ScorerMode } from '../scoring/scorer.ts';
import type { ChatMode } from '../templates/chat.ts';
import type { Fingerprint } from './fingerprint.ts';
import { generationFromConfig, type GenerationConfig, type RunFacts } from './results.ts';

/** results.json's `config` as pagebench writes it (report/results.ts; schema/results.schema.json). */
export interface RunConfig {
  benchmark?: string;
  model: string;
  model_revision: string;
  model_source: 'local' | 'hub';
  model_sha256?: string;
  /** Each loaded model file's verified sha256 (path → hex). */
  model_files?: Record<string, string>;
  max_length: number;
  dtype: string;
  device: string;
  threads?: number;
  batch_size: number;
  graph_rewrites: string[];
  data: string;
  template: string;
  scoring: 'loglikelihood' | 'generate';
  scorer: ScorerMode;
  split: string;
  subjects: string[];
  num_fewshot: number;
  limit: number | null;
  description?: false;
  chat?: ChatMode;
  system_prompt?: string;
  generation?: GenerationConfig;
  bos_policy: BosPolicy;
  /** The lm-eval release emulated; absent in results written before pagebench followed 0.4.9.2 (LEGACY_LM_EVAL). */
  lm_eval_version?: string;
  bos_resolved?: string;
  truncated_count: number;
  prompt_tokens: number;
  load_seconds?: number;
  eval_seconds?: number;
  generation_speed?: GenerationSpeed;
  partial?: { done: number; total: number };
  part?: RunFacts['part'];
  parts?: RunFacts['parts'];
  environment_differs?: string[];
  fingerprint?: Fingerprint;
  engine_version: string;
  date: string;
  [key: string]: unknown;
}

/** The settings a results.json was made with (what a re-run or a merge needs). */
export function settingsFromConfig(c: RunConfig): EvalSettings {
  return {
    ...(c.benchmark ? { benchmark: c.benchmark } : {}),
    // A part's questions are positions among the whole run's subjects (its own may be fewer).
    subjects: [...(c.part?.subjects ?? c.subjects)],
    split: c.split,
    shots: c.num_fewshot,
    template: c.template,
    ...(c.limit !== null ? { limit: c.limit } : {}),
    bos: c.bos_policy,
    lmEval: c.lm_eval_version ?? LEGACY_LM_EVAL,
    scorer: c.scorer,
    batchSize: c.batch_size,
    ...(c.description === false ? { description: false } : {}),
    ...(c.chat ? { chat: c.chat } : {}),
    ...(c.system_prompt !== undefined ? { system: c.system_prompt } : {}),
    ...(c.generation ? { generation: generationFromConfig(c.generation) } : {}),
  };
}

/** The run facts recorded in a results.json's config. */
export function factsFromConfig(c: RunConfig): RunFacts {
  return {
    model: {
      id: c.model,
      revision: c.model_revision,
      source: c.model_source,
      ...(c.model_sha256 ? { sha256: c.model_sha256 } : {}),
      ...(c.model_files ? { files: c.model_files } : {}),
      maxLength: c.max_length,
    },
    dtype: c.dtype,
    device: c.device,
    data: c.data,
    ...(c.threads !== undefined ? { threads: c.threads } : {}),
    batchSize: c.batch_size,
    graphRewrites: c.graph_rewrites,
    loadSeconds: c.load_seconds ?? 0,
    evalSeconds: c.eval_seconds ?? 0,
    promptTokens: c.prompt_tokens,
    truncatedCount: c.truncated_count,
    date: c.date,
    ...(c.bos_resolved ? { bosResolved: c.bos_resolved } : {}),
    ...(c.fingerprint ? { fingerprint: c.fingerprint } : {}),
    ...(c.generation_speed ? { generationSpeed: c.generation_speed } : {}),
    ...(c.partial ? { partial: c.partial } : {}),
    ...(c.part ? { part: c.part } : {}),
    ...(c.parts ? { parts: c.parts, environmentDiffers: c.environment_differs ?? [] } : {}),
  };
}
