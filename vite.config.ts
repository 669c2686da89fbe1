import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { ORT_WASM_FILES } from './src/core/runtime/webRuntime.ts';
import { BASE_CSP } from './src/web/csp.ts';

// Cross-origin isolation (COOP/COEP) lets ONNX Runtime's WASM backend use threads.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The package's main file lies in its dist/ folder, beside the wasm files.
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));

/** Serves (dev) and emits (build) ONNX Runtime Web's wasm files under ort/, so no CDN is needed. */
function ortWasmFiles(): Plugin {
  return {
    name: 'pagebench-ort-wasm',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.match(/\/ort\/([^?]+)/)?.[1];
        if (!name || !(ORT_WASM_FILES as readonly string[]).includes(name)) return next();
        res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        res.end(readFileSync(join(ortDist, name)));
      });
    },
    generateBundle() {
      for (const name of ORT_WASM_FILES)
        this.emitFile({ type: 'asset', fileName: `ort/${name}`, source: readFileSync(join(ortDist, name)) });
    },
  };
}

/** The Content Security Policy as a <meta> tag in the built pages (headers can't be set on every static host). */
function cspMeta(): Plugin {
  return {
    name: 'pagebench-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: BASE_CSP }, injectTo: 'head-prepend' },
    ],
  };
}

/**
 * Writes the build's id into the service worker (public/sw.js's __PAGEBENCH_BUILD__): a hash of the
 * emitted files' content-hashed names, or PAGEBENCH_BUILD_ID. A new deploy is then a new service
 * worker with its own cache, and the page offers to reload instead of mixing versions.
 */
function serviceWorkerBuildId(): Plugin {
  let outDir = 'dist';
  const names: string[] = [];
  return {
    name: 'pagebench-sw-build-id',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    generateBundle(_options, bundle) {
      names.push(...Object.keys(bundle));
    },
    closeBundle() {
      const file = join(outDir, 'sw.js');
      if (!existsSync(file)) return;
      const id =
        process.env.PAGEBENCH_BUILD_ID ??
        createHash('sha256').update(names.sort().join('\n')).digest('hex').slice(0, 12);
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll('__PAGEBENCH_BUILD__', id));
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [svelte(), ortWasmFiles(), cspMeta(), serviceWorkerBuildId()],
  server: { host: '127.0.0.1', headers: isolation },
  preview: { host: '127.0.0.1', headers: { ...isolation, 'Content-Security-Policy': BASE_CSP } },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { main: 'index.html', bench: 'src/bench/bench.html' } },
  },
});
