/**
 * Quantized exports of the real stories260K (scripts/quantize_onnx.py: fp16, q8 as ONNX Runtime's
 * quantize_dynamic writes it, q4 as MatMulNBits) loaded with onnxruntime-node: the files carry the
 * hub's op patterns, the load-time rewrites apply to them (per-row-dynamic-quant on q8, and
 * logits-to-keep through a quantized LM head, float32-activations on fp16), and the fast and
 * harness scorers give the plain scorer's numbers for each dtype, compared with itself.
 */
import '../../src/node/runtime.ts';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadAll, type SubjectData } from '../../src/core/benchmarks/mmlu/data.ts';
import { evaluate, type Sample } from '../../src/core/evaluate.ts';
import { rewriteModel, wantedRewrites } from '../../src/core/runtime/graphRewrites.ts';
import { CausalLM, type Dtype } from '../../src/core/runtime/causalLm.ts';
import { OnnxModelEditor } from '../../src/core/runtime/onnxGraph.ts';
import type { ScorerMode } from '../../src/core/scoring/scorer.ts';
import { localDataSource } from '../../src/node/localData.ts';
import { REPO, SHARED_MMLU, STORIES } from '../support/paths.ts';
import { makeQuantizedVariants, SYSTEM_PYTHON } from '../support/syntheticModel.ts';
import { halfToFloat } from '../../src/core/runtime/float16.ts';

const SUBJECTS = ['anatomy', 'abstract_algebra'];
let dir: string;
let data: SubjectData[];
before(async () => {
  dir = makeQuantizedVariants(STORIES);
  data = await loadAll(localDataSource(SHARED_MMLU), SUBJECTS, 'test');
});

const graph = (file: string) => new OnnxModelEditor(new Uint8Array(readFileSync(join(dir, 'onnx', file))));
const ops = (g: OnnxModelEditor) => new Set(g.nodes.map((n) => n.opType));

test('the generated files carry the hub exports’ op patterns and the KV-cache inputs', () => {
  const fp32 = graph('model.onnx');
  const q8 = graph('model_quantized.onnx');
  const q4 = graph('model_q4.onnx');
  const fp16 = graph('model_fp16.onnx');
  for (const g of [q8, q4, fp16]) {
    assert.deepEqual(g.inputNames, fp32.inputNames);
    assert.deepEqual(g.outputNames, fp32.outputNames);
  }
  assert.ok(fp32.inputNames.includes('past_key_values.4.value'));
  assert.ok(ops(q8).has('DynamicQuantizeLinear') && ops(q8).has('MatMulInteger') && ops(q8).has('DequantizeLinear'));
  // only the attention products (activation x activation) stay float MatMuls
  assert.equal(q8.nodes.filter((n) => n.opType === 'MatMul').length, 10);
  const nbits = q4.nodes.filter((n) => n.opType === 'MatMulNBits');
  assert.equal(nbits.length, 36, '7 weight products per layer and the LM head');
  assert.ok(nbits.every((n) => n.domain === 'com.microsoft'));
  assert.deepEqual(ops(fp16), ops(fp32));
});

