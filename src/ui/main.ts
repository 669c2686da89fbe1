import { mount } from 'svelte';
import App from './App.svelte';
import { registerServiceWorker } from './serviceWorker.ts';

registerServiceWorker().catch((e) => console.warn('service worker not registered:', e));
mount(App, { target: document.getElementById('app')! });
