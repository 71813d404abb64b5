import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../src/shared/contract';
import {
  contentSecurityPolicy,
  externalUrl,
  guardNavigation,
  hardenSession,
  isRendererUrl,
  secureWebPreferences,
  type RendererLocation,
} from '../../src/main/electron/security';
import { mainWindowOptions } from '../../src/main/electron/window';
import type { LogLevel, Logger } from '../../src/main/core/platform';
import { FakeSession, FakeWebContents } from './fake-electron';

const recordingLogger = () => {
  const lines: { level: LogLevel; message: string }[] = [];
  const logger: Logger = { log: (level, _scope, message) => void lines.push({ level, message }) };
  return { logger, lines };
};

const fileLocation: RendererLocation = { kind: 'file', file: '/opt/callconsole/out/renderer/index.html' };
const rendererUrl = pathToFileURL('/opt/callconsole/out/renderer/index.html').href;

describe('window options', () => {
  it('isolates the renderer: context isolation, sandbox, no Node, web security, no webview', () => {
    const options = mainWindowOptions(null, {
      preload: '/app/out/preload/index.cjs',
      methodNames: METHOD_NAMES,
      dark: false,
    });
    const prefs = options.webPreferences;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(options.show).toBe(false);
  });

  it('hands the preload exactly the contract method names', () => {
    const prefs = secureWebPreferences('/p.cjs', METHOD_NAMES);
    expect(prefs.additionalArguments).toEqual([`--console-api-methods=${METHOD_NAMES.join(',')}`]);
  });
});

describe('content security policy', () => {
  it('never allows eval, and allows inline scripts only for the dev server', () => {
    const prod = contentSecurityPolicy(fileLocation);
    const dev = contentSecurityPolicy({ kind: 'dev', url: 'http://localhost:5173/' });
    for (const csp of [prod, dev]) {
      expect(csp).not.toMatch(/unsafe-eval|wasm-unsafe-eval/);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
    }
    expect(prod).toMatch(/script-src 'self'(;|$)/);
    expect(dev).toContain('ws://localhost:5173');
    expect(prod).not.toContain('ws:');
  });

  it('is set on every response, replacing a weaker one the server sent', () => {
    const session = new FakeSession();
    const { logger } = recordingLogger();
    hardenSession(session, contentSecurityPolicy(fileLocation), logger);
    const headers = session.respond('http://localhost:5173/', {
      'content-security-policy': ["script-src * 'unsafe-eval'"],
      'Content-Type': ['text/html'],
    });
    expect(headers?.['Content-Type']).toEqual(['text/html']);
    expect(headers?.['content-security-policy']).toBeUndefined();
    expect(headers?.['Content-Security-Policy']).toEqual([contentSecurityPolicy(fileLocation)]);
  });
});

describe('permissions', () => {
  it('denies every permission request and check', () => {
    const session = new FakeSession();
    const { logger, lines } = recordingLogger();
    hardenSession(session, 'x', logger);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | undefined;
      session.permissionRequest?.({}, permission, (g) => (granted = g));
      expect(granted, permission).toBe(false);
      expect(session.permissionCheck?.({}, permission)).toBe(false);
    }
    expect(lines.some((l) => l.level === 'warn' && l.message.includes('media'))).toBe(true);
  });
});

describe('navigation and new windows', () => {
  const guarded = (location: RendererLocation = fileLocation) => {
    const contents = new FakeWebContents();
    const opened: string[] = [];
    const { logger, lines } = recordingLogger();
    guardNavigation(contents, { location, openExternal: async (url) => void opened.push(url), logger });
    return { contents, opened, lines };
  };

  it('never navigates the window; https links go to the browser, others are dropped', () => {
    const { contents, opened, lines } = guarded();
    for (const url of [
      'https://example.com/docs',
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      rendererUrl,
    ]) {
      expect(contents.navigate(url).prevented, url).toBe(true);
    }
    expect(opened).toEqual(['https://example.com/docs']);
    expect(lines.filter((l) => l.message.includes('not https'))).toHaveLength(4);
  });

  it('denies every new window and opens only parsed https: URLs externally', () => {
    const { contents, opened } = guarded();
    const urls = [
      'https://status.example.com/x?y=1',
      'https://user:pass@example.com/',
      'http://example.com',
      'smb://server/share',
      'https//missing-colon',
      'file:///C:/Windows/system32/calc.exe',
    ];
    for (const url of urls) expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://status.example.com/x?y=1']);
  });

  it('lets the dev server reload its own page but nothing else', () => {
    const { contents } = guarded({ kind: 'dev', url: 'http://localhost:5173/' });
    expect(contents.navigate('http://localhost:5173/#/live').prevented).toBe(false);
    expect(contents.navigate('http://localhost:5174/').prevented).toBe(true);
  });

  it('blocks <webview> attachment', () => {
    const { contents } = guarded();
    const event = {
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    contents.emit('will-attach-webview', event);
    expect(event.prevented).toBe(true);
  });
});

describe('external link filter', () => {
  it('accepts only well-formed https URLs without credentials', () => {
    expect(externalUrl('https://example.com')).toBe('https://example.com/');
    expect(externalUrl('HTTPS://Example.com/a b')).toBe('https://example.com/a%20b');
    expect(externalUrl('https://a:b@example.com')).toBeNull();
    expect(externalUrl('http://example.com')).toBeNull();
    expect(externalUrl('not a url')).toBeNull();
    expect(externalUrl('ms-msdt:/id PCWDiagnostic')).toBeNull();
  });
});

describe('renderer URL check', () => {
  it('accepts the renderer document with any hash or query, and nothing else', () => {
    expect(isRendererUrl(fileLocation, rendererUrl)).toBe(true);
    expect(isRendererUrl(fileLocation, `${rendererUrl}#/live?x=1`)).toBe(true);
    expect(isRendererUrl(fileLocation, pathToFileURL('/opt/callconsole/out/renderer/other.html').href)).toBe(false);
    expect(isRendererUrl(fileLocation, 'file:///opt/callconsole/out/renderer/../renderer/index.html')).toBe(true);
    expect(isRendererUrl(fileLocation, 'https://opt/callconsole/out/renderer/index.html')).toBe(false);
    expect(isRendererUrl(fileLocation, 'data:text/html,hi')).toBe(false);
    expect(isRendererUrl(fileLocation, '')).toBe(false);
    const dev: RendererLocation = { kind: 'dev', url: 'http://localhost:5173/' };
    expect(isRendererUrl(dev, 'http://localhost:5173/index.html')).toBe(true);
    expect(isRendererUrl(dev, 'http://127.0.0.1:5173/')).toBe(false);
  });
});
