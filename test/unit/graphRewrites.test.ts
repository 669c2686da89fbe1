/**
 * Load-time graph rewrites (src/core/runtime/graphRewrites.ts) on real ONNX files run with
 * onnxruntime-node: the precise Sin/Cos replacement against Math.sin/cos, both rewrites on the
 * real stories260K graph against the graph as exported, and the editor's refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import '../../src/node/runtime.ts';
import { applicableRewrites, rewriteModel } from '../../src/core/runtime/graphRewrites.ts';
import { OnnxModelEditor, summarizeModel } from '../../src/core/runtime/onnxGraph.ts';
import { CausalLM } from '../../src/core/runtime/causalLm.ts';
import { STORIES } from '../support/paths.ts';
import { storiesFeeds } from '../support/storiesFeeds.ts';
import { SYSTEM_PYTHON } from '../support/syntheticModel.ts';

/** A two-node model (x -> Sin -> s, x -> Cos -> c) written with the onnx Python package. */
function sinCosModel(opset: number): Uint8Array {
  const file = join(mkdtempSync(join(tmpdir(), 'pb-sincos-')), 'sincos.onnx');
  const py = `
import onnx, sys
from onnx import helper, TensorProto
v = lambda n: helper.make_tensor_value_info(n, TensorProto.FLOAT, ['n'])
g = helper.make_graph([helper.make_node('Sin', ['x'], ['s']), helper.make_node('Cos', ['x'], ['c'])], 'g', [v('x')], [v('s'), v('c')])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', ${opset})]), sys.argv[1])
`;
  execFileSync(SYSTEM_PYTHON, ['-c', py, file]);
  return new Uint8Array(readFileSync(file));
}

const storiesBytes = () => new Uint8Array(readFileSync(join(STORIES, 'onnx/model.onnx')));

test('precise-sin-cos: within 2e-7 of Math.sin/cos for |x| up to 8000', async () => {
  const bytes = sinCosModel(14);
  const out = rewriteModel(bytes, {
    logitsToKeep: false,
    preciseSinCos: true,
    perRowQuant: false,
    float32Activations: false,
  });
  assert.deepEqual(out.applied, ['precise-sin-cos']);
  const edited = new OnnxModelEditor(out.bytes);
  assert.ok(!edited.nodes.some((n) => n.opType === 'Sin' || n.opType === 'Cos'), 'no Sin/Cos left');
  const session = await ort.InferenceSession.create(out.bytes);
  const n = 160_001;
  const x = Float32Array.from({ length: n }, (_, i) => (i - (n - 1) / 2) * 0.1);
  const r = await session.run({ x: new ort.Tensor('float32', x, [n]) });
  const s = r.s!.data as Float32Array;
  const c = r.c!.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < n; i++)
    worst = Math.max(worst, Math.abs(s[i]! - Math.sin(x[i]!)), Math.abs(c[i]! - Math.cos(x[i]!)));
  assert.ok(worst < 2e-7, `largest error ${worst}`);
});

async function storiesLogits(bytes: Uint8Array, ids: number[], keep?: number): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds = storiesFeeds(ids);
  if (keep !== undefined) feeds.num_logits_to_keep = new ort.Tensor('int64', [BigInt(keep)], []);
  return (await session.run(feeds)).logits!;
}

test('stories260K: both rewrites keep the logits of the graph as exported (500 positions)', async () => {
  const bytes = storiesBytes();
  const out = rewriteModel(bytes, {
    logitsToKeep: true,
    preciseSinCos: true,
    perRowQuant: false,
    float32Activations: false,
  });
  assert.deepEqual(out.applied, ['logits-to-keep', 'precise-sin-cos']);
  assert.ok(new OnnxModelEditor(out.bytes).inputNames.includes('num_logits_to_keep'));
  const ids = Array.from({ length: 500 }, (_, i) => 1 + ((i * 37) % 500));
  const ref = await storiesLogits(bytes, ids);
  const V = ref.dims[2]!;
  const refData = ref.data as Float32Array;
  const all = await storiesLogits(out.bytes, ids, 0);
  assert.deepEqual(all.dims, ref.dims, 'keep 0 = every position');
  let worst = 0;
  (all.data as Float32Array).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - refData[i]!))));
  assert.ok(worst < 1e-4, `largest logit difference ${worst}`);
  const last3 = await storiesLogits(out.bytes, ids, 3);
  assert.deepEqual(last3.dims, [1, 3, V]);
  const tail = refData.subarray((500 - 3) * V);
  (last3.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - tail[i]!) < 1e-4));
});

