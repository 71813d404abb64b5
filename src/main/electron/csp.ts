// The renderer's Content-Security-Policy, free of imports so the build config can load it as well.

/** Where the renderer comes from: the built file, or electron-vite's dev server (ELECTRON_RENDERER_URL). */
export type RendererLocation = { kind: 'file'; file: string } | { kind: 'dev'; url: string };

/**
 * The renderer's Content-Security-Policy. Never 'unsafe-eval'. The dev server needs its inline React-refresh
 * preamble and its HMR socket, so dev adds those for its own origin only.
 */
export function contentSecurityPolicy(location: RendererLocation): string {
  const dev = location.kind === 'dev' ? new URL(location.url) : null;
  const devSocket = dev ? ` ${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}` : '';
  return [
    "default-src 'none'",
    `script-src 'self'${dev ? " 'unsafe-inline'" : ''}`,
    // React and the grid set style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${devSocket}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Directives a browser ignores (and warns about) when they come in a <meta> tag rather than a header. */
const HEADER_ONLY_DIRECTIVES = new Set(['frame-ancestors', 'report-uri', 'report-to', 'sandbox']);

/**
 * A policy as the page's own <meta http-equiv="Content-Security-Policy"> carries it: the same directives minus the
 * header-only ones. The build writes it into index.html (a file:// page may get no response headers), and the web
 * host rewrites it to its own policy when it serves the page; the headers stay as well.
 */
export function metaTagPolicy(policy: string): string {
  return policy
    .split(';')
    .map((directive) => directive.trim())
    .filter((directive) => directive && !HEADER_ONLY_DIRECTIVES.has(directive.split(/\s+/)[0].toLowerCase()))
    .join('; ');
}
