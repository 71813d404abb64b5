import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { contentSecurityPolicy, metaTagPolicy } from './src/main/electron/csp';

/**
 * The built page carries the desktop window's CSP in a meta tag as well: a page loaded from file:// may get no
 * response headers, whatever the Electron version. The dev server keeps its header-only, looser dev policy.
 */
function cspMetaTag(): Plugin {
  return {
    name: 'csp-meta-tag',
    apply: 'build',
    // Right after the charset, before any script: nothing runs before it applies.
    transformIndexHtml(html) {
      const charset = '<meta charset="UTF-8" />';
      if (!html.includes(charset)) throw new Error(`index.html must start its <head> with ${charset}`);
      const policy = metaTagPolicy(contentSecurityPolicy({ kind: 'file', file: 'index.html' }));
      return html.replace(charset, `${charset}\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
    },
  };
}

// One build produces the Electron main, and beside it the plain-Node entries (web host, CLI, import worker)
// that share the same core; none of those import electron.
// `@shared` is src/shared, the contract every process imports.
const alias = { '@shared': resolve('src/shared') };

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          web: resolve('src/main/web.ts'),
          cli: resolve('src/main/cli.ts'),
          'import-worker': resolve('src/main/core/contacts/import-worker.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    resolve: { alias },
    root: resolve('src/renderer'),
    plugins: [react(), cspMetaTag()],
    build: {
      // electron-vite leaves the renderer unminified by default; minified it loads faster in the window and browser.
      minify: true,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