test('q8: per-row-dynamic-quant replaces every DynamicQuantizeLinear; a token’s logits no longer depend on its pass', async () => {
  const bytes = new Uint8Array(readFileSync(join(dir, 'onnx/model_quantized.onnx')));
  const out = rewriteModel(bytes, wantedRewrites('cpu', 'q8'));
  assert.deepEqual(out.applied, ['logits-to-keep', 'per-row-dynamic-quant']);
  assert.deepEqual(out.skipped, []);
  assert.ok(!ops(new OnnxModelEditor(out.bytes)).has('DynamicQuantizeLinear'));
  const exported = await ort.InferenceSession.create(bytes);
  const rewritten = await ort.InferenceSession.create(out.bytes);
  const ids = [1, 45, 300, 22, 99, 7, 8, 100, 250, 31];
  const logits = async (s: ort.InferenceSession, rows: number[][], keep?: number) => {
    const r = await s.run(feeds(rows, keep, s.inputNames));
    return r.logits!.data as Float32Array;
  };
  // As exported, one scale per tensor: the first 5 tokens' logits change when 5 more share the pass.
  const alone = await logits(exported, [ids.slice(0, 5)]);
  const shared = await logits(exported, [ids]);
  assert.ok(maxDiff(alone, shared.subarray(0, alone.length)) > 1e-3, 'the export is pass-dependent');
  // Rewritten: identical, and so is a row batched beside another.
  const a = await logits(rewritten, [ids.slice(0, 5)], 0);
  const b = await logits(rewritten, [ids], 0);
  const batched = await logits(rewritten, [ids, [...ids].reverse()], 0);
  assert.equal(maxDiff(a, b.subarray(0, a.length)), 0);
  assert.equal(maxDiff(b, batched.subarray(0, b.length)), 0);
  // A one-token pass quantizes one row either way: there the rewrite reproduces the export.
  const one = await logits(exported, [[ids[0]!]]);
  assert.ok(maxDiff(one, a.subarray(0, one.length)) < 1e-4, `one-row pass: ${maxDiff(one, a.subarray(0, one.length))}`);
  // logits-to-keep through the quantized head: the kept rows are the last rows of the full output
  const last2 = await logits(rewritten, [ids], 2);
  assert.equal(maxDiff(last2, b.subarray(b.length - last2.length)), 0);
});

