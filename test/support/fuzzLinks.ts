/**
 * Random and mutated share links for the fuzz tests (unit: the decoder and the result it renders;
 * e2e: the page's shared view): random text, truncations, flipped bits in the compressed bytes,
 * script text in every string field in turn, wrong types and oversized values, out-of-range
 * numbers, counts that no longer match the picks, changed characters. Deterministic.
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'fflate';
import { fromBase64Url, toBase64Url } from '../../src/core/share/bits.ts';
import { encodePayload, type SharePayload } from '../../src/core/share/payload.ts';
import { rng } from './rng.ts';

export const SCRIPT = '<script>alert(1)</script><img src=x onerror=alert(2)>{@html x}';

/** Every string in a value replaced, one at a time, by script text (each variant is yielded). */
function* scriptVariants(v: unknown, path: (string | number)[] = []): Generator<(string | number)[]> {
  if (typeof v === 'string') yield path;
  else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* scriptVariants(v[i], [...path, i]);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) yield* scriptVariants(x, [...path, k]);
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path.at(-1)!] = value;
  return copy;
}

const encodeRaw = (v: unknown) => 'v1.' + toBase64Url(deflateSync(new TextEncoder().encode(JSON.stringify(v))));

export function fuzzLinks(base: SharePayload, count: number): string[] {
  const good = encodePayload(base);
  const next = rng(20261125);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const paths = [...scriptVariants(base)];
  assert.ok(paths.length < 1250, 'each string field gets script text at least once');
  const wrongTypes = [null, 0, -1, 1.5, 1e300, '', 'x', [], {}, true, 'x'.repeat(20_001), new Array(25_000).fill(0)];
  const numbers = [
    ...(function* walk(v: unknown, p: (string | number)[] = []): Generator<(string | number)[]> {
      if (typeof v === 'number') yield p;
      else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* walk(v[i], [...p, i]);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) yield* walk(x, [...p, k]);
    })(base),
  ];
  const links: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 8;
    if (kind === 0) {
      // random text
      const n = 1 + Math.floor(next() * 300);
      links.push(Array.from({ length: n }, () => String.fromCharCode(Math.floor(next() * 128))).join(''));
    } else if (kind === 1) {
      links.push(good.slice(0, 1 + Math.floor(next() * (good.length - 1)))); // truncated
    } else if (kind === 2) {
      const bytes = fromBase64Url(good.slice(3));
      const j = Math.floor(next() * bytes.length);
      bytes[j] = bytes[j]! ^ (1 << Math.floor(next() * 8)); // a flipped bit in the compressed bytes
      links.push('v1.' + toBase64Url(bytes));
    } else if (kind === 3) {
      links.push(encodeRaw(setAt(base, paths[Math.floor(i / 8) % paths.length]!, SCRIPT))); // script text in every string field in turn
    } else if (kind === 4) {
      links.push(encodeRaw(setAt(base, pick([...paths, ...numbers]), pick(wrongTypes)))); // wrong types, oversized
    } else if (kind === 5) {
      links.push(encodeRaw(setAt(base, pick(numbers), Math.floor(next() * 2e6) - 1e6))); // out-of-range numbers
    } else if (kind === 6) {
      const p = structuredClone(base) as SharePayload;
      p.tasks = p.tasks.slice(0, Math.floor(next() * p.tasks.length)); // counts that no longer match the picks
      links.push(encodeRaw(p));
    } else {
      const s = good.split('');
      s[3 + Math.floor(next() * (s.length - 3))] = pick([...'AZaz09-_!%']); // a changed character
      links.push(s.join(''));
    }
  }
  return links;
}
