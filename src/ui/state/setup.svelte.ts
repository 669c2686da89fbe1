import { BENCHMARKS, resolveSubsets } from '../../core/benchmarks/registry.ts';
import type { Benchmark } from '../../core/benchmarks/types.ts';
import type { UiDtype } from '../presets.ts';

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
  subjectMode: 'all' | 'group' | 'pick';
  group: string;
  picked: string[];
  split: string;
  shots: number;
  limit: number | null;
  template: string;
  scoring: 'loglikelihood' | 'generate';
  dataSource: 'hub' | 'local';
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
  subjectMode: 'pick',
  group: 'stem',
  picked: ['anatomy'],
  split: 'test',
  shots: 0,
  limit: null,
  template: 'lm-eval',
  scoring: 'loglikelihood',
  dataSource: 'hub',
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
  subjectMode = $state<SavedSetup['subjectMode']>('pick');
  group = $state('stem');
  picked = $state<string[]>([]);
  split = $state('test');
  shots = $state(0);
  limit = $state<number | null>(null);
  template = $state('lm-eval');
  scoring = $state<SavedSetup['scoring']>('loglikelihood');
  dataSource = $state<SavedSetup['dataSource']>('hub');

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
      subjectMode: this.subjectMode,
      group: this.group,
      picked: $state.snapshot(this.picked),
      split: this.split,
      shots: this.shots,
      limit: this.limit,
      template: this.template,
      scoring: this.scoring,
      dataSource: this.dataSource,
    };
  }

  save(storage: Storage = localStorage): void {
    storage.setItem(KEY, JSON.stringify(this.snapshot()));
  }

  get bench(): Benchmark {
    return BENCHMARKS[this.benchmark] ?? BENCHMARKS.mmlu!;
  }

  /** A benchmark starts with its own default subsets, split and template. */
  chooseBenchmark(id: string): void {
    const b = BENCHMARKS[id];
    if (!b) return;
    this.benchmark = id;
    this.subjectMode = 'pick';
    this.picked = [...b.defaultSubsets];
    this.split = b.splits[0]!;
    this.template = b.defaultTemplate;
    this.scoring = 'loglikelihood';
    if (id !== 'mmlu') this.dataSource = 'hub';
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

  get templateId(): string {
    return this.scoring === 'generate' ? 'generate' : this.template;
  }
}
