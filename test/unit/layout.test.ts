/**
 * The source tree's layering, checked on the real import graph (madge, which reads every import,
 * type-only ones included): no import circle among the TypeScript sources, and nothing outside
 * src/ui/ imports from it — the engine, the worker, the browser layer, the CLI and the bench stand
 * below the page (README: Layout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import madge from 'madge';
import { REPO } from '../support/paths.ts';

const graph = await madge([join(REPO, 'src'), join(REPO, 'workers')], {
  baseDir: REPO,
  fileExtensions: ['ts'],
  tsConfig: join(REPO, 'tsconfig.json'),
});

test('no import circle among the sources (type-only imports count)', () => {
  const files = Object.keys(graph.obj());
  assert.ok(files.length > 100, `${files.length} files read`);
  assert.deepEqual(graph.circular(), []);
});

test('nothing outside src/ui/ imports from src/ui/', () => {
  const bad = Object.entries(graph.obj()).flatMap(([file, deps]) =>
    file.startsWith('src/ui/') ? [] : deps.filter((d) => d.startsWith('src/ui/')).map((d) => `${file} -> ${d}`),
  );
  assert.deepEqual(bad, []);
});

test('every relative import resolves (nothing the graph could not read)', () => {
  // madge lists what it could not resolve; a bare package name (onnxruntime-web/webgpu, a subpath
  // export) is no source of ours.
  const skipped = graph.warnings().skipped.filter((s) => s.startsWith('.') || s.startsWith('/'));
  assert.deepEqual(skipped, []);
});
