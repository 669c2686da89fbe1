import { LATEST_LM_EVAL, LEGACY_LM_EVAL } from '../../core/lmEvalReleases.ts';
import { BENCHMARKS, resolveSubsets } from '../../core/benchmarks/registry.ts';
import { QUIZ_PREFIX, registeredQuiz } from '../../core/benchmarks/quiz/index.ts';
import type { Benchmark } from '../../core/benchmarks/types.ts';
import type { UiDtype } from '../presets.ts';
import type { Axis } from '../../core/study/axes.ts';
import type { BosPolicy } from '../../core/scoring/requests.ts';
import type { ChatMode } from '../../core/templates/chat.ts';
import { getTemplate } from '../../core/templates/presets.ts';
import type { Fidelity } from '../../core/suites.ts';
import { formatStops, parseStops } from '../stops.ts';
import type { GenerationSettings } from '../../core/templates/template.ts';
import type { RunConfig } from '../../core/report/runConfig.ts';
import type { EvalSettings } from '../../core/records.ts';

/** What the setup form holds; saved in localStorage so the last setup comes back after a reload. */
export interface SavedSetup {
  benchmark: string;
  modelChoice: string;
  customId: string;
  dtype: UiDtype;
  /** The user picked the dtype: keep it while the repository offers it. */
  dtypeTouched: boolean;
  device: 'auto' | 'wasm' | 'webgpu';
  batch: 'default' | 'auto' | '1' | '4' | '8';
  bos: BosPolicy;
  /** The lm-eval release 'lm-eval' BOS follows (lmEvalReleases.ts). */
  lmEval: string;
  description: boolean;
  chat: ChatMode;
  system: string;
  subjectMode: 'all' | 'group' | 'pick';
  group: string;
  picked: string[];
  split: string;
  shots: number;
  limit: number | null;
  template: string;
  scoring: 'loglikelihood' | 'generate';
  /** Under generate scoring: which generating template (generate: lm-eval's prompt; helm: HELM's joint). */
  genTemplate: string;
  /** Decoding overrides (null: the template's own value). */
  maxNewTokens: number | null;
  /** Stop strings, comma-separated with \n and \t escapes ('' = the template's). */
  stop: string;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  dataSource: 'hub' | 'local';
  /** A prompt-sensitivity study: the values ticked beside the run's own (none ticked: a plain run). */
  studyOrders: string[];
  studyLabels: string[];
  studyShots: number[];
  studyTemplates: string[];
}

const KEY = 'pagebench.setup';

/** A newcomer's first run: one subject, zero-shot, the lm-eval prompt; the model is the first offered. */
export const DEFAULT_SETUP: SavedSetup = {
  benchmark: 'mmlu',
  modelChoice: '',
  customId: '',
  dtype: 'q8',
  dtypeTouched: false,
  device: 'auto',
  batch: 'default',
  bos: 'lm-eval',
  lmEval: LATEST_LM_EVAL,
  description: true,
  chat: 'none',
  system: '',
  subjectMode: 'pick',
  group: 'stem',
  picked: ['anatomy'],
  split: 'test',
  shots: 0,
  limit: null,
  template: 'lm-eval',
  scoring: 'loglikelihood',
  genTemplate: 'generate',
  maxNewTokens: null,
  stop: '',
  temperature: 0,
  topK: 0,
  topP: 1,
  seed: 0,
  dataSource: 'hub',
  studyOrders: [],
  studyLabels: [],
  studyShots: [],
  studyTemplates: [],
};

/** The setup form's state (views bind to its fields). */
export class SetupState {
  benchmark = $state('mmlu');
  modelChoice = $state('');
  customId = $state('');
  localId = $state('');
  dtype = $state<UiDtype>('q8');
  dtypeTouched = $state(false);
  device = $state<SavedSetup['device']>('auto');
  batch = $state<SavedSetup['batch']>('default');
  bos = $state<BosPolicy>('lm-eval');
  lmEval = $state(LATEST_LM_EVAL);
  description = $state(true);
  chat = $state<ChatMode>('none');
  system = $state('');
  subjectMode = $state<SavedSetup['subjectMode']>('pick');
  group = $state('stem');
  picked = $state<string[]>([]);
  split = $state('test');
  shots = $state(0);
  limit = $state<number | null>(null);
  template = $state('lm-eval');
  scoring = $state<SavedSetup['scoring']>('loglikelihood');
  genTemplate = $state('generate');
  maxNewTokens = $state<number | null>(null);
  stop = $state('');
  temperature = $state(0);
  topK = $state(0);
  topP = $state(1);
  seed = $state(0);
  dataSource = $state<SavedSetup['dataSource']>('hub');
  /** A suite to run instead of one benchmark (core/suites.ts), and its fidelity; '' for none. */
  suite = $state('');
  suiteFidelity = $state<Fidelity>('lm-eval');
  /**
   * Files the user gave were refused: until they give good ones or pick the source themselves, Start
   * stays off (else it would run on the hub's data while they think their own is used).
   */
  filesRefused = $state('');
  studyOrders = $state<string[]>([]);
  studyLabels = $state<string[]>([]);
  studyShots = $state<number[]>([]);
  studyTemplates = $state<string[]>([]);

