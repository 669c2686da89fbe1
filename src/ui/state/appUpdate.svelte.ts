/** A newer build of the page is installed and waiting (serviceWorker.ts): how to switch to it. */
export const appUpdate = $state<{ apply: (() => void) | null }>({ apply: null });
