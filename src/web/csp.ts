/**
 * The page's Content Security Policy: scripts only from the site (plus WebAssembly compilation for
 * ONNX Runtime), no inline script, no plugins, Trusted Types required for script and HTML sinks. Delivered as a <meta> tag in the build and as a
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
  // Trusted Types: Svelte's own policy for its templates, and the default policy below.
  "require-trusted-types-for 'script'",
  'trusted-types svelte-trusted-html default',
].join('; ');

interface TrustedTypesLike {
  defaultPolicy: unknown;
  createPolicy(
    name: string,
    rules: { createScriptURL: (url: string) => string; createHTML: (html: string) => string },
  ): unknown;
}

/** Whether a script URL belongs to this site: its own files, or blob: URLs it made (ONNX Runtime's thread workers). */
function ownScriptUrl(url: string): boolean {
  const u = new URL(url, location.href);
  if (u.protocol === 'blob:') return new URL(u.pathname).origin === location.origin;
  return u.origin === location.origin;
}

/**
 * The Trusted Types default policy, which the browser consults when code hands a plain string to a
 * script sink — Vite and ONNX Runtime start workers from URL strings. It lets through script URLs
 * of this site only, and no HTML but the empty string (Svelte's templates use its own policy).
 * Installed first thing in the page and in each worker.
 */
export function installTrustedTypes(): void {
  const tt = (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes;
  if (!tt || tt.defaultPolicy) return;
  tt.createPolicy('default', {
    createScriptURL: (url) => {
      if (ownScriptUrl(url)) return url;
      throw new TypeError(`pagebench runs scripts from its own site only, not ${url}`);
    },
    createHTML: (html) => {
      if (html === '') return html;
      throw new TypeError('pagebench inserts no HTML from strings');
    },
  });
}

/** Origins the hub may answer from: the hub itself and, for huggingface.co, its download CDNs. */
export function hubOrigins(hubUrl: string): string[] {
  const origin = new URL(hubUrl).origin;
  return origin === 'https://huggingface.co' ? [origin, 'https://*.huggingface.co', 'https://*.hf.co'] : [origin];
}

/** connect-src for this page: the site and the configured hub only. */
export function connectPolicy(hubUrl: string): string {
  return `connect-src 'self' ${hubOrigins(hubUrl).join(' ')} blob: data:`;
}
