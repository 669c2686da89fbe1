import { NodeBuilder } from './nodeBuilder.ts';
import {
  DataType,
  OnnxModelEditor,
  type ExternalFiles,
  type GraphSummary,
  type NewNode,
  type NodeInfo,
} from './onnxGraph.ts';
import { addPerRowQuant, perRowFit, PER_ROW } from './perRowQuant.ts';
import { FLOAT32_ACTIVATIONS, toFloat32Activations } from './float32Compute.ts';

/**
 * Load-time rewrites of a causal LM's ONNX graph. Each leaves the model's numbers as they are (up
 * to float rounding) and is recorded in the run's facts when applied:
 * - logits-to-keep: for exports without a `num_logits_to_keep` input, adds one and slices the
 *   hidden states before the LM head (hidden[:, -k:, :], k = 0 keeping all, as transformers does),
 *   so the head is not applied to positions nobody reads;
 * - precise-sin-cos: replaces Sin/Cos (rotary embeddings) with range reduction and polynomials in
 *   basic arithmetic. WebGPU's sin/cos are approximate (WGSL allows 2^-11 absolute error;
 *   SwiftShader's measured 1.9e-4), which moved log-likelihoods by ~1e-3; the polynomials are
 *   accurate to ~1e-7 on any adapter;
 * - per-row-dynamic-quant (perRowQuant.ts): q8 exports quantize activations with one scale per
 *   tensor; this gives each token its own, so no scoring mode or batch changes a token's numbers;
 * - float32-activations (float32Compute.ts): an fp16 export on CPU/WASM computed in float32 with
 *   its float16 weights, for the same reason.
 *   Unlike the others it changes the export's numbers (see the README for by how much).
 */
export type RewriteName = 'logits-to-keep' | 'precise-sin-cos' | typeof PER_ROW | typeof FLOAT32_ACTIVATIONS;

export interface RewriteOutcome {
  bytes: Uint8Array;
  applied: RewriteName[];
  /** Why a wanted rewrite that had something to do was not applied. */
  skipped: string[];
}

const LOGITS_TO_KEEP = 'num_logits_to_keep';
const MIN_OPSET = 11; // Slice with tensor inputs, Equal on floats, Where

interface LmHead {
  /** The node whose first input is the hidden states to slice. */
  node: NodeInfo;
  /** The head's activations are quantized per tensor (DynamicQuantizeLinear before MatMulInteger). */
  quantized: boolean;
}

/**
 * The LM head's matrix product behind the `logits` output (through Cast/Identity, and for q8 the
 * Mul by the scales and the Cast of MatMulInteger's output), and where to slice its input.
 */
function lmHead(g: GraphSummary): LmHead | undefined {
  const producer = (name: string | undefined) => (name ? g.nodes.find((n) => n.outputs.includes(name)) : undefined);
  let node = producer('logits');
  while (node && (node.opType === 'Cast' || node.opType === 'Identity')) node = producer(node.inputs[0]);
  if (node && ['MatMul', 'MatMulNBits', 'Gemm'].includes(node.opType)) return { node, quantized: false };
  if (node?.opType !== 'Mul') return undefined;
  const mm = node.inputs
    .map((i) => producer(producer(i)?.opType === 'Cast' ? producer(i)!.inputs[0] : undefined))
    .find((n) => n?.opType === 'MatMulInteger');
  const dql = producer(mm?.inputs[0]);
  if (!mm || dql?.opType !== 'DynamicQuantizeLinear') return undefined;
  // the quantized hidden states must feed the head alone, or slicing them would change other outputs
  const readers = g.nodes.filter((n) => n.inputs.some((i) => dql.outputs.includes(i)));
  if (readers.some((n) => n !== mm && !(n.opType === 'Mul' && n.inputs.includes(dql.outputs[1]!)))) return undefined;
  return { node: dql, quantized: true };
}

const sinCosNodes = (g: GraphSummary) =>
  g.nodes.filter((n) => (n.opType === 'Sin' || n.opType === 'Cos') && n.domain === '');

