/** Stop strings as typed: comma-separated, with \n, \t and \\ escapes (a comma itself as \,). */
export function parseStops(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const n = text[++i]!;
      cur += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else if (c === ',') {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/** The typed form of stop strings (parseStops' inverse). */
export function formatStops(stops: readonly string[]): string {
  return stops
    .map((x) => x.replaceAll('\\', '\\\\').replaceAll(',', '\\,').replaceAll('\n', '\\n').replaceAll('\t', '\\t'))
    .join(',');
}
