import { StallWatch } from './stallWatch.svelte.ts';
import type { StepId } from '../stalls.ts';
import * as Comlink from 'comlink';
import { templateHeadline } from '../../core/report/scoreboard.ts';
import { nextSuiteTask } from './runPlan.svelte.ts';
import { heldRunLocks, runsChannel, whenRunLockFree } from '../../storage/locks.ts';
import { recordSamples, settleInterruptedRuns, updateRun, type PagebenchDB, type RunRecord } from '../../storage/db.ts';
import type { WorkerEvent } from '../../../workers/evalWorker.ts';
import type { WorkerClient } from '../client.ts';
import { explainFailure } from '../../web/failures.ts';
import type { Router } from './router.svelte.ts';

export interface FileProgressView {
  loaded: number;
  /** Bytes already there when this session first reported the file (a resumed download). */
  l0: number;
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
  /** What the downloads of the run in progress met: resumed, restarted, evicted, waiting for another tab. */
  notes = $state<string[]>([]);
  /** Said when the run in progress continues one the page's going away interrupted. */
  continued = $state('');
  /** Whether the browser agreed to keep this site's storage (asked when a run starts); null: cannot tell. */
  persisted = $state<boolean | null>(null);
  /** The step the run in progress waits on, and whether it has made no progress for too long. */
  readonly watch = new StallWatch();
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

  /**
   * Runs a page that went away left 'running' are stopped runs, their counts taken from the samples;
   * `onSettled` hears of each (the app continues the one its address shows: a reload mid-run).
   */
  async settleInterrupted(onSettled: (runId: string) => void = () => {}): Promise<void> {
    const headline = (r: RunRecord) => templateHeadline(r.settings.template);
    const held = await heldRunLocks();
    const settled = await settleInterruptedRuns(this.db, headline, held);
    await this.refresh();
    settled.forEach(onSettled);
    // A held run may belong to the page this one replaced (a reload), whose lock is released only
    // as it goes away: settle such a run once its lock is free (a run another tab completes meanwhile
    // is no longer 'running' and is left as it is).
    for (const r of this.runs)
      if (r.status === 'running' && held.has(r.id))
        void whenRunLockFree(r.id, async () => {
          const others = await heldRunLocks();
          others.delete(r.id);
          const later = await settleInterruptedRuns(this.db, headline, others);
          await this.refresh();
          later.forEach(onSettled);
        });
  }

  /**
   * A reload between a suite task's end and the next task's start (the page went away after the
   * worker finished one task and before, or just after, the next was stored): the address still
   * shows the finished task, so the suite's chain continues from its latest task here. Returns
   * whether it did.
   */
  async continueSuiteChain(shownId: string): Promise<boolean> {
    const shown = this.runs.find((x) => x.id === shownId);
    if (!shown?.suite || shown.status !== 'complete' || this.busy || this.chaining) return false;
    this.chaining = true;
    try {
      const latest = this.runs
        .filter((x) => x.suite?.id === shown.suite!.id)
        .sort((a, b) => b.suite!.index - a.suite!.index)[0]!;
      // the next task was stored and the page went away during it (a Stop the user pressed is left alone)
      if (latest.status === 'stopped' && latest.interrupted) {
        await this.execute(latest.id);
        return true;
      }
      if (latest.status !== 'complete') return false;
      const next = nextSuiteTask(latest, Date.now());
      if (!next) return false;
      await this.start(next);
      return true;
    } finally {
      this.chaining = false;
    }
  }
  private chaining = false;

  /** Another tab's run started or ended: this tab's list follows. */
  private readonly channel = (() => {
    const c = runsChannel();
    if (c) c.onmessage = () => void this.refresh();
    return c;
  })();

