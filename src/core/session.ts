import type { SubjectData } from './benchmarks/doc.ts';
import { benchmarkOf } from './benchmarks/registry.ts';
import type { Benchmark, DataSources } from './benchmarks/types.ts';
import { evaluate, type EvalHooks, type EvalOutput, type EvalSettings, type Sample } from './evaluate.ts';
import { computeScoreboard, type Scoreboard } from './report/scoreboard.ts';
import { partRange, type PartRange } from './parts.ts';
import type { CausalLM } from './runtime/causalLm.ts';

/**
 * One run, the same in the CLI and the page's worker: its benchmark's data loaded once, then
 * prompts → requests → scoring → samples (with progress and sample events, resumable by skipping
 * the questions already stored, stoppable between questions), then the scoreboard.
 */
export class RunSession {
  readonly benchmark: Benchmark;
  private data: SubjectData[] | null = null;

  constructor(
    readonly settings: EvalSettings,
    private readonly sources: DataSources,
  ) {
    this.benchmark = benchmarkOf(settings);
  }

  /** Loads (once) every selected subset; a malformed row fails here, before anything is scored. */
  async load(): Promise<SubjectData[]> {
    this.data ??= await loadRunData(this.sources, this.settings);
    return this.data;
  }

  /** Questions the run has in all (the limit and the part applied). */
  async total(): Promise<number> {
    const data = await this.load();
    const all = data.reduce((a, d) => a + Math.min(d.questions.length, this.settings.limit ?? Infinity), 0);
    if (!this.settings.part) return all;
    const r = partRange(all, this.settings.part);
    return r.end - r.start;
  }

  /** The slice a part run scores, or null for a whole run. */
  async partRange(): Promise<PartRange | null> {
    const data = await this.load();
    const all = data.reduce((a, d) => a + Math.min(d.questions.length, this.settings.limit ?? Infinity), 0);
    return this.settings.part ? { ...partRange(all, this.settings.part), subjects: data.map((d) => d.subject) } : null;
  }

  /** Scores the questions not skipped; `hooks.signal` stops it between questions. */
  async run(model: CausalLM, hooks: EvalHooks = {}): Promise<EvalOutput> {
    return evaluate(model, await this.load(), this.settings, hooks);
  }

  scoreboard(samples: Sample[]): Scoreboard {
    return computeScoreboard(this.benchmark, this.settings.template, this.settings.subjects, samples);
  }
}

/** Every selected subset of a run's benchmark (MMLU through its own loaders, the others through rows). */
export async function loadRunData(
  src: DataSources,
  settings: Pick<EvalSettings, 'benchmark' | 'subjects' | 'split' | 'shots'>,
): Promise<SubjectData[]> {
  const b = benchmarkOf(settings);
  const out: SubjectData[] = [];
  for (const s of settings.subjects) out.push(await b.load(src, s, settings.split, settings.shots));
  return out;
}
