/**
 * Python's str semantics where lm-eval's preprocessing relies on them and JavaScript differs.
 */

/** Characters Python's str.isspace() accepts (what str.strip() removes); JS trim() differs on U+001C-U+001F, U+0085, U+FEFF. */
export const PY_SPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's str.strip() with no arguments. */
export function pyStrip(s: string): string {
  return s.replace(STRIP, '');
}

// Where Unicode's titlecase of a character differs from its uppercase (Python 3.11, Unicode 14):
// characters that are their own titlecase (digraphs' title forms, Georgian Mkhedruli, Greek with
// prosgegrammeni) and full titlecase mappings (ligatures, ß, Greek with ypogegrammeni). Generated
// with: [c for c in map(chr, range(0x110000)) if c.title() != c.upper()].
const OWN_TITLE: [number, number][] = [
  [0x01c5, 0x01c5],
  [0x01c8, 0x01c8],
  [0x01cb, 0x01cb],
  [0x01f2, 0x01f2],
  [0x10d0, 0x10fa],
  [0x10fd, 0x10ff],
  [0x1f88, 0x1f8f],
  [0x1f98, 0x1f9f],
  [0x1fa8, 0x1faf],
  [0x1fbc, 0x1fbc],
  [0x1fcc, 0x1fcc],
  [0x1ffc, 0x1ffc],
];
const TITLE: Map<number, string> = new Map([
  [0x00df, '\u0053\u0073'],
  [0x01c4, '\u01c5'],
  [0x01c6, '\u01c5'],
  [0x01c7, '\u01c8'],
  [0x01c9, '\u01c8'],
  [0x01ca, '\u01cb'],
  [0x01cc, '\u01cb'],
  [0x01f1, '\u01f2'],
  [0x01f3, '\u01f2'],
  [0x0587, '\u0535\u0582'],
  [0x1f80, '\u1f88'],
  [0x1f81, '\u1f89'],
  [0x1f82, '\u1f8a'],
  [0x1f83, '\u1f8b'],
  [0x1f84, '\u1f8c'],
  [0x1f85, '\u1f8d'],
  [0x1f86, '\u1f8e'],
  [0x1f87, '\u1f8f'],
  [0x1f90, '\u1f98'],
  [0x1f91, '\u1f99'],
  [0x1f92, '\u1f9a'],
  [0x1f93, '\u1f9b'],
  [0x1f94, '\u1f9c'],
  [0x1f95, '\u1f9d'],
  [0x1f96, '\u1f9e'],
  [0x1f97, '\u1f9f'],
  [0x1fa0, '\u1fa8'],
  [0x1fa1, '\u1fa9'],
  [0x1fa2, '\u1faa'],
  [0x1fa3, '\u1fab'],
  [0x1fa4, '\u1fac'],
  [0x1fa5, '\u1fad'],
  [0x1fa6, '\u1fae'],
  [0x1fa7, '\u1faf'],
  [0x1fb2, '\u1fba\u0345'],
  [0x1fb3, '\u1fbc'],
  [0x1fb4, '\u0386\u0345'],
  [0x1fb7, '\u0391\u0342\u0345'],
  [0x1fc2, '\u1fca\u0345'],
  [0x1fc3, '\u1fcc'],
  [0x1fc4, '\u0389\u0345'],
  [0x1fc7, '\u0397\u0342\u0345'],
  [0x1ff2, '\u1ffa\u0345'],
  [0x1ff3, '\u1ffc'],
  [0x1ff4, '\u038f\u0345'],
  [0x1ff7, '\u03a9\u0342\u0345'],
  [0xfb00, '\u0046\u0066'],
  [0xfb01, '\u0046\u0069'],
  [0xfb02, '\u0046\u006c'],
  [0xfb03, '\u0046\u0066\u0069'],
  [0xfb04, '\u0046\u0066\u006c'],
  [0xfb05, '\u0053\u0074'],
  [0xfb06, '\u0053\u0074'],
  [0xfb13, '\u0544\u0576'],
  [0xfb14, '\u0544\u0565'],
  [0xfb15, '\u0544\u056b'],
  [0xfb16, '\u054e\u0576'],
  [0xfb17, '\u0544\u056d'],
]);

function titleOf(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const mapped = TITLE.get(cp);
  if (mapped !== undefined) return mapped;
  if (OWN_TITLE.some(([a, b]) => cp >= a && cp <= b)) return ch;
  return ch.toUpperCase();
}

/**
 * Python's str.capitalize() (3.8+): the first character in titlecase, the rest lowercased, with
 * the final-sigma rule seeing the whole string (as Python's does).
 */
export function pyCapitalize(s: string): string {
  if (s === '') return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  const lower = s.toLowerCase();
  const firstLower = first.toLowerCase();
  const rest = lower.startsWith(firstLower) ? lower.slice(firstLower.length) : s.slice(first.length).toLowerCase();
  return titleOf(first) + rest;
}
