import protobuf from 'protobufjs/minimal.js';

/*
 * A lossless, wire-level editor for serialized ONNX models: it reads the graph's nodes, inputs and
 * outputs, and writes a model in which chosen nodes are replaced and inputs added. Every byte it
 * does not edit (initializers, metadata, fields newer than this code) is copied as it was, so no
 * schema version can make it drop data. Field numbers are those of onnx.proto.
 */

const WIRE_LEN = 2;
const MODEL = { graph: 7, opsetImport: 8 } as const;
const OPSET = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTR = { name: 1, f: 2, i: 3, t: 5, ints: 8, type: 20 } as const;
const ATTR_TYPE = { float: 1, int: 2, tensor: 4, ints: 7 } as const;
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;
const ENTRY = { key: 1, value: 2 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIM = { value: 1, param: 2 } as const;

/** onnx TensorProto.DataType values used by the rewrites. */
export const DataType = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, float16: 10 } as const;

/** A constant tensor of the graph; `raw` is absent when its values are not stored as raw_data. */
export interface InitializerInfo {
  name: string;
  dataType: number;
  dims: number[];
  raw?: Uint8Array;
}

export interface NodeInfo {
  /** Position in the graph's node list. */
  index: number;
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
}

export type Attribute =
  | { name: string; tensor: { dataType: number; dims: number[]; raw: Uint8Array } }
  | { name: string; int: number }
  | { name: string; ints: number[] }
  | { name: string; float: number };

export interface NewNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: Attribute[];
}

interface Span {
  start: number; // tag start
  end: number;
  field: number;
  payloadStart: number;
}

function walk(buf: Uint8Array, start: number, end: number, visit: (s: Span, r: protobuf.Reader) => void): void {
  const r = protobuf.Reader.create(buf);
  r.pos = start;
  while (r.pos < end) {
    const tagStart = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === WIRE_LEN) {
      const len = r.uint32();
      const payloadStart = r.pos;
      r.pos += len;
      if (r.pos > end) throw new Error('not an ONNX model: a field runs past the end of its message');
      visit({ start: tagStart, end: r.pos, field, payloadStart }, r);
    } else {
      r.skipType(wire);
      visit({ start: tagStart, end: r.pos, field, payloadStart: -1 }, r);
    }
  }
}

const utf8 = new TextDecoder();

function stringAt(buf: Uint8Array, s: Span): string {
  return utf8.decode(buf.subarray(s.payloadStart, s.end));
}

function readNode(buf: Uint8Array, s: Span, index: number): NodeInfo {
  const node: NodeInfo = { index, opType: '', domain: '', name: '', inputs: [], outputs: [] };
  walk(buf, s.payloadStart, s.end, (f) => {
    if (f.field === NODE.input) node.inputs.push(stringAt(buf, f));
    else if (f.field === NODE.output) node.outputs.push(stringAt(buf, f));
    else if (f.field === NODE.name) node.name = stringAt(buf, f);
    else if (f.field === NODE.opType) node.opType = stringAt(buf, f);
    else if (f.field === NODE.domain) node.domain = stringAt(buf, f);
  });
  return node;
}

function valueInfoName(buf: Uint8Array, s: Span): string {
  let name = '';
  walk(buf, s.payloadStart, s.end, (f) => {
    if (f.field === VALUE_INFO.name) name = stringAt(buf, f);
  });
  return name;
}

function isExternalTensor(buf: Uint8Array, s: Span): boolean {
  let external = false;
  const r = protobuf.Reader.create(buf);
  r.pos = s.payloadStart;
  while (r.pos < s.end) {
    const tag = r.uint32();
    if (tag >>> 3 === TENSOR.dataLocation && (tag & 7) === 0) external = r.int32() === 1;
    else r.skipType(tag & 7);
  }
  return external;
}

