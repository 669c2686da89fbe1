/**
 * The page's Content Security Policy: scripts only from the site (plus WebAssembly compilation for
 * ONNX Runtime), no inline script, no plugins. Delivered as a <meta> tag in the build and as a
 * header by `vite preview`; connect-src is narrowed at start-up to the site and the configured hub
 * (a second policy, which browsers enforce together with the first).
 */
export const BASE_CSP = [
  "default-src 'self'",
  // blob: — ONNX Runtime Web imports its threaded WASM glue from a blob it creates from the site's own file.
  "script-src 'self' blob: 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  // Svelte and Observable Plot set style attributes; no script can come from a style.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' https: http://127.0.0.1:* http://localhost:* blob: data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/** Origins the hub may answer from: the hub itself and, for huggingface.co, its download CDNs. */
export function hubOrigins(hubUrl: string): string[] {
  const origin = new URL(hubUrl).origin;
  return origin === 'https://huggingface.co' ? [origin, 'https://*.huggingface.co', 'https://*.hf.co'] : [origin];
}

/** connect-src for this page: the site and the configured hub only. */
export function connectPolicy(hubUrl: string): string {
  return `connect-src 'self' ${hubOrigins(hubUrl).join(' ')} blob: data:`;
}
