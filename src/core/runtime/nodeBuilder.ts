import { DataType, type Attribute, type NewNode } from './onnxGraph.ts';

export function f32(x: number): Uint8Array {
  return new Uint8Array(new Float32Array([x]).buffer);
}

export function i64(xs: bigint[]): Uint8Array {
  return new Uint8Array(new BigInt64Array(xs).buffer);
}

/** Builds nodes with unique names under one prefix (the nodes a rewrite puts in the graph). */
export class NodeBuilder {
  readonly nodes: NewNode[] = [];
  private n = 0;
  constructor(private readonly prefix: string) {}

  private fresh(): string {
    return `${this.prefix}/${this.n++}`;
  }

  op(opType: string, inputs: string[], output?: string, attributes?: Attribute[]): string {
    const out = output ?? this.fresh();
    this.nodes.push({ opType, name: `${out}_node`, inputs, outputs: [out], ...(attributes ? { attributes } : {}) });
    return out;
  }

  constant(tensor: { dataType: number; dims: number[]; raw: Uint8Array }): string {
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
