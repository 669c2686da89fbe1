/**
 * float32-activations: an fp16 export computed in float32. Its weights and constants keep their
 * float16 values (converted exactly), but every activation is float32, as on the fp32 path.
 *
 * Why: on CPU and WASM, ONNX Runtime has few float16 kernels and computes most fp16 nodes in
 * float32 between casts, rounding every intermediate result back to float16. That rounding turns
 * the ~1e-6 float32 differences between a long and a short forward pass (prefix reuse, padding)
 * into whole float16 steps, so the scoring modes disagreed by up to 7.5e-3 nats. In float32 they
 * agree as fp32 does. The distance from the export's own float16 arithmetic is measured in the
 * README. Not used on WebGPU, where float16 arithmetic is the reason to pick fp16.
 *
 * The float16 weights stay in the graph as they are, each renamed and read through a Cast to
 * float32 under its old name (exact). ONNX Runtime folds those constant Casts when it builds the
 * session, so the float32 weights exist once, in its own memory: no float32 copy of the model is
 * made on the JavaScript side, and in the browser the weights can stay external data in the
 * downloaded bytes (sessionRewrites.ts) like every other dtype's.
 */
import { float16RawToFloat32 } from './float16.ts';
import { DataType, OnnxModelEditor, retypeFloat16Interface, type ExternalFiles, type NewNode } from './onnxGraph.ts';

export const FLOAT32_ACTIVATIONS = 'float32-activations';

const HALF_SUFFIX = '/pagebench_float16';

/**
 * The rewritten model, 'absent' when the graph has nothing in float16, or why it cannot be done.
 * `external`: the files the graph's external data points into (read in place, never copied).
 */
export function toFloat32Activations(
  bytes: Uint8Array,
  external?: ExternalFiles,
): { bytes: Uint8Array } | 'absent' | string {
  const retyped = retypeFloat16Interface(bytes);
  const g = new OnnxModelEditor(retyped.bytes, external);
  const why = (s: string) => `${FLOAT32_ACTIVATIONS}: ${s}`;
  const casts: NewNode[] = [];
  for (const name of g.initializerNames()) {
    if (g.initializer(name)!.dataType !== DataType.float16) continue;
    // an initializer listed as a graph input too (old exports) would become a required input
    if (g.inputNames.includes(name)) return why(`initializer ${name} is also a graph input`);
    const half = name + HALF_SUFFIX;
    g.renameInitializer(name, half);
    casts.push({
      opType: 'Cast',
      name: `${half}/cast`,
      inputs: [half],
      outputs: [name],
      attributes: [{ name: 'to', int: DataType.float }],
    });
  }
  g.prependNodes(casts);
  let converted = casts.length;
  for (const node of g.nodes) {
    const attrs = g.attributes(node);
    const half = attrs.filter((a) => a.tensor?.dataType === DataType.float16);
    if (!half.length) continue;
    if (!['Constant', 'ConstantOfShape'].includes(node.opType) || node.domain !== '' || attrs.length !== 1)
      return why(`${node.opType} node ${node.name} has a float16 tensor attribute`);
    const t = half[0]!.tensor!;
    if (!t.raw) return why(`${node.opType} node ${node.name} does not store its float16 value as raw data`);
    g.replaceNode(node.index, [
      {
        opType: node.opType,
        name: node.name,
        inputs: node.inputs,
        outputs: node.outputs,
        attributes: [
          { name: half[0]!.name, tensor: { dataType: DataType.float, dims: t.dims, raw: float16RawToFloat32(t.raw) } },
        ],
      },
    ]);
    converted++;
  }
  if (retyped.changed + converted === 0) return 'absent';
  return { bytes: g.toBytes() };
}