function encodeAttribute(w: protobuf.Writer, a: Attribute): void {
  w.uint32((NODE.attribute << 3) | WIRE_LEN).fork();
  w.uint32((ATTR.name << 3) | WIRE_LEN).string(a.name);
  if ('tensor' in a) {
    w.uint32((ATTR.t << 3) | WIRE_LEN).fork();
    for (const d of a.tensor.dims) w.uint32(TENSOR.dims << 3).int64(d);
    w.uint32(TENSOR.dataType << 3).int32(a.tensor.dataType);
    w.uint32((TENSOR.rawData << 3) | WIRE_LEN).bytes(a.tensor.raw);
    w.ldelim();
    w.uint32(ATTR.type << 3).int32(ATTR_TYPE.tensor);
  } else if ('int' in a) {
    w.uint32(ATTR.i << 3).int64(a.int);
    w.uint32(ATTR.type << 3).int32(ATTR_TYPE.int);
  } else if ('ints' in a) {
    for (const i of a.ints) w.uint32(ATTR.ints << 3).int64(i);
    w.uint32(ATTR.type << 3).int32(ATTR_TYPE.ints);
  } else {
    w.uint32((ATTR.f << 3) | 5).float(a.float);
    w.uint32(ATTR.type << 3).int32(ATTR_TYPE.float);
  }
  w.ldelim();
}

/** Files holding initializers' external data, by the `location` the graph names them with. */
export type ExternalFiles = ReadonlyMap<string, Uint8Array>;

function readInitializer(buf: Uint8Array, s: Span, external?: ExternalFiles): InitializerInfo {
  const t: InitializerInfo = { name: '', dataType: 0, dims: [] };
  const where: Record<string, string> = {};
  const r = protobuf.Reader.create(buf);
  r.pos = s.payloadStart;
  while (r.pos < s.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === TENSOR.dims && wire === 0) t.dims.push(Number(r.int64()));
    else if (field === TENSOR.dims && wire === WIRE_LEN) {
      const end = r.uint32() + r.pos;
      while (r.pos < end) t.dims.push(Number(r.int64()));
    } else if (field === TENSOR.dataType && wire === 0) t.dataType = r.int32();
    else if (field === TENSOR.name && wire === WIRE_LEN) t.name = r.string();
    else if (field === TENSOR.rawData && wire === WIRE_LEN) {
      const len = r.uint32();
      t.raw = buf.subarray(r.pos, r.pos + len);
      r.pos += len;
    } else if (field === TENSOR.externalData && wire === WIRE_LEN && external) {
      const end = r.uint32() + r.pos;
      let key = '';
      let value = '';
      while (r.pos < end) {
        const et = r.uint32();
        if (et >>> 3 === ENTRY.key && (et & 7) === WIRE_LEN) key = r.string();
        else if (et >>> 3 === ENTRY.value && (et & 7) === WIRE_LEN) value = r.string();
        else r.skipType(et & 7);
      }
      where[key] = value;
    } else r.skipType(wire);
  }
  const file = where.location !== undefined ? external?.get(where.location) : undefined;
  if (file && where.length !== undefined) {
    const offset = Number(where.offset ?? 0);
    const length = Number(where.length);
    if (offset + length <= file.length) t.raw = file.subarray(offset, offset + length);
  }
  return t;
}

function encodeNode(n: NewNode): Uint8Array {
  const w = protobuf.Writer.create();
  for (const i of n.inputs) w.uint32((NODE.input << 3) | WIRE_LEN).string(i);
  for (const o of n.outputs) w.uint32((NODE.output << 3) | WIRE_LEN).string(o);
  w.uint32((NODE.name << 3) | WIRE_LEN).string(n.name);
  w.uint32((NODE.opType << 3) | WIRE_LEN).string(n.opType);
  for (const a of n.attributes ?? []) encodeAttribute(w, a);
  return w.finish();
}

/** A length-delimited field: tag, length, payload. */
function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head = protobuf.Writer.create()
    .uint32((field << 3) | WIRE_LEN)
    .uint32(payload.length)
    .finish();
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** A model's structure without its weights. */
export interface GraphSummary {
  nodes: NodeInfo[];
  inputNames: string[];
  outputNames: string[];
  /** Version of the default ("" / ai.onnx) operator set. */
  opsetVersion: number;
  /** Whether some initializer lives in an external data file. */
  hasExternalData: boolean;
}

