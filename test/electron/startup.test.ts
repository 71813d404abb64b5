import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/main/create-core';
import { runDesktop, type DesktopApp } from '../../src/main/electron/desktop';
import { buildMenuTemplate } from '../../src/main/electron/menu';
import { describeStartupError, startupErrorPage } from '../../src/main/electron/startup-error';
import type { MenuItemTemplate } from '../../src/main/electron/types';
import { pathToFileURL } from 'node:url';
import {
  events,
  IPC_EVENTS_CHANNEL,
  IPC_PREFIX,
  METHOD_NAMES,
  type AnyEvent,
  type InvokeResult,
} from '../../src/shared/contract';
import { createTestCore, tempDir } from '../support/core';
import { waitUntil } from '../support/wait';
import { FakeEvent, fakeElectron, frameEvent, type FakeElectron } from './fake-electron';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const temp = () => {
  const t = tempDir('electron-startup-');
  cleanups.push(t.cleanup);
  return t.dir;
};

const decodePage = (url: string) => decodeURIComponent(url.replace(/^data:text\/html;charset=utf-8,/, ''));

async function start(
  electron: FakeElectron,
  nativeBinding: Parameters<typeof runDesktop>[0]['nativeBinding'] = { kind: 'default' },
) {
  const app = await runDesktop({
    electron,
    preload: '/opt/cc/out/preload/index.cjs',
    rendererFile: '/opt/cc/out/renderer/index.html',
    nativeBinding,
  });
  if (app) cleanups.push(() => app.shutdown());
  return app;
}

function findItem(menu: MenuItemTemplate[], label: string): MenuItemTemplate | undefined {
  for (const item of menu) {
    if (item.label === label) return item;
    const inner = item.submenu && findItem(item.submenu, label);
    if (inner) return inner;
  }
  return undefined;
}

