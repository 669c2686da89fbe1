/** Surprisal (−log p, nats) as a background: white at 0, the darkest red from 10 nats (p ≈ 0.00005) up. */
export function surprisalColour(logprob: number): string {
  const s = Math.min(10, Math.max(0, -logprob));
  return `hsl(0 85% ${Math.round(98 - s * 4.3)}%)`;
}

/** Dark surprisal backgrounds need light text. */
export function surprisalInk(logprob: number): string {
  return -logprob > 7 ? '#fff' : 'inherit';
}

/** A token's text with its spaces and line breaks visible (a leading space is most tokens' start). */
export function visiblePiece(piece: string, breakLines = false): string {
  if (piece === '') return '·';
  return piece
    .replace(/ /g, '␣')
    .replace(/\n/g, breakLines ? '↵\n' : '↵')
    .replace(/\t/g, '⇥');
}

export const percent = (logprob: number): string => {
  const p = Math.exp(logprob) * 100;
  return p >= 10 ? `${p.toFixed(1)}%` : p >= 0.01 ? `${p.toFixed(2)}%` : `${p.toExponential(1)}%`;
};