function readOpset(buf: Uint8Array, s: Span): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  const r = protobuf.Reader.create(buf);
  r.pos = s.payloadStart;
  while (r.pos < s.end) {
    const tag = r.uint32();
    if (tag >>> 3 === OPSET.domain && (tag & 7) === WIRE_LEN) domain = r.string();
    else if (tag >>> 3 === OPSET.version && (tag & 7) === 0) version = Number(r.int64());
    else r.skipType(tag & 7);
  }
  return { domain, version };
}

type ReadAt = (pos: number, len: number) => Promise<Uint8Array>;

/** Like walk(), over positioned reads: only tags and lengths are read, payloads on request. */
async function walkAt(
  readAt: ReadAt,
  start: number,
  end: number,
  visit: (f: { field: number; payloadStart: number; end: number; value: number }) => Promise<void>,
): Promise<void> {
  let pos = start;
  while (pos < end) {
    const head = await readAt(pos, Math.min(20, end - pos));
    const r = protobuf.Reader.create(head);
    const tag = r.uint32();
    const wire = tag & 7;
    if (wire === WIRE_LEN) {
      const len = r.uint32();
      const payloadStart = pos + r.pos;
      if (payloadStart + len > end) throw new Error('not an ONNX model: a field runs past the end of its message');
      await visit({ field: tag >>> 3, payloadStart, end: payloadStart + len, value: 0 });
      pos = payloadStart + len;
    } else {
      const value = wire === 0 ? r.uint32() : 0;
      if (wire !== 0) r.skipType(wire);
      await visit({ field: tag >>> 3, payloadStart: -1, end: pos + r.pos, value });
      pos += r.pos;
    }
  }
}

/**
 * The structure of a model file read with positioned reads (Node: a file handle), skipping the
 * weights: deciding whether a rewrite applies costs kilobytes, not the whole file.
 */
export async function summarizeModel(readAt: ReadAt, size: number): Promise<GraphSummary> {
  const sum: GraphSummary = { nodes: [], inputNames: [], outputNames: [], opsetVersion: 0, hasExternalData: false };
  const payload = async (f: { payloadStart: number; end: number }) => {
    const buf = await readAt(f.payloadStart, f.end - f.payloadStart);
    return { buf, span: { start: 0, end: buf.length, field: 0, payloadStart: 0 } };
  };
  try {
    await walkAt(readAt, 0, size, async (top) => {
      if (top.field === MODEL.opsetImport && top.payloadStart >= 0) {
        const { buf, span } = await payload(top);
        const o = readOpset(buf, span);
        if (o.domain === '' || o.domain === 'ai.onnx') sum.opsetVersion = o.version;
      }
      if (top.field !== MODEL.graph || top.payloadStart < 0) return;
      await walkAt(readAt, top.payloadStart, top.end, async (f) => {
        if (f.field === GRAPH.node) {
          const { buf, span } = await payload(f);
          sum.nodes.push(readNode(buf, span, sum.nodes.length));
        } else if (f.field === GRAPH.input || f.field === GRAPH.output) {
          const { buf, span } = await payload(f);
          (f.field === GRAPH.input ? sum.inputNames : sum.outputNames).push(valueInfoName(buf, span));
        } else if (f.field === GRAPH.initializer && !sum.hasExternalData && f.payloadStart >= 0) {
          await walkAt(readAt, f.payloadStart, f.end, async (t) => {
            if (t.field === TENSOR.dataLocation && t.payloadStart < 0 && t.value === 1) sum.hasExternalData = true;
          });
        }
      });
    });
  } catch (e) {
    const msg = String((e as Error)?.message ?? e);
    throw new Error(msg.startsWith('not an ONNX model') ? msg : `not an ONNX model: ${msg}`);
  }
  return sum;
}

export class OnnxModelEditor implements GraphSummary {
  readonly nodes: NodeInfo[] = [];
  readonly inputNames: string[] = [];
  readonly outputNames: string[] = [];
  /** Version of the default ("" / ai.onnx) operator set. */
  opsetVersion = 0;
  /** Whether some initializer lives in an external data file. */
  hasExternalData = false;

