/**
 * Registers public/sw.js. On a host that does not send COOP/COEP itself, the first visit is not
 * cross-origin isolated; once the service worker controls the page it adds the headers, and one
 * reload makes the page isolated (WASM threads). A new deploy installs a new service worker that
 * waits: `onUpdate` is called so the page can offer to reload into the new version.
 */
export async function registerServiceWorker(onUpdate: (apply: () => void) => void = () => {}): Promise<void> {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const reg = await navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './' });
  watchForUpdates(reg, onUpdate);
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

/** Calls onUpdate once a newer build's service worker is installed and waiting; checks on focus and hourly. */
function watchForUpdates(reg: ServiceWorkerRegistration, onUpdate: (apply: () => void) => void): void {
  const apply = () => {
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    reg.waiting?.postMessage('skipWaiting');
  };
  const announce = () => {
    if (reg.waiting && navigator.serviceWorker.controller) onUpdate(apply);
  };
  announce();
  reg.addEventListener('updatefound', () => {
    const w = reg.installing;
    w?.addEventListener('statechange', () => {
      if (w.state === 'installed') announce();
    });
  });
  const check = () => void reg.update().catch(() => {});
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && check());
  setInterval(check, 60 * 60 * 1000);
}