test('q8 rewritten with its weights outside (the browser’s way: no copy of the weights) is the q8 rewritten inline', async () => {
  const bytes = new Uint8Array(readFileSync(join(dir, 'onnx/model_quantized.onnx')));
  const inline = rewriteModel(bytes, wantedRewrites('wasm', 'q8'));
  const g = new OnnxModelEditor(bytes);
  assert.ok(g.externalizeInitializers('weights.bin', 1024) > 0);
  const small = g.toBytes();
  // without the file the weights cannot be read, so per-row-dynamic-quant (it sums them) is refused
  assert.ok(!rewriteModel(small, wantedRewrites('wasm', 'q8')).applied.includes('per-row-dynamic-quant'));
  const apart = rewriteModel(small, wantedRewrites('wasm', 'q8'), new Map([['weights.bin', bytes]]));
  assert.deepEqual(apart.applied, inline.applied);
  // the same edits, on a graph whose weights stayed in the file
  assert.equal(inline.bytes.length - apart.bytes.length, bytes.length - small.length);
  // ONNX Runtime finds weights.bin beside the graph: the model file itself
  const tmp = mkdtempSync(join(tmpdir(), 'pb-q8-apart-'));
  writeFileSync(join(tmp, 'graph.onnx'), apart.bytes);
  writeFileSync(join(tmp, 'weights.bin'), bytes);
  const a = await ort.InferenceSession.create(inline.bytes);
  const b = await ort.InferenceSession.create(join(tmp, 'graph.onnx'));
  const rows = [
    [1, 45, 300, 22, 99, 7, 8, 100, 250, 31],
    [5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
  ];
  const la = (await a.run(feeds(rows, 0, a.inputNames))).logits!.data as Float32Array;
  const lb = (await b.run(feeds(rows, 0, b.inputNames))).logits!.data as Float32Array;
  assert.equal(la.length, lb.length);
  assert.equal(maxDiff(la, lb), 0);
});

test('q4: logits-to-keep applies through MatMulNBits; nothing to do for per-row-dynamic-quant', () => {
  const out = rewriteModel(new Uint8Array(readFileSync(join(dir, 'onnx/model_q4.onnx'))), wantedRewrites('cpu', 'q4'));
  assert.deepEqual(out.applied, ['logits-to-keep']);
  assert.deepEqual(out.skipped, []);
});

test('q8 without per-row-dynamic-quant: logits-to-keep is refused, with the reason', () => {
  const out = rewriteModel(new Uint8Array(readFileSync(join(dir, 'onnx/model_quantized.onnx'))), {
    ...wantedRewrites('cpu', 'q8'),
    perRowQuant: false,
  });
  assert.deepEqual(out.applied, []);
  assert.match(out.skipped.join(';'), /quantizes its input with one scale per tensor/);
});

async function run(model: CausalLM, scorer: ScorerMode, shots: number, batchSize: number): Promise<Sample[]> {
  const settings = {
    subjects: SUBJECTS,
    split: 'test',
    shots,
    template: 'lm-eval',
    limit: 8,
    bos: 'tokenizer',
    scorer,
    batchSize,
  };
  return (await evaluate(model, data, settings as never)).samples;
}

function largestGap(a: Sample[], b: Sample[]): number {
  assert.equal(a.length, b.length);
  return Math.max(...a.flatMap((s, i) => s.loglikelihoods.map((v, j) => Math.abs(v - b[i]!.loglikelihoods[j]!))));
}

for (const dtype of ['fp32', 'fp16', 'q8', 'q4'] as Dtype[]) {
  test(`${dtype}: fast (batch 1 and 4) == harness == naive within 1e-4`, async () => {
    const model = await CausalLM.load({ id: 'stories260K', localDir: dir }, { dtype, device: 'cpu' });
    if (dtype === 'q8') assert.ok(model.graphRewrites.includes('per-row-dynamic-quant'));
    if (dtype === 'fp16') assert.ok(model.graphRewrites.includes('float32-activations'));
    for (const shots of [0, 1]) {
      const plain = await run(model, 'naive', shots, 1);
      for (const [mode, batch] of [
        ['harness', 1],
        ['fast', 1],
        ['fast', 4],
      ] as const) {
        const gap = largestGap(plain, await run(model, mode, shots, batch));
        console.log(`${dtype} ${shots}-shot ${mode} batch ${batch}: largest |dLL| ${gap.toExponential(2)}`);
        assert.ok(gap < 1e-4, `${dtype} ${shots}-shot ${mode} b${batch}: ${gap}`);
      }
    }
    await model.dispose();
  });
}

test('fp16: float32-activations computes the export in float32 with its float16 weights, exactly as an fp32 graph of those weights', async () => {
  const bytes = new Uint8Array(readFileSync(join(dir, 'onnx/model_fp16.onnx')));
  const out = rewriteModel(bytes, wantedRewrites('cpu', 'fp16'));
  assert.deepEqual(out.applied, ['float32-activations', 'logits-to-keep']);
  assert.deepEqual(wantedRewrites('webgpu', 'fp16').float32Activations, false, 'WebGPU keeps float16 arithmetic');
  // The reference, built independently with onnx/numpy: the fp32 graph with each float weight and
  // constant rounded through float16 as the fp16 export rounded it (quantize_onnx.py's to_fp16_array).
  const ref = join(dir, 'onnx/reference_fp16_weights.onnx');
  execFileSync(SYSTEM_PYTHON, [
    '-c',
    `import sys, onnx
sys.path.insert(0, ${JSON.stringify(join(REPO, 'scripts'))})
from quantize_onnx import to_fp16_array
from onnx import numpy_helper, TensorProto
m = onnx.load(${JSON.stringify(join(dir, 'onnx/model.onnx'))})
def rounded(t):
    if t.data_type != TensorProto.FLOAT: return t
    return numpy_helper.from_array(to_fp16_array(numpy_helper.to_array(t)).astype('float32'), t.name)
new = [rounded(t) for t in m.graph.initializer]
del m.graph.initializer[:]; m.graph.initializer.extend(new)
for n in m.graph.node:
    for a in n.attribute:
        if a.type == onnx.AttributeProto.TENSOR: a.t.CopyFrom(rounded(a.t))
onnx.save(m, ${JSON.stringify(ref)})`,
  ]);
  // The weights stay float16 in the rewritten file (read through Casts that ONNX Runtime folds at
  // load): no float32 copy of the model is built beside the download.
  assert.ok(out.bytes.length < bytes.length + 64 * 1024, `${out.bytes.length} bytes from ${bytes.length}`);
  const rewritten = await ort.InferenceSession.create(out.bytes);
  const reference = await ort.InferenceSession.create(ref);
  const exported = await ort.InferenceSession.create(bytes);
  const ids = [[1, 45, 300, 22, 99, 7, 8, 100, 250, 31]];
  const a = await rewritten.run(feeds(ids, 0, rewritten.inputNames));
  assert.equal(a.logits!.type, 'float32', 'the outputs are float32');
  // The browser's path: the graph rewritten with its weights already external data in the downloaded
  // bytes (sessionRewrites.ts): a small graph, the same numbers.
  const apart = new OnnxModelEditor(bytes);
  assert.ok(apart.externalizeInitializers('weights.bin', 1024) > 0);
  const small = rewriteModel(apart.toBytes(), wantedRewrites('cpu', 'fp16'), new Map([['weights.bin', bytes]]));
  assert.deepEqual(small.applied, out.applied);
  assert.ok(small.bytes.length < bytes.length / 4, `graph ${small.bytes.length} bytes`);
  const external = await ort.InferenceSession.create(small.bytes, {
    externalData: [{ path: 'weights.bin', data: bytes }],
  } as ort.InferenceSession.SessionOptions);
  const e = await external.run(feeds(ids, 0, external.inputNames));
  const apartGap = maxDiff(a.logits!.data as Float32Array, e.logits!.data as Float32Array);
  assert.ok(apartGap < 1e-6, `weights apart vs inline: ${apartGap}`);
  const b = await reference.run(feeds(ids, undefined, reference.inputNames));
  const gap = maxDiff(a.logits!.data as Float32Array, b.logits!.data as Float32Array);
  assert.ok(gap < 1e-5, `rewritten vs reference: ${gap}`);
  // and the export's own float16 arithmetic is one float16 rounding away (logits |x| < 16 here)
  const half = await exported.run(feeds16(ids, exported.inputNames));
  const halfLogits = Float32Array.from(half.logits!.data as Uint16Array, halfToFloat);
  const fromExport = maxDiff(a.logits!.data as Float32Array, halfLogits);
  console.log(
    `fp16 logits: float32-activations vs reference ${gap.toExponential(2)}, vs the export's float16 arithmetic ${fromExport.toExponential(2)}`,
  );
  assert.ok(fromExport > 0 && fromExport < 0.1, `${fromExport}`);
});

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

function feeds(rows: number[][], keep: number | undefined, inputNames: readonly string[]): Record<string, ort.Tensor> {
  const B = rows.length;
  const L = rows[0]!.length;
  const f: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, L]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(B * L).fill(1n), [B, L]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from(rows.flatMap((r) => r.map((_, i) => BigInt(i)))), [B, L]),
  };
  for (let layer = 0; layer < 5; layer++)
    for (const kv of ['key', 'value'])
      f[`past_key_values.${layer}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [B, 4, 0, 8]);
  if (keep !== undefined && inputNames.includes('num_logits_to_keep'))
    f.num_logits_to_keep = new ort.Tensor('int64', [BigInt(keep)], []);
  return f;
}

/** The export's own feeds: its past key/values are float16. */
function feeds16(rows: number[][], inputNames: readonly string[]): Record<string, ort.Tensor> {
  const f = feeds(rows, undefined, inputNames);
  for (const k of Object.keys(f))
    if (k.startsWith('past_key_values')) f[k] = new ort.Tensor('float16', new Uint16Array(0), f[k]!.dims as number[]);
  return f;
}