  /** Whether some tab is scoring this run now (its lock is held). */
  async liveElsewhere(runId: string): Promise<boolean> {
    return runId !== this.activeRunId && (await heldRunLocks()).has(runId);
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
    const before = await this.db.get('runs', runId);
    const unit = before?.study ? 'variant-question' : 'question';
    this.continued = before?.interrupted
      ? `The page went away during this run (a reload or a closed tab); it continues from ${unit} ${before.done + 1} of ${before.total || '?'}, keeping the ${before.done} finished.`
      : '';
    if (before?.interrupted) await updateRun(this.db, runId, (r) => (r.interrupted = undefined));
    this.files = {};
    this.notes = [];
    this.lastProgress = null;
    this.events = [];
    this.router.go('run', runId);
    // Downloads are large: ask the browser not to evict them, and say what it answered when it answers.
    // Never awaited: Firefox answers only once the user responds to its permission prompt (maybe never).
    this.persisted = null;
    if (navigator.storage?.persist)
      void navigator.storage.persist().then(
        (granted) => (this.persisted = granted),
        () => (this.persisted = false),
      );
    this.channel?.postMessage({ runId, state: 'started' });
    this.watch.start('worker');
    // A terminated worker never answers: Stop settles this race instead.
    const stopped = new Promise<'stopped'>((resolve) => (this.stopSignal = () => resolve('stopped')));
    // A worker that fails outside the run's call (an uncaught error, out of memory) never answers either.
    const crashed = new Promise<{ crash: string }>(
      (resolve) => (this.client.onCrash = (message) => resolve({ crash: message })),
    );
    // A suite's task done: the next one starts on the same model and settings (a reload mid-task
    // continues that task here, and the chain with it).
    let next: RunRecord | null = null;
    try {
      // The worker's events come over their own channel and may land after the run's answer: once
      // the run has ended, late ones (a download's last bytes) must not redraw what ended.
      let ended = false;
      const onEvent = (e: WorkerEvent) => {
        if (!ended) this.onEvent(e);
      };
      const final = await Promise.race([this.client.api.run(runId, Comlink.proxy(onEvent)), stopped, crashed]).finally(
        () => (ended = true),
      );
      if (typeof final === 'object' && 'crash' in final) {
        // Its state is unknown: a fresh worker; the run keeps every stored question and can resume.
        await this.client.stop();
        const samples = await this.countSamples(runId);
        await updateRun(this.db, runId, (r) => {
          r.status = 'stopped';
          r.done = samples;
          r.error = `the evaluation worker stopped unexpectedly (${final.crash})`;
        });
        this.error = `The evaluation stopped unexpectedly (${final.crash}). The ${samples} finished questions are kept; Resume continues the run.`;
        this.phase = 'stopped';
      } else if (final === 'stopped' || final.status === 'stopped') this.phase = 'stopped';
      else if (final.status === 'failed') this.fail(final.error ?? 'the run failed');
      else if (final.status === 'complete') {
        this.phase = `finished: ${final.done} question(s)`;
        next = final.suite ? nextSuiteTask(final, Date.now()) : null;
        if (final.suite && !next) this.router.go('suite', final.suite.id);
        else if (!next) this.router.go(final.study ? 'study' : 'results', runId);
      }
    } catch (e) {
      this.fail(explainFailure(e));
    } finally {
      this.watch.stop();
      this.client.onCrash = null;
      this.stopSignal = null;
      this.activeRunId = null;
      await this.refresh();
      this.channel?.postMessage({ runId, state: 'ended' });
      this.finished++;
    }
    if (next) await this.start(next);
  }

  /**
   * The run failed: the header says so (not the step it was on), and the download bars go, since
   * bytes that arrived but were refused (a corrupt file) are not a finished download.
   */
  private fail(message: string): void {
    this.error = message;
    this.phase = 'failed';
    this.files = {};
  }

  /** Questions stored for a run (a study's variant-questions). */
  private async countSamples(runId: string): Promise<number> {
    const run = await this.db.get('runs', runId);
    return run ? (await recordSamples(this.db, run)).length : 0;
  }

  /** A run whose GPU was lost continues on WASM (the switch is recorded in its result). */
  async resumeOnWasm(runId: string): Promise<void> {
    // A fresh worker: ONNX Runtime's WebGPU state does not survive its device.
    await this.client.stop();
    await updateRun(this.db, runId, (r) => {
      r.switchedFrom = { device: r.model.device, atQuestion: r.done };
      r.model = { ...r.model, device: 'wasm' };
      r.gpuLost = undefined;
      r.error = undefined;
    });
    await this.refresh();
    await this.execute(runId);
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
    this.watch.touch(stepOf(e, this.watch.step));
    if (e.type === 'file') {
      const now = performance.now();
      const prev = this.files[e.progress.file];
      this.files[e.progress.file] = {
        loaded: e.progress.loaded,
        total: e.progress.total,
        l0: prev?.l0 ?? e.progress.loaded,
        t0: prev?.t0 ?? now,
        t: now,
      };
    } else if (e.type === 'progress') this.lastProgress = e;
    else if (e.type === 'phase') this.phase = e.message;
    else if (e.type === 'note') this.notes = [...this.notes.slice(-20), e.message];
    else this.events = [...this.events.slice(-200), e];
  }
}

/** The step a worker event moves a run to (the same one where it says nothing new). */
function stepOf(e: WorkerEvent, current: StepId): StepId {
  if (e.type === 'phase')
    return (
      {
        start: 'repository',
        repository: 'repository',
        model: 'load',
        load: 'load',
        data: 'data',
        eval: 'first-question',
      } as const
    )[e.phase];
  if (e.type === 'file') return current === 'load' || current === 'repository' ? 'download' : current;
  if (e.type === 'progress' || e.type === 'sample') return 'eval';
  return current;
}
