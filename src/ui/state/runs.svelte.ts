import * as Comlink from 'comlink';
import { getTemplate } from '../../core/templates/presets.ts';
import { settleInterruptedRuns, updateRun, type PagebenchDB, type RunRecord } from '../../storage/db.ts';
import type { WorkerEvent } from '../../../workers/evalWorker.ts';
import type { WorkerClient } from '../client.ts';
import { explainFailure } from '../errors.ts';
import type { Router } from './router.svelte.ts';

export interface FileProgressView {
  loaded: number;
  total: number;
  t0: number;
  t: number;
}

/**
 * The stored runs and the one in progress: start, resume, stop, rename, and what the worker
 * reports while a run goes (phase, downloads, progress, latest questions).
 */
export class RunsState {
  runs = $state<RunRecord[]>([]);
  activeRunId = $state<string | null>(null);
  events = $state<WorkerEvent[]>([]);
  lastProgress = $state<Extract<WorkerEvent, { type: 'progress' }> | null>(null);
  files = $state<Record<string, FileProgressView>>({});
  phase = $state('');
  error = $state('');
  /** Runs that have ended since the page loaded (the e2e tests wait on it). */
  finished = 0;
  private stopSignal: (() => void) | null = null;

  constructor(
    private readonly db: PagebenchDB,
    private readonly client: WorkerClient,
    private readonly router: Router,
  ) {}

  get busy(): boolean {
    return this.activeRunId !== null;
  }

  async refresh(): Promise<void> {
    this.runs = (await this.db.getAll('runs')).filter((r) => r.settings).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Runs a page that went away left 'running' are stopped runs, their counts taken from the samples. */
  async settleInterrupted(): Promise<void> {
    await settleInterruptedRuns(this.db, (r) => getTemplate(r.settings.template).headline);
    await this.refresh();
  }

  async start(run: RunRecord): Promise<void> {
    await this.db.put('runs', $state.snapshot(run) as RunRecord);
    await this.refresh();
    await this.execute(run.id);
  }

  /** Runs (or resumes) a stored run in the worker until it ends, fails or is stopped. */
  async execute(runId: string): Promise<void> {
    this.error = '';
    this.activeRunId = runId;
    this.files = {};
    this.lastProgress = null;
    this.events = [];
    this.router.go('run', runId);
    // A terminated worker never answers: Stop settles this race instead.
    const stopped = new Promise<'stopped'>((resolve) => (this.stopSignal = () => resolve('stopped')));
    try {
      const onEvent = (e: WorkerEvent) => this.onEvent(e);
      const final = await Promise.race([this.client.api.run(runId, Comlink.proxy(onEvent)), stopped]);
      if (final === 'stopped' || final.status === 'stopped') this.phase = 'stopped';
      else if (final.status === 'failed') this.error = final.error ?? 'the run failed';
      else if (final.status === 'complete') {
        this.phase = `finished: ${final.done} question(s)`;
        this.router.go(final.study ? 'study' : 'results', runId);
      }
    } catch (e) {
      this.error = explainFailure(e);
    } finally {
      this.stopSignal = null;
      this.activeRunId = null;
      await this.refresh();
      this.finished++;
    }
  }

  async stop(): Promise<void> {
    const id = this.activeRunId;
    await this.client.stop();
    if (id) await updateRun(this.db, id, (r) => r.status === 'running' && (r.status = 'stopped'));
    this.stopSignal?.();
  }

  async rename(id: string, name: string): Promise<void> {
    await updateRun(this.db, id, (r) => (r.name = name.trim() || undefined));
    await this.refresh();
  }

  private onEvent(e: WorkerEvent): void {
    if (e.type === 'file') {
      const now = performance.now();
      const prev = this.files[e.progress.file];
      this.files[e.progress.file] = {
        loaded: e.progress.loaded,
        total: e.progress.total,
        t0: prev?.t0 ?? now,
        t: now,
      };
    } else if (e.type === 'progress') this.lastProgress = e;
    else if (e.type === 'phase') this.phase = e.message;
    else this.events = [...this.events.slice(-200), e];
  }
}
