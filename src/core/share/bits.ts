/** Small integers packed `bits` to a value, most significant bit first, and base64url text for links. */

export function packValues(values: readonly number[], bits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * bits) / 8));
  let pos = 0;
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v >= 1 << bits) throw new Error(`value ${v} does not fit ${bits} bits`);
    for (let b = bits - 1; b >= 0; b--, pos++) if ((v >> b) & 1) out[pos >> 3]! |= 0x80 >> (pos & 7);
  }
  return out;
}

export function unpackValues(bytes: Uint8Array, bits: number, count: number): number[] {
  if (bytes.length !== Math.ceil((count * bits) / 8))
    throw new Error(`expected ${Math.ceil((count * bits) / 8)} bytes for ${count} values, got ${bytes.length}`);
  const out: number[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    for (let b = 0; b < bits; b++, pos++) v = (v << 1) | ((bytes[pos >> 3]! >> (7 - (pos & 7))) & 1);
    out.push(v);
  }
  return out;
}

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url text');
  if (text.length % 4 === 1) throw new Error('base64url text of impossible length');
  const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
