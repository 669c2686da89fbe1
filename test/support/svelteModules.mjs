// Node module hooks for the tests: a `.svelte.ts` module (the page's state classes, written with
// Svelte's runes) is compiled as the app's build compiles it — TypeScript stripped by esbuild,
// then svelte/compiler's compileModule (client runtime) — so the classes run in Node without a DOM.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compileModule } from 'svelte/compiler';
import { transform } from 'esbuild';

export async function load(url, context, next) {
  if (!url.endsWith('.svelte.ts')) return next(url, context);
  const filename = fileURLToPath(url);
  const js = (await transform(await readFile(filename, 'utf8'), { loader: 'ts', format: 'esm' })).code;
  return { format: 'module', source: compileModule(js, { filename, generate: 'client' }).js.code, shortCircuit: true };
}
