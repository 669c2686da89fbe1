import { NodeBuilder } from './nodeBuilder.ts';
import {
  DataType,
  type GraphSummary,
  type InitializerInfo,
  type NewNode,
  type NodeInfo,
  type OnnxModelEditor,
} from './onnxGraph.ts';

/*
 * per-row-dynamic-quant. ONNX Runtime's dynamic quantization (the hub's q8 "model_quantized.onnx")
 * puts DynamicQuantizeLinear before each MatMulInteger: ONE scale and zero point over the whole
 * activation tensor, so a token's quantized value depends on which other tokens share its forward
 * pass. Prefix reuse, several questions per pass and padding would each change the numbers. This
 * rewrite gives every row (token) its own scale and zero point, computed exactly as
 * DynamicQuantizeLinear computes them for a tensor:
 *   scale = (max(0, max x) - min(0, min x)) / 255, zp = clip(round(-min/scale), 0, 255),
 *   q = clip(round(x / scale) + zp, 0, 255)   (round half to even, as ONNX's Round),
 * so a row's numbers are those of a one-row forward pass of the export, whatever shares the pass.
 * MatMulInteger takes only a scalar a_zero_point on ONNX Runtime's CPU kernels, so each consumer
 * computes with zero point 0 and subtracts zp_row * colsum(W - w_zp), an int32 constant computed
 * here from the weights: the integer result is the same as with per-row zero points.
 */

export const PER_ROW = 'per-row-dynamic-quant';

interface QuantUse {
  dql: NodeInfo;
  matmuls: NodeInfo[];
}

const dqlNodes = (g: GraphSummary) => g.nodes.filter((n) => n.opType === 'DynamicQuantizeLinear' && n.domain === '');

/** Each DynamicQuantizeLinear with its MatMulInteger consumers, or why the graph does not fit. */
function quantUses(g: GraphSummary): QuantUse[] | string {
  const uses: QuantUse[] = [];
  for (const dql of dqlNodes(g)) {
    const [y, scale, zp] = dql.outputs;
    const matmuls: NodeInfo[] = [];
    for (const n of g.nodes) {
      if (n === dql) continue;
      const readsQ = n.inputs.some((i) => i === y || i === zp);
      if (readsQ) {
        if (n.opType !== 'MatMulInteger' || n.inputs[0] !== y || n.inputs[2] !== zp || n.inputs[1] === y)
          return `${PER_ROW}: ${dql.name || 'a DynamicQuantizeLinear'} feeds ${n.opType} ${n.name}, not MatMulInteger(A, W, A_zp)`;
        matmuls.push(n);
      } else if (n.inputs.includes(scale!) && n.opType !== 'Mul')
        return `${PER_ROW}: the scale of ${dql.name || 'a DynamicQuantizeLinear'} feeds ${n.opType}, not Mul`;
    }
    if (g.outputNames.some((o) => dql.outputs.includes(o)))
      return `${PER_ROW}: a DynamicQuantizeLinear output is a graph output`;
    uses.push({ dql, matmuls });
  }
  return uses;
}

/** 'absent' when the graph has no DynamicQuantizeLinear, null when the rewrite fits, else why not. */
export function perRowFit(g: GraphSummary): 'absent' | string | null {
  if (dqlNodes(g).length === 0) return 'absent';
  const uses = quantUses(g);
  return typeof uses === 'string' ? uses : null;
}

/** sum_k (W[k, j] - w_zp[j]) for an [K, N] int8/uint8 weight, as int32 [N]; null when unreadable. */
function columnSums(w: InitializerInfo | undefined, zp: InitializerInfo | undefined): Int32Array | null {
  if (!w?.raw || w.dims.length !== 2) return null;
  const [k, n] = w.dims as [number, number];
  const signed = (t: InitializerInfo) => t.dataType === DataType.int8;
  const valuesOf = (t: InitializerInfo) =>
    signed(t) ? new Int8Array(t.raw!.buffer, t.raw!.byteOffset, t.raw!.length) : t.raw!;
  if (![DataType.int8, DataType.uint8].includes(w.dataType as 2 | 3) || w.raw.length !== k * n) return null;
  let zps: ArrayLike<number> = new Int32Array(n);
  if (zp) {
    if (!zp.raw || zp.dataType !== w.dataType) return null;
    const z = valuesOf(zp);
    if (z.length === 1) zps = new Int32Array(n).fill(z[0]!);
    else if (z.length === n) zps = z;
    else return null;
  }
  const v = valuesOf(w);
  const sums = new Int32Array(n);
  for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) sums[c]! += v[r * n + c]! - zps[c]!;
  return sums;
}

