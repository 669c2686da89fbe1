/** Rendered width in px of a label in the charts' font (Observable Plot's system-ui), measured, not guessed. */
let ctx: CanvasRenderingContext2D | null | undefined;
export function textWidth(text: string, fontSize: number): number {
  ctx ??= document.createElement('canvas').getContext('2d');
  if (!ctx) return text.length * fontSize * 0.62;
  ctx.font = `${fontSize}px system-ui, sans-serif`;
  return ctx.measureText(text).width;
}
