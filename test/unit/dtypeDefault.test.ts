/**
 * The page's default dtype (src/ui/presets.ts defaultDtype, what SetupView picks): it is one the
 * repository offers, as the hub's tree API lists it (a mirror of the hub's URL layout on 127.0.0.1,
 * src/node/hubMirror.ts), and on WASM the fastest that `npm run bench` measured in Chromium WASM —
 * read here from the full run's table in BENCHMARKS.md, so the code's numbers and the documented
 * evidence cannot drift apart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DTYPE_SUFFIX, checkHubModel } from '../../src/core/runtime/hubSizes.ts';
import { mirrorModel, serveStatic } from '../../src/node/hubMirror.ts';
import { DTYPES, WASM_DTYPE_SPEED, defaultDtype, type UiDtype } from '../../src/ui/presets.ts';
import { REPO, STORIES } from '../support/paths.ts';

/** questions/s by dtype and shot count: the full run's Chromium WASM rows, 135M shape, fast, batch 1. */
function benchmarkedSpeeds(): Map<string, Map<number, number>> {
  const md = readFileSync(join(REPO, 'BENCHMARKS.md'), 'utf8');
  const section = md.split(/^## /m).find((s) => s.startsWith('Full run'));
  assert.ok(section, 'BENCHMARKS.md has a "Full run" section');
  const rows = section
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  // the main table: the one whose header has the per-case columns (the kernel-peak table comes first)
  const at = rows.findIndex((r) => r.includes('q/s') && r.includes('dtype') && r.includes('mode'));
  assert.ok(at >= 0, 'the full run has its table of cases');
  const head = rows[at]!;
  const col = (name: string) => {
    const i = head.indexOf(name);
    assert.ok(i >= 0, `the full run's table has a "${name}" column`);
    return i;
  };
  const out = new Map<string, Map<number, number>>();
  for (const r of rows.slice(at + 2).filter((r) => r.length === head.length)) {
    if (r[col('runtime')] !== 'chromium-wasm' || r[col('model')] !== 'smollm2-135m-shape') continue;
    if (r[col('mode')] !== 'fast' || r[col('batch')] !== '1') continue;
    const d = r[col('dtype')]!;
    if (!out.has(d)) out.set(d, new Map());
    out.get(d)!.set(Number(r[col('shots')]), Number(r[col('q/s')]));
  }
  return out;
}

let root: string;
let hub: Awaited<ReturnType<typeof serveStatic>>;
const REPOS: Record<string, UiDtype[]> = {
  'test-org/all-dtypes': ['fp32', 'fp16', 'q8', 'q4', 'q4f16'],
  'test-org/fp32-q4': ['fp32', 'q4'],
  'test-org/fp16-fp32': ['fp16', 'fp32'],
  'test-org/q4f16-only': ['q4f16'],
  'test-org/fp16-only': ['fp16'],
};

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'pb-dtype-'));
  for (const [id, dtypes] of Object.entries(REPOS)) {
    const dir = join(root, 'src', id);
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    for (const f of readdirSync(STORIES)) if (f.endsWith('.json')) copyFileSync(join(STORIES, f), join(dir, f));
    for (const d of dtypes)
      copyFileSync(join(STORIES, 'onnx/model.onnx'), join(dir, `onnx/model${DTYPE_SUFFIX[d]}.onnx`));
    mirrorModel(join(root, 'hub'), dir, id);
  }
  hub = await serveStatic(join(root, 'hub'));
});
after(async () => {
  await hub?.close();
  rmSync(root, { recursive: true, force: true });
});

test('the measured WASM speeds in presets.ts are the full benchmark run’s, for every dtype it measured', () => {
  const bench = benchmarkedSpeeds();
  assert.deepEqual([...bench.keys()].sort(), Object.keys(WASM_DTYPE_SPEED).sort());
  for (const [d, byShots] of bench) assert.deepEqual(WASM_DTYPE_SPEED[d as UiDtype], [byShots.get(0), byShots.get(5)]);
});

test('the default dtype is listed by the repository’s tree API and is the fastest measured on WASM', async () => {
  const bench = benchmarkedSpeeds();
  // fastest = highest geometric mean of the 0- and 5-shot questions/s; unmeasured dtypes only when nothing measured is offered
  const score = (d: string) => (bench.has(d) ? Math.sqrt(bench.get(d)!.get(0)! * bench.get(d)!.get(5)!) : -1);
  for (const id of Object.keys(REPOS)) {
    const check = await checkHubModel(hub.url, id);
    assert.ok(check.ok, `${id}: ${'problem' in check ? check.problem : ''}`);
    const listed = DTYPES.filter((d) => check.onnx.some((f) => f.path === `onnx/model${DTYPE_SUFFIX[d]}.onnx`));
    assert.deepEqual(listed.sort(), [...REPOS[id]!].sort(), `${id}: the tree API lists its files`);
    const chosen = defaultDtype(check.onnx, 'wasm', false);
    const fastest = [...listed].sort((a, b) => score(b) - score(a))[0];
    console.log(`${id}: offers ${listed.join(', ')}; WASM default ${chosen}`);
    assert.ok(chosen && listed.includes(chosen), `${id}: ${chosen} is offered`);
    assert.equal(score(chosen), score(fastest!), `${id}: ${chosen} is the fastest measured of ${listed}`);
  }
});

test('on WebGPU without shader-f16 the default is never an f16 dtype; a repo with only those has none', async () => {
  for (const id of Object.keys(REPOS)) {
    const check = await checkHubModel(hub.url, id);
    assert.ok(check.ok);
    const chosen = defaultDtype(check.onnx, 'webgpu', false);
    if (REPOS[id]!.every((d) => d === 'fp16' || d === 'q4f16')) assert.equal(chosen, null, id);
    else assert.ok(chosen && !['fp16', 'q4f16'].includes(chosen) && REPOS[id]!.includes(chosen), `${id}: ${chosen}`);
  }
});