function reduce(b: NodeBuilder, op: 'ReduceMin' | 'ReduceMax', x: string, opset: number): string {
  // axes became an input in opset 18
  return opset >= 18
    ? b.op(op, [x, b.int64s([-1n])], undefined, [{ name: 'keepdims', int: 1 }])
    : b.op(op, [x], undefined, [
        { name: 'axes', ints: [-1] },
        { name: 'keepdims', int: 1 },
      ]);
}

function perRowNodes(dql: NodeInfo, serial: number, opset: number): { nodes: NewNode[]; zpInt: string } {
  const b = new NodeBuilder(`pagebench/per_row_quant_${serial}`);
  const x = dql.inputs[0]!;
  const [y, scaleOut, zpOut] = dql.outputs as [string, string, string];
  const zero = b.float(0);
  const mn = b.op('Min', [reduce(b, 'ReduceMin', x, opset), zero]);
  const mx = b.op('Max', [reduce(b, 'ReduceMax', x, opset), zero]);
  const scale = b.op('Div', [b.op('Sub', [mx, mn]), b.float(255)], scaleOut);
  // a row of zeros: scale 0 (its products are 0 whatever q is); divide by 1 instead of 0
  const safe = b.op('Where', [b.op('Equal', [scale, zero]), b.float(1), scale]);
  const lo = b.float(0);
  const hi = b.float(255);
  const zpf = b.op('Clip', [b.op('Round', [b.op('Neg', [b.op('Div', [mn, safe])])]), lo, hi]);
  const zp8 = b.op('Cast', [zpf], zpOut, [{ name: 'to', int: DataType.uint8 }]);
  if (opset >= 13) {
    // One per-axis QuantizeLinear over the rows (x as [rows, hidden], a scale and zero point per row):
    // the same division, round-half-to-even, zero point and saturation as the elementwise chain
    // below, in one pass over x instead of five.
    const flat = b.int64s([-1n]);
    const rows = b.op(
      'QuantizeLinear',
      [
        b.op('Flatten', [x], undefined, [{ name: 'axis', int: -1 }]),
        b.op('Reshape', [safe, flat]),
        b.op('Reshape', [zp8, flat]),
      ],
      undefined,
      [{ name: 'axis', int: 0 }],
    );
    b.op('Reshape', [rows, b.op('Shape', [x])], y);
  } else
    b.op('Cast', [b.op('Clip', [b.op('Add', [b.op('Round', [b.op('Div', [x, safe])]), zpf]), lo, hi])], y, [
      { name: 'to', int: DataType.uint8 },
    ]);
  const zpInt = b.op('Cast', [zpf], undefined, [{ name: 'to', int: DataType.int32 }]);
  return { nodes: b.nodes, zpInt };
}

function matmulNodes(mm: NodeInfo, serial: string, zpInt: string, sums: Int32Array): NewNode[] {
  const b = new NodeBuilder(`pagebench/per_row_matmul_${serial}`);
  const [a, w, , wZp] = mm.inputs;
  const raw = b.op('MatMulInteger', wZp ? [a!, w!, '', wZp] : [a!, w!]);
  const colsum = b.constant({
    dataType: DataType.int32,
    dims: [sums.length],
    raw: new Uint8Array(sums.buffer, sums.byteOffset, sums.byteLength),
  });
  b.op('Sub', [raw, b.op('Mul', [zpInt, colsum])], mm.outputs[0]!);
  return b.nodes;
}

/** Applies the rewrite; returns why not when a weight cannot be read (nothing is changed then). */
export function addPerRowQuant(g: OnnxModelEditor): string | null {
  const uses = quantUses(g);
  if (typeof uses === 'string') return uses;
  const edits: { index: number; nodes: NewNode[] }[] = [];
  for (const [i, { dql, matmuls }] of uses.entries()) {
    const { nodes, zpInt } = perRowNodes(dql, i, g.opsetVersion);
    edits.push({ index: dql.index, nodes });
    for (const [j, mm] of matmuls.entries()) {
      const sums = columnSums(g.initializer(mm.inputs[1]!), mm.inputs[3] ? g.initializer(mm.inputs[3]) : undefined);
      if (!sums)
        return `${PER_ROW}: the weight ${mm.inputs[1]} of ${mm.name} is not a readable int8/uint8 [K, N] constant`;
      edits.push({ index: mm.index, nodes: matmulNodes(mm, `${i}_${j}`, zpInt, sums) });
    }
  }
  for (const e of edits) g.replaceNode(e.index, e.nodes);
  return null;
}