  private graphSpan: Span | null = null;
  private readonly nodeSpans: Span[] = [];
  private readonly initializerSpans: Span[] = [];
  private initializerIndex: Map<string, Span> | null = null;
  private readonly replacements = new Map<number, Uint8Array[]>();
  private readonly newInputs: Uint8Array[] = [];
  private readonly leadingNodes: Uint8Array[] = [];
  private readonly initializerReplacements = new Map<number, { span: Span; bytes: Uint8Array }>();

  /** `external`: files whose data the graph's initializers point at; initializer() reads them there. */
  constructor(
    readonly bytes: Uint8Array,
    readonly external?: ExternalFiles,
  ) {
    try {
      this.parse(bytes);
    } catch (e) {
      const msg = String((e as Error)?.message ?? e);
      throw new Error(msg.startsWith('not an ONNX model') ? msg : `not an ONNX model: ${msg}`);
    }
  }

  private parse(bytes: Uint8Array): void {
    walk(bytes, 0, bytes.length, (s) => {
      if (s.field === MODEL.graph && s.payloadStart >= 0) this.graphSpan = s;
      if (s.field === MODEL.opsetImport && s.payloadStart >= 0) {
        const o = readOpset(bytes, s);
        if (o.domain === '' || o.domain === 'ai.onnx') this.opsetVersion = o.version;
      }
    });
    const g = this.graphSpan as Span | null;
    if (!g) throw new Error('not an ONNX model: no graph');
    walk(bytes, g.payloadStart, g.end, (s) => {
      if (s.field === GRAPH.node) {
        this.nodes.push(readNode(bytes, s, this.nodeSpans.length));
        this.nodeSpans.push(s);
      } else if (s.field === GRAPH.input) this.inputNames.push(valueInfoName(bytes, s));
      else if (s.field === GRAPH.output) this.outputNames.push(valueInfoName(bytes, s));
      else if (s.field === GRAPH.initializer) {
        this.initializerSpans.push(s);
        if (!this.hasExternalData) this.hasExternalData = isExternalTensor(bytes, s);
      }
    });
  }

  private index(): Map<string, Span> {
    if (!this.initializerIndex) {
      this.initializerIndex = new Map();
      for (const s of this.initializerSpans) this.initializerIndex.set(readInitializer(this.bytes, s).name, s);
    }
    return this.initializerIndex;
  }

  /** The named initializer (a view into the model's bytes or its external file), or undefined. */
  initializer(name: string): InitializerInfo | undefined {
    const s = this.index().get(name);
    return s ? readInitializer(this.bytes, s, this.external) : undefined;
  }

  /** A node's int and tensor attributes (others are listed by name only). */
  attributes(node: NodeInfo): { name: string; int?: number; tensor?: InitializerInfo }[] {
    const s = this.nodeSpans[node.index]!;
    const out: { name: string; int?: number; tensor?: InitializerInfo }[] = [];
    walk(this.bytes, s.payloadStart, s.end, (f) => {
      if (f.field !== NODE.attribute) return;
      const a: { name: string; int?: number; tensor?: InitializerInfo } = { name: '' };
      walk(this.bytes, f.payloadStart, f.end, (x, r) => {
        if (x.field === ATTR.name) a.name = stringAt(this.bytes, x);
        else if (x.field === ATTR.t) a.tensor = readInitializer(this.bytes, x);
        else if (x.field === ATTR.i && x.payloadStart < 0) {
          r.pos = x.start;
          r.uint32();
          a.int = Number(r.int64());
          r.pos = x.end;
        }
      });
      out.push(a);
    });
    return out;
  }

  /** Names of the initializers stored in this file (raw or typed data). */
  initializerNames(): string[] {
    return [...this.index().keys()];
  }

  /** Gives initializer `name` the name `newName`; every other field (its data, wherever it lies) is kept. */
  renameInitializer(name: string, newName: string): void {
    const span = this.index().get(name);
    if (!span) throw new Error(`no initializer ${name}`);
    if (this.initializerReplacements.has(span.start)) throw new Error(`initializer ${name} is already rewritten`);
    const field = protobuf.Writer.create()
      .uint32((TENSOR.name << 3) | WIRE_LEN)
      .string(newName)
      .finish();
    this.rewriteInitializer(span, [TENSOR.name], field);
  }

