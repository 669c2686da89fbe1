/**
 * Coordination between tabs (and their workers) of the same site: a Web Lock per run, so two tabs
 * never score the same run at once, and a Web Lock per model repository, so two tabs download its
 * files one after the other (the second then finds them stored); a BroadcastChannel tells the
 * other tabs that a run started or ended.
 */
export const runLockName = (runId: string) => `pagebench-run:${runId}`;
export const downloadLockName = (hubUrl: string, id: string) =>
  `pagebench-download:${hubUrl.replace(/\/+$/, '')}/${id}`;

export class RunBusyError extends Error {
  override name = 'RunBusyError';
}

/** Runs `work` holding the run's lock; refuses at once when another tab holds it. */
export async function withRunLock<T>(runId: string, work: () => Promise<T>): Promise<T> {
  if (!navigator.locks) return work();
  return navigator.locks.request(runLockName(runId), { ifAvailable: true }, async (lock) => {
    if (!lock)
      throw new RunBusyError('this run is being scored in another tab or window of pagebench; it goes on there');
    return work();
  }) as Promise<T>;
}

/**
 * Runs `work` holding the repository's download lock, waiting for another tab's download to end
 * (`onWait` says so first).
 */
export async function withDownloadLock<T>(
  hubUrl: string,
  id: string,
  work: () => Promise<T>,
  onWait: () => void = () => {},
): Promise<T> {
  if (!navigator.locks) return work();
  const name = downloadLockName(hubUrl, id);
  const now = await navigator.locks.request(name, { ifAvailable: true }, async (lock) =>
    lock ? { result: await work() } : null,
  );
  if (now) return now.result;
  onWait();
  return navigator.locks.request(name, work) as Promise<T>;
}

/** Runs `work` holding the run's lock as soon as no other page holds it. */
export async function whenRunLockFree(runId: string, work: () => Promise<void>): Promise<void> {
  if (!navigator.locks) return work();
  await navigator.locks.request(runLockName(runId), work);
}

/** The run ids whose lock some tab holds now. */
export async function heldRunLocks(): Promise<Set<string>> {
  if (!navigator.locks) return new Set();
  const state = await navigator.locks.query();
  const prefix = runLockName('');
  return new Set(
    (state.held ?? [])
      .map((l) => l.name ?? '')
      .filter((n) => n.startsWith(prefix))
      .map((n) => n.slice(prefix.length)),
  );
}

/** The channel on which tabs say that a run started or ended. */
export function runsChannel(): BroadcastChannel | null {
  return typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('pagebench-runs');
}
