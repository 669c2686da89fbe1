/**
 * Registers public/sw.js. On a host that does not send COOP/COEP itself, the first visit is not
 * cross-origin isolated; once the service worker controls the page it adds the headers, and one
 * reload makes the page isolated (WASM threads).
 */
export async function registerServiceWorker(): Promise<void> {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  await navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './' });
  if (crossOriginIsolated) return;
  const reloaded = sessionStorage.getItem('pagebench.coi-reload');
  if (reloaded) return; // a host or browser where isolation cannot be had: run single-threaded
  const reload = () => {
    sessionStorage.setItem('pagebench.coi-reload', '1');
    location.reload();
  };
  if (!navigator.serviceWorker.controller) {
    await navigator.serviceWorker.ready;
    // clients.claim() may have made it the controller already; otherwise wait for that.
    if (!navigator.serviceWorker.controller)
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  }

  reload();
}