/**
 * Why `name` does not fit the graph, or null when it does (from its structure alone); 'absent'
 * when there is nothing for it to do (a graph without quantized activations), which is no news.
 */
function whyNot(g: GraphSummary, name: RewriteName, want: RewriteWanted): string | null {
  if (name === 'logits-to-keep') {
    if (g.inputNames.includes(LOGITS_TO_KEEP)) return 'absent'; // the export has it already
    const head = lmHead(g);
    if (!head) return 'logits-to-keep: no MatMul found behind the logits output';
    if (head.quantized && !(want.perRowQuant && perRowFit(g) === null))
      return 'logits-to-keep: the LM head quantizes its input with one scale per tensor; slicing it would change the kept rows';
    return null;
  }
  if (name === PER_ROW) return perRowFit(g);
  return sinCosNodes(g).length > 0 ? null : 'absent';
}

const wantedNames = (want: RewriteWanted): GraphEdit[] => [
  ...(want.logitsToKeep ? (['logits-to-keep'] as const) : []),
  ...(want.perRowQuant ? ([PER_ROW] as const) : []),
  ...(want.preciseSinCos ? (['precise-sin-cos'] as const) : []),
];

/** The wanted rewrites that would apply to a graph (from its structure alone). */
export function applicableRewrites(g: GraphSummary, want: RewriteWanted): RewriteName[] {
  if (g.opsetVersion < MIN_OPSET) return [];
  // Whether an fp16 graph has float16 types shows only in its bytes: taken as applicable when wanted.
  return [
    ...(want.float32Activations ? [FLOAT32_ACTIVATIONS as RewriteName] : []),
    ...wantedNames(want).filter((name) => whyNot(g, name, want) === null),
  ];
}

function addLogitsToKeep(g: OnnxModelEditor): void {
  const head = lmHead(g)!.node;
  const b = new NodeBuilder('pagebench/logits_to_keep');
  const k = b.op('Reshape', [LOGITS_TO_KEEP, b.int64s([1n])]);
  const start = b.op('Neg', [k]);
  const kept = b.op('Slice', [head.inputs[0]!, start, b.int64s([BigInt('9223372036854775807')]), b.int64s([1n])]);
  g.addInput(LOGITS_TO_KEEP, DataType.int64, []);
  g.replaceNode(head.index, [...b.nodes, { keep: head, inputs: [kept, ...head.inputs.slice(1)] }]);
}

// Cody-Waite split of pi/2: k*C1 and k*C2 are exact in float32 for |k| < 2^13 (|x| < ~12800).
const HALF_PI = [1.5703125, 4.837512969970703125e-4, 7.549789954891882e-8];
// Taylor coefficients; on |r| <= pi/4 the truncation error is below 2e-9.
const SIN = [1, -1 / 6, 1 / 120, -1 / 5040, 1 / 362880];
const COS = [1, -1 / 2, 1 / 24, -1 / 720, 1 / 40320, -1 / 3628800];

/** sin(x) (or cos(x) = sin(x + pi/2)) from float32 arithmetic only. */
function preciseSinCosNodes(node: NodeInfo, serial: number): NewNode[] {
  const b = new NodeBuilder(`pagebench/${node.opType.toLowerCase()}_${serial}`);
  const x = node.inputs[0]!;
  const k = b.op('Floor', [b.op('Add', [b.op('Mul', [x, b.float(2 / Math.PI)]), b.float(0.5)])]);
  let r = x;
  for (const c of HALF_PI) r = b.op('Sub', [r, b.op('Mul', [k, b.float(c)])]);
  const z = b.op('Mul', [r, r]);
  const sinR = b.op('Mul', [r, b.poly(z, SIN)]);
  const cosR = b.poly(z, COS);
  // Quadrant of x (one more for cos): q = kq mod 4; odd quadrants swap sin/cos, q >= 2 flips sign.
  const kq = node.opType === 'Cos' ? b.op('Add', [k, b.float(1)]) : k;
  const q = b.op('Sub', [kq, b.op('Mul', [b.float(4), b.op('Floor', [b.op('Mul', [kq, b.float(0.25)])])])]);
  const h = b.op('Floor', [b.op('Mul', [q, b.float(0.5)])]);
  const odd = b.op('Equal', [b.op('Sub', [q, b.op('Mul', [h, b.float(2)])]), b.float(1)]);
  const base = b.op('Where', [odd, cosR, sinR]);
  const sign = b.op('Sub', [b.float(1), b.op('Mul', [h, b.float(2)])]);
  b.op('Mul', [base, sign], node.outputs[0]!);
  return b.nodes;
}

