// Electron main entry: the only file that imports `electron`. It hands the pieces to runDesktop (typed, testable
// with fakes) and keeps nothing else here.
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, safeStorage, screen, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { runDesktop } from './electron/desktop';
import { resolveNativeBinding } from './electron/native-binding';

const built = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const versions = { electron: process.versions.electron, chrome: process.versions.chrome, node: process.versions.node };

runDesktop({
  electron: {
    app,
    session: { webRequest: { onHeadersReceived: (l) => session.defaultSession.webRequest.onHeadersReceived(l) },
      setPermissionRequestHandler: (h) => session.defaultSession.setPermissionRequestHandler(h),
      setPermissionCheckHandler: (h) => session.defaultSession.setPermissionCheckHandler(h) },
    ipcMain,
    safeStorage,
    notifications: { isSupported: () => Notification.isSupported(), create: (o) => new Notification(o) },
    createWindow: (options) => new BrowserWindow(options),
    setApplicationMenu: (template) => Menu.setApplicationMenu(Menu.buildFromTemplate(template)),
    showMessageBox: (window, options) => (window ? dialog.showMessageBox(window as BrowserWindow, options) : dialog.showMessageBox(options)),
    openExternal: (url) => shell.openExternal(url),
    openPath: (path) => shell.openPath(path),
    displayWorkAreas: () => screen.getAllDisplays().map((d) => d.workArea),
    versions, platform: process.platform, arch: process.arch, env: process.env,
  },
  preload: built('../preload/index.cjs'),
  rendererFile: built('../renderer/index.html'),
  nativeBinding: resolveNativeBinding({ isPackaged: app.isPackaged, appPath: app.getAppPath(),
    electronVersion: versions.electron ?? '', platform: process.platform, arch: process.arch }),
}).catch((err: unknown) => {
  dialog.showErrorBox('Call Console could not start', err instanceof Error ? (err.stack ?? err.message) : String(err));
  app.exit(1);
});
