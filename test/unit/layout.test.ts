/**
 * The source tree's layering, checked on the real import graph (madge, which reads every import,
 * type-only ones included): no import circle among the TypeScript sources, and nothing outside
 * src/ui/ imports from it — the engine, the worker, the browser layer, the CLI and the bench stand
 * below the page (README: Layout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

test('`pagebench --help` loads no runtime: the help module reaches no ONNX, tokenizer or hub code', () => {
  // bin/pagebench.js answers help from src/cli/help.ts alone (the whole CLI took seconds to load).
  const deps = graph.obj();
  const seen = new Set<string>();
  const walk = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const d of deps[f] ?? []) walk(d);
  };
  walk('src/cli/help.ts');
  assert.ok(seen.size > 3, [...seen].join(', '));
  const heavy = [...seen].filter((f) => /^src\/(core\/runtime|node|web|storage)\/|^src\/cli\/main\.ts$/.test(f));
  assert.deepEqual(heavy, []);
  const bin = readFileSync(join(REPO, 'bin/pagebench.js'), 'utf8');
  assert.ok(bin.indexOf('help.ts') < bin.indexOf('main.ts'), 'the bin asks the help module first');
});