  constructor(saved: SavedSetup) {
    Object.assign(this, saved);
  }

  /** The saved setup, or the default one (a saved setup from an older version is merged field by field). */
  static restore(storage: Storage = localStorage): SetupState {
    let saved: Partial<SavedSetup> = {};
    try {
      saved = JSON.parse(storage.getItem(KEY) ?? '{}') as Partial<SavedSetup>;
    } catch {
      // an unreadable saved setup is ignored, not fatal
    }
    return new SetupState({ ...DEFAULT_SETUP, ...saved });
  }

  /** Plain data (no Svelte proxies): safe for localStorage, IndexedDB and postMessage. */
  snapshot(): SavedSetup {
    return {
      benchmark: this.benchmark,
      modelChoice: this.modelChoice,
      customId: this.customId,
      dtype: this.dtype,
      dtypeTouched: this.dtypeTouched,
      device: this.device,
      batch: this.batch,
      bos: this.bos,
      lmEval: this.lmEval,
      description: this.description,
      chat: this.chat,
      system: this.system,
      subjectMode: this.subjectMode,
      group: this.group,
      picked: $state.snapshot(this.picked),
      split: this.split,
      shots: this.shots,
      limit: this.limit,
      template: this.template,
      scoring: this.scoring,
      genTemplate: this.genTemplate,
      maxNewTokens: this.maxNewTokens,
      stop: this.stop,
      temperature: this.temperature,
      topK: this.topK,
      topP: this.topP,
      seed: this.seed,
      dataSource: this.dataSource,
      studyOrders: $state.snapshot(this.studyOrders),
      studyLabels: $state.snapshot(this.studyLabels),
      studyShots: $state.snapshot(this.studyShots),
      studyTemplates: $state.snapshot(this.studyTemplates),
    };
  }

  save(storage: Storage = localStorage): void {
    storage.setItem(KEY, JSON.stringify(this.snapshot()));
  }

