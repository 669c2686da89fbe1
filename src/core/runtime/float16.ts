/** IEEE 754 half-precision bits (little-endian raw tensor data) to float32 raw data, exactly. */
export function float16RawToFloat32(raw: Uint8Array): Uint8Array {
  const n = raw.length >> 1;
  const out = new Float32Array(n);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  return new Uint8Array(out.buffer);
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
