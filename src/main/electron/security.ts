import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { METHODS_ARG } from '../../preload/bridge';
import type { Logger } from '../core/platform';
import type { RendererLocation } from './csp';

export { contentSecurityPolicy, metaTagPolicy, type RendererLocation } from './csp';
import type { PreventableEvent, SessionLike, WebContentsLike, WebPreferencesOptions } from './types';

export function secureWebPreferences(preload: string, methodNames: readonly string[]): WebPreferencesOptions {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    // A file dropped outside a drop zone must not replace the app with the file.
    navigateOnDragDrop: false,
    spellcheck: false,
    // The sandboxed preload reads the contract's method names from here (it cannot load zod).
    additionalArguments: [METHODS_ARG + methodNames.join(',')],
  };
}

/** Whether `url` is the app's own renderer document (any route or hash of it), and nothing else. */
export function isRendererUrl(location: RendererLocation, url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (location.kind === 'dev') return parsed.origin === new URL(location.url).origin;
  if (parsed.protocol !== 'file:') return false;
  try {
    return resolve(fileURLToPath(parsed)) === resolve(location.file);
  } catch {
    return false;
  }
}

/** Returns the URL to hand to the OS browser, or null: only well-formed https: links without credentials. */
export function externalUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username || url.password || !url.hostname) return null;
  return url.href;
}

/** CSP on every response of the session, replacing whatever a server sent; every permission refused. */
export function hardenSession(session: SessionLike, csp: string, logger: Logger): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
  session.setPermissionRequestHandler((_webContents, permission, callback) => {
    logger.log('warn', 'security', `Denied permission request "${permission}"`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

/**
 * The window never navigates away from the renderer and never opens another window. Links to https: pages
 * open in the user's browser; anything else (file:, javascript:, http:, custom schemes) is dropped and logged.
 */
export function guardNavigation(
  contents: WebContentsLike,
  options: { location: RendererLocation; openExternal: (url: string) => Promise<void>; logger: Logger },
): void {
  const { location, openExternal, logger } = options;
  const handOff = (raw: string) => {
    const url = externalUrl(raw);
    if (!url) {
      logger.log('warn', 'security', 'Blocked a link that is not https:', { url: raw.slice(0, 200) });
      return;
    }
    openExternal(url).catch((err: unknown) =>
      logger.log('warn', 'security', 'Could not open link in the browser', { error: String(err) }),
    );
  };
  contents.on('will-navigate', (event: PreventableEvent, url: string) => {
    if (location.kind === 'dev' && isRendererUrl(location, url)) return; // dev server full reloads
    event.preventDefault();
    handOff(url);
  });
  contents.on('will-attach-webview', (event: PreventableEvent) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    handOff(url);
    return { action: 'deny' };
  });
}