describe('startup errors get a readable page, not a blank window', () => {
  it('a database from a newer version: explains, leaves the file alone, binds no IPC', async () => {
    const userData = temp();
    const db = new Database(databasePath(userData));
    db.pragma('user_version = 999');
    db.close();

    const electron = fakeElectron(userData);
    const app = (await start(electron)) as DesktopApp;
    expect(app.core).toBeNull();
    expect(electron.windows).toHaveLength(1);
    const [url] = electron.windows[0].loaded;
    expect(url).toMatch(/^data:text\/html;charset=utf-8,/);
    const page = decodePage(url);
    expect(page).toContain('saved by a newer version of Call Console');
    expect(page).toContain('schema version 999');
    expect(page).toContain(databasePath(userData));
    expect(page).toContain("default-src 'none'");
    expect(page).not.toMatch(/<script/i);
    expect(electron.ipcMain.handlers.size).toBe(0);

    const check = new Database(databasePath(userData), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(999);
    check.close();
  });

  it('an unreadable data folder', async () => {
    const parent = temp();
    const notADir = join(parent, 'file');
    writeFileSync(notADir, 'x');
    const electron = fakeElectron(join(notADir, 'userData'));
    await start(electron);
    const page = decodePage(electron.windows[0].loaded[0]);
    expect(page).toContain('The data folder cannot be opened');
    expect(page).toContain('ENOTDIR');
  });

  it('the Electron build of the database driver is missing', async () => {
    const electron = fakeElectron(temp());
    await start(electron, {
      kind: 'file',
      path: '/nowhere/.electron-native/better_sqlite3-electron-45.5.0-linux-x64.node',
    });
    const page = decodePage(electron.windows[0].loaded[0]);
    expect(page).toContain('has not been built for Electron');
    expect(page).toContain('npm start');
  });

  it('the webhook port in use: the real core fails to listen and the page says what to do', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    cleanups.push(() => void busy.close());
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as { port: number }).port;
    const userData = temp();
    const setup = createTestCore({ dataDir: userData });
    setup.settings.set('webhookPort', port);
    await setup.close();

    const electron = fakeElectron(userData);
    const app = (await start(electron)) as DesktopApp;
    expect(app.core).toBeNull();
    const page = decodePage(electron.windows[0].loaded[0]);
    expect(page).toContain('The webhook port is already in use');
    expect(page).toContain('EADDRINUSE');
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('escapes whatever the error says', () => {
    const problem = describeStartupError(new Error('<img src=x onerror=alert(1)>'), {
      dataDir: '/d',
      logDir: '/d/logs',
    });
    const page = decodePage(startupErrorPage(problem, { dataDir: '/d"><script>', logDir: '/d/logs' }));
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('desktop lifecycle', () => {
  it('a good start: core running, renderer loaded, every contract method answering the window only', async () => {
    const userData = temp();
    const electron = fakeElectron(userData, { version: '1.2.3' });
    const app = (await start(electron)) as DesktopApp;
    expect(app.startupError).toBeNull();
    expect(app.core).not.toBeNull();
    const [window] = electron.windows;
    expect(window.loaded).toEqual(['file:/opt/cc/out/renderer/index.html']);
    expect(window.options.webPreferences).toMatchObject({
      preload: '/opt/cc/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
    });
    expect(electron.ipcMain.handlers.size).toBe(METHOD_NAMES.length);

    const page = pathToFileURL('/opt/cc/out/renderer/index.html').href;
    const info = (await electron.ipcMain.invoke(
      `${IPC_PREFIX}app.info`,
      frameEvent(window.webContents, page),
      {},
    )) as InvokeResult;
    expect(info).toMatchObject({ ok: true, value: { host: 'electron', version: '1.2.3', dataDir: userData } });
    const forged = await electron.ipcMain.invoke(`${IPC_PREFIX}app.info`, frameEvent({ id: -1 }, page), {});
    expect(forged).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    expect(app.core?.platform.cipher.kind).toBe('os-keychain');
    app.core?.platform.notifier.notify('Campaign finished', '20 calls');
    expect(electron.notificationsShown).toEqual([{ title: 'Campaign finished', body: '20 calls' }]);

    await app.shutdown();
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('a second instance quits at once and the first one comes to the front', async () => {
    const electron = fakeElectron(temp(), { lock: false });
    expect(await start(electron)).toBeNull();
    expect(electron.app.quitCalls).toBe(1);
    expect(electron.windows).toHaveLength(0);
  });

  it('hardens the session before any page loads', async () => {
    const electron = fakeElectron(temp());
    await start(electron);
    expect(electron.app.sandboxed).toBe(true);
    expect(electron.session.headersListener).not.toBeNull();
    let granted: boolean | undefined;
    electron.session.permissionRequest?.({}, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(electron.windows[0].webContents.windowOpenHandler?.({ url: 'https://x.example' })).toEqual({
      action: 'deny',
    });
  });

  it('menu: Ctrl/Cmd+1..5 send app.navigate events to the window; About shows the version', async () => {
    const electron = fakeElectron(temp(), { version: '1.2.3' });
    await start(electron);
    const menu = electron.menus[0];
    const views = ['Contacts', 'Campaigns', 'Live', 'Transcripts', 'Settings'].map((label) => findItem(menu, label));
    expect(views.map((v) => v?.accelerator)).toEqual([
      'CmdOrCtrl+1',
      'CmdOrCtrl+2',
      'CmdOrCtrl+3',
      'CmdOrCtrl+4',
      'CmdOrCtrl+5',
    ]);
    views[2]?.click?.();
    const sent = electron.windows[0].webContents.sent;
    expect(sent).toHaveLength(1);
    expect(sent[0].channel).toBe(IPC_EVENTS_CHANNEL);
    const [event] = sent[0].args[0] as AnyEvent[];
    expect(event).toEqual({ type: 'app.navigate', payload: { view: 'live' } });
    expect(events['app.navigate'].safeParse(event.payload).success).toBe(true);

    findItem(menu, 'About Call Console')?.click?.();
    expect(electron.messageBoxes[0].message).toBe('Call Console 1.2.3');
    expect(electron.messageBoxes[0].detail).toContain('Electron 45.5.0');
  });

  it('macOS menu keeps the app menu roles and About under the app name', () => {
    const actions = { navigate: () => undefined, about: () => undefined, openLogs: () => undefined };
    const mac = buildMenuTemplate({ appName: 'Call Console', platform: 'darwin', dev: false, actions });
    expect(mac[0].label).toBe('Call Console');
    expect(mac[0].submenu?.[0].label).toBe('About Call Console');
    expect(findItem(mac, '&Edit')?.submenu?.map((i) => i.role)).toContain('paste');
    const prodView = findItem(buildMenuTemplate({ appName: 'X', platform: 'win32', dev: false, actions }), '&View');
    expect(prodView?.submenu?.some((i) => i.role === 'toggleDevTools')).toBe(false);
  });

  it('before-quit waits for the core to close, then quits', async () => {
    const electron = fakeElectron(temp());
    await start(electron);
    const event = new FakeEvent();
    electron.app.emit('before-quit', event);
    expect(event.prevented).toBe(true);
    await waitUntil(() => electron.app.quitCalls > 0, { what: 'the app to quit once the core has closed' });
    expect(electron.app.quitCalls).toBe(1);
    const again = new FakeEvent();
    electron.app.emit('before-quit', again);
    expect(again.prevented).toBe(false);
  });
});
