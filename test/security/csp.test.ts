import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, metaTagPolicy } from '../../src/main/electron/security';
import { startWebHost, type WebHost } from '../../src/main/web';
import { createTestCore } from '../support/core';

// The renderer's CSP travels in the page itself as well as in a header: a page loaded from file:// gets no response
// headers on some Electron versions, and the meta tag holds whatever the shell does. Checked on the built renderer
// (`npx electron-vite build`), both as the desktop window loads it and as the web host serves it.

const rendererDir = resolve('out/renderer');
const metaPolicyOf = (html: string): string[] =>
  [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/g)].map((m) => m[1]);

describe('the CSP meta tag', () => {
  it('is in the built page, with the desktop policy minus what a meta tag cannot carry', () => {
    const html = readFileSync(resolve(rendererDir, 'index.html'), 'utf8');
    const file = contentSecurityPolicy({ kind: 'file', file: resolve(rendererDir, 'index.html') });
    expect(metaPolicyOf(html)).toEqual([metaTagPolicy(file)]);
    expect(metaTagPolicy(file)).toContain("script-src 'self';");
    expect(metaTagPolicy(file)).toContain("object-src 'none'");
    // Browsers ignore frame-ancestors in a meta tag and warn about it; the header keeps it.
    expect(metaTagPolicy(file)).not.toContain('frame-ancestors');
    // It comes before any script, so nothing runs before it applies.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
  });

  describe('as the web host serves it', () => {
    const core = createTestCore();
    let host: WebHost;
    beforeAll(async () => {
      host = await startWebHost({ core, rendererDir, port: 0 });
    });
    afterAll(async () => {
      await host.close();
      await core.cleanup();
    });

    it('carries the web host policy (its own WebSocket allowed) in the header and the meta tag alike', async () => {
      const page = await fetch(host.url);
      expect(page.status).toBe(200);
      const header = page.headers.get('content-security-policy') ?? '';
      expect(header).toContain(`ws://127.0.0.1:${host.port}`);
      expect(metaPolicyOf(await page.text())).toEqual([metaTagPolicy(header)]);
    });
  });
});
