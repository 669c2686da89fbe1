/**
 * The page's addresses (hash routes, so a static host serves them all): #/setup, #/run/<id>,
 * #/results/<id>, #/study/<id>, #/storage. Back and forward move between them; a reload restores the view.
 */
export type View = 'setup' | 'run' | 'results' | 'study' | 'storage';

export interface Route {
  view: View;
  runId: string | null;
}

const VIEWS: readonly View[] = ['setup', 'run', 'results', 'study', 'storage'];

export function parseRoute(hash: string): Route {
  const [, view, id] = /^#\/([a-z]+)(?:\/([^/?#]+))?/.exec(hash) ?? [];
  if (!view || !(VIEWS as readonly string[]).includes(view)) return { view: 'setup', runId: null };
  return { view: view as View, runId: id ? decodeURIComponent(id) : null };
}

export function routeHash(r: Route): string {
  return `#/${r.view}${r.runId && (r.view === 'run' || r.view === 'results' || r.view === 'study') ? `/${encodeURIComponent(r.runId)}` : ''}`;
}
