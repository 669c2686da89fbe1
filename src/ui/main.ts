import { mount } from 'svelte';
import App from './App.svelte';
import { registerServiceWorker } from './serviceWorker.ts';
import { appUpdate } from './state/appUpdate.svelte.ts';
import { connectPolicy, installTrustedTypes } from '../web/csp.ts';
import { configuredHub } from './hub.ts';

installTrustedTypes();

// Narrow connect-src to the site and the configured hub before anything is fetched.
const meta = document.createElement('meta');
meta.httpEquiv = 'Content-Security-Policy';
meta.content = connectPolicy(configuredHub());
document.head.append(meta);

registerServiceWorker((apply) => (appUpdate.apply = apply)).catch((e) =>
  console.warn('service worker not registered:', e),
);
mount(App, { target: document.getElementById('app')! });