test('summarizeModel (positioned reads, weights skipped) sees the same structure as the full parse', async () => {
  const bytes = storiesBytes();
  let read = 0;
  const sum = await summarizeModel(async (pos, len) => {
    read += len;
    return bytes.subarray(pos, pos + len);
  }, bytes.length);
  const full = new OnnxModelEditor(bytes);
  assert.deepEqual(sum.nodes, full.nodes);
  assert.deepEqual(sum.inputNames, full.inputNames);
  assert.deepEqual(sum.outputNames, full.outputNames);
  assert.equal(sum.opsetVersion, 14);
  assert.equal(sum.hasExternalData, false);
  assert.deepEqual(
    applicableRewrites(sum, { logitsToKeep: true, preciseSinCos: true, perRowQuant: false, float32Activations: false }),
    ['logits-to-keep', 'precise-sin-cos'],
  );
  const rewritten = new OnnxModelEditor(
    rewriteModel(bytes, { logitsToKeep: true, preciseSinCos: false, perRowQuant: false, float32Activations: false })
      .bytes,
  );
  assert.deepEqual(
    applicableRewrites(rewritten, {
      logitsToKeep: true,
      preciseSinCos: false,
      perRowQuant: false,
      float32Activations: false,
    }),
    [],
  );
  console.log(`summary read ${read} of ${bytes.length} bytes`);
});

test('rewrites that do not fit are reported, not forced', () => {
  const sinCos = sinCosModel(14);
  const none = rewriteModel(sinCos, {
    logitsToKeep: true,
    preciseSinCos: false,
    perRowQuant: false,
    float32Activations: false,
  });
  assert.deepEqual(none.applied, []);
  assert.equal(none.bytes, sinCos, 'bytes passed through untouched');
  assert.match(none.skipped.join(';'), /no MatMul found behind the logits output/);
  const old = rewriteModel(sinCosModel(9), {
    logitsToKeep: true,
    preciseSinCos: true,
    perRowQuant: false,
    float32Activations: false,
  });
  assert.deepEqual(old.applied, []);
  assert.match(old.skipped.join(';'), /opset 9 < 11/);
  assert.throws(
    () => new OnnxModelEditor(new TextEncoder().encode('this is not an onnx file at all')),
    /not an ONNX model/,
  );
});

test('CausalLM.load: rewrites recorded; none when asked for none', async () => {
  const auto = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  assert.deepEqual(auto.graphRewrites, ['logits-to-keep'], 'Sin/Cos are only replaced on WebGPU');
  const plain = await CausalLM.load(
    { id: 'stories260K', localDir: STORIES },
    { dtype: 'fp32', device: 'cpu', rewrites: 'none' },
  );
  assert.deepEqual(plain.graphRewrites, []);
  assert.ok(!plain.inputNames.includes('num_logits_to_keep'));
  await auto.dispose();
  await plain.dispose();
});

test('weights as external data (how the page hands a model to ONNX Runtime Web): each points at its own raw bytes in the file', () => {
  const bytes = new Uint8Array(readFileSync(join(STORIES, 'onnx/model.onnx')));
  const g = new OnnxModelEditor(bytes);
  const n = g.externalizeInitializers('weights.bin', 1024);
  assert.ok(n > 0);
  const graph = g.toBytes();
  assert.ok(graph.length < bytes.length / 2, `${graph.length} vs ${bytes.length}`);
  const dir = mkdtempSync(join(tmpdir(), 'pb-external-'));
  writeFileSync(join(dir, 'graph.onnx'), graph);
  // Checked with the onnx Python package: every initializer either keeps its values inline or
  // names weights.bin at an offset and length where the original file holds exactly its values.
  const out = execFileSync(
    SYSTEM_PYTHON,
    [
      '-c',
      `import sys, onnx, numpy as np
from onnx import numpy_helper
orig = onnx.load(sys.argv[1])
raw = open(sys.argv[1], 'rb').read()
g = onnx.load(sys.argv[2], load_external_data=False)
want = {t.name: numpy_helper.to_array(t) for t in orig.graph.initializer}
external = 0
for t in g.graph.initializer:
    if t.data_location == onnx.TensorProto.EXTERNAL:
        info = {e.key: e.value for e in t.external_data}
        assert info['location'] == 'weights.bin', info
        o, n = int(info['offset']), int(info['length'])
        got = np.frombuffer(raw[o:o + n], dtype=want[t.name].dtype).reshape(want[t.name].shape)
        assert np.array_equal(got, want[t.name]), t.name
        external += 1
    else:
        assert np.array_equal(numpy_helper.to_array(t), want[t.name]), t.name
assert len(g.graph.initializer) == len(orig.graph.initializer)
assert [n.op_type for n in g.graph.node] == [n.op_type for n in orig.graph.node]
print(external)`,
      join(STORIES, 'onnx/model.onnx'),
      join(dir, 'graph.onnx'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(Number(out.trim()), n);
});
