import { DataType, OnnxModelEditor, type GraphSummary, type NewNode, type NodeInfo } from './onnxGraph.ts';

/**
 * Load-time rewrites of a causal LM's ONNX graph. Each leaves the model's numbers as they are (up
 * to float rounding) and is recorded in the run's facts when applied:
 * - logits-to-keep: for exports without a `num_logits_to_keep` input, adds one and slices the
 *   hidden states before the LM head (hidden[:, -k:, :], k = 0 keeping all, as transformers does),
 *   so the head is not applied to positions nobody reads;
 * - precise-sin-cos: replaces Sin/Cos (rotary embeddings) with range reduction and polynomials in
 *   basic arithmetic. WebGPU's sin/cos are approximate (WGSL allows 2^-11 absolute error;
 *   SwiftShader's measured 1.9e-4), which moved log-likelihoods by ~1e-3; the polynomials are
 *   accurate to ~1e-7 on any adapter.
 */
export type RewriteName = 'logits-to-keep' | 'precise-sin-cos';

export interface RewriteOutcome {
  bytes: Uint8Array;
  applied: RewriteName[];
  /** Why a wanted rewrite was not applied. */
  skipped: string[];
}

const LOGITS_TO_KEEP = 'num_logits_to_keep';
const MIN_OPSET = 11; // Slice with tensor inputs, Equal on floats, Where

function f32(x: number): Uint8Array {
  return new Uint8Array(new Float32Array([x]).buffer);
}

function i64(xs: bigint[]): Uint8Array {
  return new Uint8Array(new BigInt64Array(xs).buffer);
}

/** Builds nodes with unique names under one prefix. */
class NodeBuilder {
  readonly nodes: NewNode[] = [];
  private n = 0;
  constructor(private readonly prefix: string) {}

  private fresh(): string {
    return `${this.prefix}/${this.n++}`;
  }

  op(opType: string, inputs: string[], output?: string): string {
    const out = output ?? this.fresh();
    this.nodes.push({ opType, name: `${out}_node`, inputs, outputs: [out] });
    return out;
  }

  private constant(tensor: { dataType: number; dims: number[]; raw: Uint8Array }): string {
    const out = this.fresh();
    this.nodes.push({
      opType: 'Constant',
      name: `${out}_node`,
      inputs: [],
      outputs: [out],
      attributes: [{ name: 'value', tensor }],
    });
    return out;
  }

  float(x: number): string {
    return this.constant({ dataType: DataType.float, dims: [], raw: f32(x) });
  }

  int64s(xs: bigint[]): string {
    return this.constant({ dataType: DataType.int64, dims: [xs.length], raw: i64(xs) });
  }

  /** Horner: c[0] + z*(c[1] + z*(c[2] + ...)). */
  poly(z: string, coeffs: number[]): string {
    let acc = this.float(coeffs.at(-1)!);
    for (let i = coeffs.length - 2; i >= 0; i--)
      acc = this.op('Add', [this.op('Mul', [acc, z]), this.float(coeffs[i]!)]);
    return acc;
  }
}

/** The LM head's matrix product behind the `logits` output (through Cast/Identity). */
function lmHead(g: GraphSummary): NodeInfo | undefined {
  const producer = (name: string) => g.nodes.find((n) => n.outputs.includes(name));
  let node = producer('logits');
  while (node && (node.opType === 'Cast' || node.opType === 'Identity')) node = producer(node.inputs[0]!);
  return node && ['MatMul', 'MatMulNBits', 'Gemm'].includes(node.opType) ? node : undefined;
}

const sinCosNodes = (g: GraphSummary) =>
  g.nodes.filter((n) => (n.opType === 'Sin' || n.opType === 'Cos') && n.domain === '');

/** Why `name` does not fit the graph, or null when it does (from its structure alone). */
function whyNot(g: GraphSummary, name: RewriteName): string | null {
  if (name === 'logits-to-keep') {
    if (g.inputNames.includes(LOGITS_TO_KEEP)) return 'logits-to-keep: the graph already has num_logits_to_keep';
    return lmHead(g) ? null : 'logits-to-keep: no MatMul found behind the logits output';
  }
  return sinCosNodes(g).length > 0 ? null : 'precise-sin-cos: the graph has no Sin/Cos';
}

const wantedNames = (want: RewriteWanted): RewriteName[] => [
  ...(want.logitsToKeep ? (['logits-to-keep'] as const) : []),
  ...(want.preciseSinCos ? (['precise-sin-cos'] as const) : []),
];

/** The wanted rewrites that would apply to a graph (from its structure alone). */
export function applicableRewrites(g: GraphSummary, want: RewriteWanted): RewriteName[] {
  if (g.opsetVersion < MIN_OPSET) return [];
  return wantedNames(want).filter((name) => whyNot(g, name) === null);
}

function addLogitsToKeep(g: OnnxModelEditor): void {
  const head = lmHead(g)!;
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

const EDITS: Record<RewriteName, (g: OnnxModelEditor) => void> = {
  'logits-to-keep': addLogitsToKeep,
  'precise-sin-cos': replaceSinCos,
};

export interface RewriteWanted {
  logitsToKeep: boolean;
  preciseSinCos: boolean;
}

/** Which rewrites a load asks for. Sin/Cos only on WebGPU and with float32 activations. */
export function wantedRewrites(device: string, dtype: string): RewriteWanted {
  return { logitsToKeep: true, preciseSinCos: device === 'webgpu' && ['fp32', 'q8', 'q4'].includes(dtype) };
}

/** Applies the wanted rewrites that fit the graph; returns the input bytes when none applied. */
export function rewriteModel(bytes: Uint8Array, want: RewriteWanted): RewriteOutcome {
  const g = new OnnxModelEditor(bytes);
  if (g.opsetVersion < MIN_OPSET)
    return { bytes, applied: [], skipped: [`graph rewrites: opset ${g.opsetVersion} < ${MIN_OPSET}`] };
  const applied: RewriteName[] = [];
  const skipped: string[] = [];
  for (const name of wantedNames(want)) {
    const why = whyNot(g, name);
    if (why) skipped.push(why);
    else {
      EDITS[name](g);
      applied.push(name);
    }
  }
  return { bytes: applied.length ? g.toBytes() : bytes, applied, skipped };
}
