import { parseRoute, routeHash, type View } from '../routes.ts';

/** The view shown and the run it is about, kept in the address (#/results/<id>, …). */
export class Router {
  view = $state<View>('setup');
  runId = $state<string | null>(null);
  /** What a #/share/ or #/join/ address carries. */
  arg = $state<string | null>(null);

  constructor() {
    this.sync();
  }

  /** After back/forward or an edited address. */
  sync(): void {
    const r = parseRoute(location.hash);
    this.view = r.view;
    this.arg = r.arg ?? null;
    if (r.runId) this.runId = r.runId;
  }

  go(view: View, runId: string | null = this.runId, arg?: string): void {
    const hash = routeHash({ view, runId, arg });
    if (location.hash !== hash) history.pushState(null, '', hash);
    this.view = view;
    this.arg = arg ?? null;
    if (runId) this.runId = runId;
  }

  /** Gives the shown view its address without a new history entry (e.g. the latest run under #/results). */
  settle(): void {
    const hash = routeHash({ view: this.view, runId: this.runId, arg: this.arg ?? undefined });
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }
}