function replaceSinCos(g: OnnxModelEditor): void {
  sinCosNodes(g).forEach((n, i) => g.replaceNode(n.index, preciseSinCosNodes(n, i)));
}

/** Each edit returns why it could not be made after all (having changed nothing), or null. */
type GraphEdit = Exclude<RewriteName, typeof FLOAT32_ACTIVATIONS>;
const EDITS: Record<GraphEdit, (g: OnnxModelEditor) => string | null> = {
  'logits-to-keep': (g) => (addLogitsToKeep(g), null),
  [PER_ROW]: addPerRowQuant,
  'precise-sin-cos': (g) => (replaceSinCos(g), null),
};

export interface RewriteWanted {
  logitsToKeep: boolean;
  preciseSinCos: boolean;
  perRowQuant: boolean;
  float32Activations: boolean;
}

export const NO_REWRITES: RewriteWanted = {
  logitsToKeep: false,
  preciseSinCos: false,
  perRowQuant: false,
  float32Activations: false,
};

/** Which rewrites a load asks for. Sin/Cos only on WebGPU and with float32 activations. */
export function wantedRewrites(device: string, dtype: string): RewriteWanted {
  return {
    logitsToKeep: true,
    preciseSinCos: device === 'webgpu' && ['fp32', 'q8', 'q4'].includes(dtype),
    perRowQuant: true,
    float32Activations: device !== 'webgpu' && dtype === 'fp16',
  };
}

/**
 * Applies the wanted rewrites that fit the graph; returns the input bytes when none applied.
 * `external`: the files the graph's external data points into (read, never copied); the rewritten
 * graph points into the same files.
 */
export function rewriteModel(bytes: Uint8Array, want: RewriteWanted, external?: ExternalFiles): RewriteOutcome {
  let g = new OnnxModelEditor(bytes, external);
  if (g.opsetVersion < MIN_OPSET)
    return { bytes, applied: [], skipped: [`graph rewrites: opset ${g.opsetVersion} < ${MIN_OPSET}`] };
  const applied: RewriteName[] = [];
  const skipped: string[] = [];
  // First, as it rewrites the bytes' types in place; the others then edit a float32 graph.
  if (want.float32Activations) {
    const r = toFloat32Activations(bytes, external);
    if (typeof r === 'object') {
      g = new OnnxModelEditor(r.bytes, external);
      applied.push(FLOAT32_ACTIVATIONS);
    } else if (r !== 'absent') skipped.push(r);
  }
  const names = wantedNames(want);
  // A quantized head's slice goes before its DynamicQuantizeLinear, which per-row-dynamic-quant
  // then replaces: that one needs the sliced graph parsed again.
  const reparseAfterSlice = names.includes(PER_ROW) && lmHead(g)?.quantized === true;
  for (const name of names) {
    const why = whyNot(g, name, want);
    if (why === 'absent') continue;
    const failed = why ?? EDITS[name](g);
    if (failed) {
      skipped.push(failed);
      continue;
    }
    applied.push(name);
    if (name === 'logits-to-keep' && reparseAfterSlice) g = new OnnxModelEditor(g.toBytes(), external);
  }
  return { bytes: applied.length ? g.toBytes() : bytes, applied, skipped };
}
