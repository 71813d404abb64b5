// Electron main entry: the only file in main that imports `electron`. It hands the pieces to runDesktop (typed,
// tested with fakes) and holds no logic of its own.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  Notification,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDesktop } from './electron/desktop';
import { resolveNativeBinding } from './electron/native-binding';

const built = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const { electron = '', chrome, node } = process.versions;
const web = () => session.defaultSession;

runDesktop({
  electron: {
    app,
    session: {
      webRequest: { onHeadersReceived: (listener) => web().webRequest.onHeadersReceived(listener) },
      setPermissionRequestHandler: (handler) => web().setPermissionRequestHandler(handler),
      setPermissionCheckHandler: (handler) => web().setPermissionCheckHandler(handler),
    },
    ipcMain,
    safeStorage,
    notifications: { isSupported: () => Notification.isSupported(), create: (options) => new Notification(options) },
    createWindow: (options) => new BrowserWindow(options),
    setApplicationMenu: (template) => Menu.setApplicationMenu(Menu.buildFromTemplate(template)),
    showMessageBox: (window, options) =>
      window ? dialog.showMessageBox(window as BrowserWindow, options) : dialog.showMessageBox(options),
    openExternal: (url) => shell.openExternal(url),
    openPath: (path) => shell.openPath(path),
    displayWorkAreas: () => screen.getAllDisplays().map((display) => display.workArea),
    prefersDark: () => nativeTheme.shouldUseDarkColors,
    versions: { electron, chrome, node },
    platform: process.platform,
    arch: process.arch,
    env: process.env,
  },
  preload: built('../preload/index.cjs'),
  rendererFile: built('../renderer/index.html'),
  icon: join(app.getAppPath(), 'resources/icon.png'),
  nativeBinding: resolveNativeBinding({
    isPackaged: app.isPackaged,
    appPath: app.getAppPath(),
    electronVersion: electron,
    platform: process.platform,
    arch: process.arch,
  }),
}).catch((err: unknown) => {
  dialog.showErrorBox('Call Console could not start', err instanceof Error ? (err.stack ?? err.message) : String(err));
  app.exit(1);
});