  /** "Run this yourself": the setup a result was made with (its model, data selection, prompt, decoding). */
  applyConfig(c: RunConfig, models: readonly { id: string }[]): void {
    const b = BENCHMARKS[c.benchmark ?? 'mmlu'] ?? registeredQuiz(c.benchmark ?? '') ?? BENCHMARKS.mmlu!;
    this.benchmark = b.id;
    // A model folder on the sender's device cannot be downloaded here: the model choice stays as it is.
    if (c.model_source !== 'local' && models.some((m) => m.id === c.model)) this.modelChoice = c.model;
    else if (c.model_source !== 'local') {
      this.modelChoice = 'custom';
      this.customId = c.model;
    }
    if ((['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const).includes(c.dtype as UiDtype)) {
      this.dtype = c.dtype as UiDtype;
      this.dtypeTouched = true;
    }
    this.device = c.device === 'webgpu' || c.device === 'wasm' ? c.device : 'auto';
    this.bos = c.bos_policy;
    this.lmEval = c.lm_eval_version ?? LEGACY_LM_EVAL;
    this.description = c.description !== false;
    this.chat = c.chat ?? 'none';
    this.system = c.system_prompt ?? '';
    this.subjectMode = 'pick';
    this.picked = c.subjects.filter((s) => b.subsets.includes(s));
    this.split = c.split;
    this.shots = c.num_fewshot;
    this.limit = c.limit;
    const generates = getTemplate(c.template).scoring === 'generate';
    this.scoring = generates ? 'generate' : 'loglikelihood';
    if (generates) this.genTemplate = c.template;
    else this.template = c.template;
    const g = c.generation;
    this.maxNewTokens =
      g && g.max_new_tokens !== getTemplate(c.template).generation?.maxNewTokens ? g.max_new_tokens : null;
    this.stop =
      g && JSON.stringify(g.stop) !== JSON.stringify(getTemplate(c.template).generation?.stop)
        ? formatStops(g.stop)
        : '';
    this.temperature = g?.temperature ?? 0;
    this.topK = g?.top_k ?? 0;
    this.topP = g?.top_p ?? 1;
    this.seed = g?.seed ?? 0;
    this.clearStudy();
  }

  /** Unticks every study axis (after a study starts, the next Start is a plain run again). */
  clearStudy(): void {
    this.studyOrders = [];
    this.studyLabels = [];
    this.studyShots = [];
    this.studyTemplates = [];
  }

  get bench(): Benchmark {
    return BENCHMARKS[this.benchmark] ?? registeredQuiz(this.benchmark) ?? BENCHMARKS.mmlu!;
  }

  /** A benchmark starts with its own default subsets, split and template. */
  chooseBenchmark(id: string): void {
    this.filesRefused = '';
    const b = BENCHMARKS[id] ?? registeredQuiz(id);
    if (!b) return;
    this.benchmark = id;
    this.subjectMode = 'pick';
    this.picked = [...b.defaultSubsets];
    this.split = b.splits[0]!;
    // a benchmark scored only by generation (GSM8K) starts on its generating template
    const generates = getTemplate(b.defaultTemplate).scoring === 'generate';
    this.template = b.defaultTemplate;
    this.scoring = generates ? 'generate' : 'loglikelihood';
    if (generates) this.genTemplate = b.defaultTemplate;
    if (id !== 'mmlu') this.dataSource = 'hub';
    if (b.id.startsWith(QUIZ_PREFIX)) this.shots = 0;
  }

  get subjects(): string[] {
    try {
      const b = this.bench;
      if (b.subsets.length === 1) return [...b.subsets];
      if (this.subjectMode === 'all') return resolveSubsets(b, 'all');
      if (this.subjectMode === 'group') return resolveSubsets(b, this.group);
      return this.picked.filter((p) => b.subsets.includes(p));
    } catch {
      return [];
    }
  }

  /**
   * The study's axes: each ticked axis varies over the run's own value plus the ticked ones
   * ('cyclic' already holds the identity order as cyc0). None ticked: a plain run.
   */
  get vary(): [Axis, string[]][] {
    const out: [Axis, string[]][] = [];
    const t = this.templateId;
    if (this.studyTemplates.length) out.push(['template', [t, ...this.studyTemplates.filter((x) => x !== t)]]);
    if (this.studyShots.length)
      out.push(['shots', [this.shots, ...this.studyShots.filter((k) => k !== this.shots)].map(String)]);
    const ownLabels = getTemplate(t).labels;
    if (this.studyLabels.length && ownLabels)
      out.push(['labels', [ownLabels, ...this.studyLabels.filter((l) => l !== ownLabels)]]);
    if (this.studyOrders.length)
      out.push(['order', this.studyOrders.includes('cyclic') ? this.studyOrders : ['identity', ...this.studyOrders]]);
    return out;
  }

  /** The chosen hub repository (null for a model from local files). */
  get hubModelId(): string | null {
    if (this.modelChoice === 'local') return null;
    return this.modelChoice === 'custom' ? this.customId.trim() : this.modelChoice;
  }

  /** The run's settings as the engine takes them (the page's runs use the fast scorer). */
  runSettings(subjects: string[], batchSize: number | 'auto'): EvalSettings {
    return {
      ...(this.bench.id !== 'mmlu' ? { benchmark: this.bench.id } : {}),
      subjects,
      split: this.split,
      shots: this.shots,
      template: this.templateId,
      ...(this.limit !== null ? { limit: this.limit } : {}),
      bos: this.bos,
      lmEval: this.lmEval,
      ...(this.description ? {} : { description: false }),
      ...(this.chat !== 'none' && this.scoring !== 'generate'
        ? { chat: this.chat, ...(this.system.trim() ? { system: this.system.trim() } : {}) }
        : {}),
      ...(this.generation ? { generation: this.generation } : {}),
      scorer: 'fast',
      batchSize,
    };
  }

  get templateId(): string {
    if (this.scoring !== 'generate') return this.template;
    return this.bench.templates.includes(this.genTemplate) ? this.genTemplate : 'generate';
  }

  /** The run's decoding overrides (generate scoring only; nothing when every value is the template's). */
  get generation(): Partial<GenerationSettings> | undefined {
    if (this.scoring !== 'generate') return undefined;
    const g: Partial<GenerationSettings> = {};
    if (this.maxNewTokens !== null && this.maxNewTokens >= 1) g.maxNewTokens = Math.floor(this.maxNewTokens);
    const stops = parseStops(this.stop);
    if (stops.length) g.stop = stops;
    if (this.temperature > 0) {
      g.temperature = this.temperature;
      if (this.topK > 0) g.topK = Math.floor(this.topK);
      if (this.topP > 0 && this.topP < 1) g.topP = this.topP;
      g.seed = Math.floor(this.seed);
    }
    return Object.keys(g).length ? g : undefined;
  }
}