  /** Writes the initializer at `span` anew: its fields but `drop`, then `added` (encoded fields). */
  private rewriteInitializer(span: Span, drop: number[], added: Uint8Array): void {
    const parts: Uint8Array[] = [];
    walk(this.bytes, span.payloadStart, span.end, (f) => {
      if (!drop.includes(f.field)) parts.push(this.bytes.subarray(f.start, f.end));
    });
    parts.push(added);
    this.initializerReplacements.set(span.start, { span, bytes: lengthDelimited(GRAPH.initializer, concat(parts)) });
  }

  /**
   * Points every initializer of at least `minBytes` raw bytes at external data instead: the file
   * `location` is this model's own bytes, at the offset where the tensor's raw data lies, so
   * ONNX Runtime copies each weight straight into its tensor and the graph it parses is small.
   * Every other field of the tensor is kept. Returns how many were pointed.
   */
  externalizeInitializers(location: string, minBytes: number): number {
    let n = 0;
    for (const span of this.initializerSpans) {
      const t = readInitializer(this.bytes, span);
      if (!t.raw || t.raw.length < minBytes || this.initializerReplacements.has(span.start)) continue;
      const offset = t.raw.byteOffset - this.bytes.byteOffset;
      const ext = protobuf.Writer.create();
      for (const [key, value] of [
        ['location', location],
        ['offset', String(offset)],
        ['length', String(t.raw.length)],
      ]) {
        ext.uint32((TENSOR.externalData << 3) | WIRE_LEN).fork();
        ext.uint32((ENTRY.key << 3) | WIRE_LEN).string(key!);
        ext.uint32((ENTRY.value << 3) | WIRE_LEN).string(value!);
        ext.ldelim();
      }
      ext.uint32(TENSOR.dataLocation << 3).int32(1);
      this.rewriteInitializer(span, [TENSOR.rawData, TENSOR.dataLocation], ext.finish());
      n++;
    }
    return n;
  }

  /** Puts `nodes` where node `index` was (an empty list removes it). */
  replaceNode(index: number, nodes: (NewNode | { keep: NodeInfo; inputs: string[] })[]): void {
    this.replacements.set(
      index,
      nodes.map((n) => ('keep' in n ? this.withInputs(n.keep, n.inputs) : encodeNode(n))),
    );
  }

  /** Puts `nodes` before every other node (nodes that read initializers only). */
  prependNodes(nodes: NewNode[]): void {
    this.leadingNodes.push(...nodes.map(encodeNode));
  }

  /** Adds a graph input of `elemType` (DataType) and shape `dims` (numbers or symbolic names). */
  addInput(name: string, elemType: number, dims: (number | string)[]): void {
    const w = protobuf.Writer.create();
    w.uint32((VALUE_INFO.name << 3) | WIRE_LEN).string(name);
    w.uint32((VALUE_INFO.type << 3) | WIRE_LEN).fork();
    w.uint32((TYPE.tensorType << 3) | WIRE_LEN).fork();
    w.uint32(TENSOR_TYPE.elemType << 3).int32(elemType);
    w.uint32((TENSOR_TYPE.shape << 3) | WIRE_LEN).fork();
    for (const d of dims) {
      w.uint32((SHAPE.dim << 3) | WIRE_LEN).fork();
      if (typeof d === 'number') w.uint32(DIM.value << 3).int64(d);
      else w.uint32((DIM.param << 3) | WIRE_LEN).string(d);
      w.ldelim();
    }
    w.ldelim().ldelim().ldelim();
    this.newInputs.push(lengthDelimited(GRAPH.input, w.finish()));
    this.inputNames.push(name);
  }

