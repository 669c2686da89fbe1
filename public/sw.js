// pagebench service worker, for static hosts that cannot set headers (e.g. GitHub Pages):
// 1. adds Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy to the site's own responses,
//    so the page is cross-origin isolated and ONNX Runtime's WASM backend can use threads;
// 2. keeps a copy of every same-origin file it served, so the app opens offline once visited.
// Model weights and MMLU shards are not cached here: the app stores them in IndexedDB.
// (One service worker per scope, so both jobs live in this one file.)
const CACHE = 'pagebench-app-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

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
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await fetch(req);
        if (res.ok) await cache.put(req, res.clone());
        return isolated(res);
      } catch (err) {
        const hit =
          (await cache.match(req)) ??
          (req.mode === 'navigate' ? await cache.match(new URL('./', self.location.href)) : undefined);
        if (hit) return isolated(hit);
        throw err;
      }
    })(),
  );
});
