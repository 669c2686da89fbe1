// pagebench service worker, for static hosts that cannot set headers (e.g. GitHub Pages):
// 1. adds Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy to the site's own responses,
//    so the page is cross-origin isolated and ONNX Runtime's WASM backend can use threads;
// 2. keeps a copy of every same-origin file it served, per build, so the app opens offline once
//    visited and an open page keeps its own version's files after a new deploy.
// Model weights and MMLU shards are not cached here: the app stores them in IndexedDB.
// (One service worker per scope, so both jobs live in this one file.)
// The build writes its id here (vite.config.ts): a new deploy is a new service worker and cache.
const BUILD = '__PAGEBENCH_BUILD__';
const CACHE = `pagebench-app-${BUILD}`;

// The first install takes over at once (the page needs the isolation headers); an update waits
// until the page asks (its "new version — reload" banner), so one page never mixes two versions.
self.addEventListener('install', () => {
  if (!self.registration.active) self.skipWaiting();
});
self.addEventListener('message', (event) => {
  if (event.data === 'skipWaiting') self.skipWaiting();
});
self.addEventListener('activate', (event) =>
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys())
        if (key.startsWith('pagebench-app-') && key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  ),
);

function isolated(response) {
  if (response.status === 0 || response.type === 'opaque') return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  // A hub served from this origin (pagebench serve): its files live in IndexedDB, not here; its
  // Range probes get partial (206) answers, which a cache cannot hold. Only the isolation headers.
  const hubFile = /\/(resolve|api)\//.test(url.pathname) || req.headers.has('range');
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const fallback = async () =>
        (await cache.match(req)) ??
        (req.mode === 'navigate' ? await cache.match(new URL('./', self.location.href)) : undefined);
      try {
        const res = await fetch(req);
        if (hubFile) return isolated(res);
        if (res.status === 200) {
          // A full disk (QuotaExceededError) must not fail the request: the copy is only for offline use.
          event.waitUntil(cache.put(req, res.clone()).catch(() => {}));
          return isolated(res);
        }
        // A file of this version that a newer deploy removed: this version's copy.
        const hit = res.status === 404 ? await fallback() : undefined;
        return isolated(hit ?? res);
      } catch (err) {
        const hit = await fallback();
        if (hit) return isolated(hit);
        throw err;
      }
    })(),
  );
});