  /** The original node's bytes with its inputs replaced; every other field copied as is. */
  private withInputs(node: NodeInfo, inputs: string[]): Uint8Array {
    const s = this.nodeSpans[node.index]!;
    const parts: Uint8Array[] = [];
    let written = false;
    walk(this.bytes, s.payloadStart, s.end, (f) => {
      if (f.field !== NODE.input) parts.push(this.bytes.subarray(f.start, f.end));
      else if (!written) {
        const w = protobuf.Writer.create();
        for (const i of inputs) w.uint32((NODE.input << 3) | WIRE_LEN).string(i);
        parts.push(w.finish());
        written = true;
      }
    });
    return concat(parts);
  }

  /** The edited model. Unedited bytes are shared views until this copy. */
  toBytes(): Uint8Array {
    const g = this.graphSpan!;
    const graphParts: Uint8Array[] = [];
    let cursor = g.payloadStart;
    const edits = [
      ...[...this.replacements].map(([i, rep]) => ({
        span: this.nodeSpans[i]!,
        parts: rep.map((n) => lengthDelimited(GRAPH.node, n)),
      })),
      ...[...this.initializerReplacements.values()].map((r) => ({ span: r.span, parts: [r.bytes] })),
    ];
    if (this.leadingNodes.length) {
      const at = this.nodeSpans[0]?.start ?? g.end;
      edits.push({
        span: { start: at, end: at, field: GRAPH.node, payloadStart: at },
        parts: this.leadingNodes.map((n) => lengthDelimited(GRAPH.node, n)),
      });
    }
    // an insertion (empty span) goes before a replacement starting at the same place
    edits.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
    for (const { span, parts } of edits) {
      graphParts.push(this.bytes.subarray(cursor, span.start), ...parts);
      cursor = span.end;
    }
    graphParts.push(this.bytes.subarray(cursor, g.end), ...this.newInputs);
    const graphLen = graphParts.reduce((a, p) => a + p.length, 0);
    const head = protobuf.Writer.create()
      .uint32((MODEL.graph << 3) | WIRE_LEN)
      .uint32(graphLen)
      .finish();
    return concat([this.bytes.subarray(0, g.start), head, ...graphParts, this.bytes.subarray(g.end)]);
  }
}

/**
 * A copy of the model in which every float16 type of the graph's interface is float32: the element
 * type of its inputs, outputs and value_info, and Cast's `to`. Both codes are one-byte varints, so
 * the bytes are patched in place and nothing moves. Returns the copy and how many were changed.
 */
export function retypeFloat16Interface(bytes: Uint8Array): { bytes: Uint8Array; changed: number } {
  const out = bytes.slice();
  let changed = 0;
  const patchVarint = (x: Span, from: number, to: number) => {
    // tag (one byte for these fields) then the value
    const at = x.start + 1;
    if (out[at] === from) {
      out[at] = to;
      changed++;
    }
  };
  walk(bytes, 0, bytes.length, (top) => {
    if (top.field !== MODEL.graph || top.payloadStart < 0) return;
    walk(bytes, top.payloadStart, top.end, (g) => {
      if (g.field === GRAPH.input || g.field === GRAPH.output || g.field === GRAPH.valueInfo) {
        walk(bytes, g.payloadStart, g.end, (v) => {
          if (v.field !== VALUE_INFO.type || v.payloadStart < 0) return;
          walk(bytes, v.payloadStart, v.end, (t) => {
            if (t.field !== TYPE.tensorType || t.payloadStart < 0) return;
            walk(bytes, t.payloadStart, t.end, (e) => {
              if (e.field === TENSOR_TYPE.elemType && e.payloadStart < 0)
                patchVarint(e, DataType.float16, DataType.float);
            });
          });
        });
      } else if (g.field === GRAPH.node) {
        const node = readNode(bytes, g, 0);
        if (node.opType !== 'Cast' || node.domain !== '') return;
        walk(bytes, g.payloadStart, g.end, (f) => {
          if (f.field !== NODE.attribute) return;
          let isTo = false;
          let value: Span | null = null;
          walk(bytes, f.payloadStart, f.end, (x) => {
            if (x.field === ATTR.name) isTo = stringAt(bytes, x) === 'to';
            else if (x.field === ATTR.i && x.payloadStart < 0) value = x;
          });
          if (isTo && value) patchVarint(value, DataType.float16, DataType.float);
        });
      }
    });
  });
  return { bytes: out, changed };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
