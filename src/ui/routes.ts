/**
 * The page's addresses (hash routes, so a static host serves them all): #/setup, #/run/<id>,
 * #/results/<id>, #/study/<id>, #/suite/<id>, #/storage, #/compare, #/next (how a model reads a text),
 * #/present, and those that carry data rather than a stored run's id: #/share/<payload> (a result,
 * read-only), #/join/<payload> (a part of a classroom run), #/quiz/<payload> (a teacher's quiz),
 * #/class/<payload> (a student's side of a class quiz) and #/answers/<payload> (a student's answers).
 * Back and forward move between them; a reload restores the view.
 */
export type View =
  | 'setup'
  | 'run'
  | 'results'
  | 'study'
  | 'suite'
  | 'storage'
  | 'compare'
  | 'next'
  | 'present'
  | 'share'
  | 'join'
  | 'quiz'
  | 'class'
  | 'answers';

export interface Route {
  view: View;
  runId: string | null;
  /** What #/share/ and #/join/ carry (the rest of the address, as given). */
  arg?: string;
}

const VIEWS: readonly View[] = [
  'setup',
  'run',
  'results',
  'study',
  'suite',
  'storage',
  'compare',
  'next',
  'present',
  'share',
  'join',
  'quiz',
  'class',
  'answers',
];
const ARG_VIEWS: readonly View[] = ['share', 'join', 'quiz', 'class', 'answers'];
// #/suite/<id>: a suite run's id (its tasks' runs carry it)
const RUN_VIEWS: readonly View[] = ['run', 'results', 'study', 'suite'];

export function parseRoute(hash: string): Route {
  const arg = /^#\/(share|join|quiz|class|answers)\/(.+)$/s.exec(hash);
  if (arg) return { view: arg[1] as View, runId: null, arg: arg[2]! };
  const [, view, id] = /^#\/([a-z]+)(?:\/([^/?#]+))?/.exec(hash) ?? [];
  if (!view || !(VIEWS as readonly string[]).includes(view) || ARG_VIEWS.includes(view as View))
    return { view: 'setup', runId: null };
  return { view: view as View, runId: id ? decodeURIComponent(id) : null };
}

export function routeHash(r: Route): string {
  if (ARG_VIEWS.includes(r.view)) return `#/${r.view}/${r.arg ?? ''}`;
  return `#/${r.view}${r.runId && RUN_VIEWS.includes(r.view) ? `/${encodeURIComponent(r.runId)}` : ''}`;
}
