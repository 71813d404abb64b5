import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IPC_EVENTS_CHANNEL, METHOD_NAMES, type AnyEvent } from '@shared/contract';
import type { AppView } from '@shared/contract/app';
import { bindIpc, forwardEvents } from '../bindings/ipc';
import { createCore, type Core } from '../create-core';
import { createFileCipher, createFileLogger } from '../core/node-platform';
import { systemClock, type Logger } from '../core/platform';
import { createSafeStorageCipher } from './cipher';
import { aboutText, buildMenuTemplate } from './menu';
import type { NativeBinding } from './native-binding';
import { createOsNotifier } from './notifier';
import {
  contentSecurityPolicy,
  guardNavigation,
  hardenSession,
  isRendererUrl,
  type RendererLocation,
} from './security';
import { describeStartupError, NativeBindingMissingError, startupErrorPage } from './startup-error';
import type { ElectronDeps, WindowLike } from './types';
import { createMainWindow } from './window';
import { windowStateFile } from './window-state';

export interface DesktopOptions {
  electron: ElectronDeps;
  /** Built files, next to out/main: ../preload/index.cjs and ../renderer/index.html. */
  preload: string;
  rendererFile: string;
  icon?: string;
  nativeBinding: NativeBinding;
}

export interface DesktopApp {
  readonly core: Core | null;
  readonly startupError: unknown;
  mainWindow(): WindowLike | null;
  /** Unbinds IPC, stops event forwarding and closes the core (before-quit runs this once). */
  shutdown(): Promise<void>;
}

const noLog: Logger = { log: () => undefined };

/**
 * The desktop app around the core: single instance, hardened session and window, menu, IPC, OS notifications,
 * and a readable page instead of a blank window when startup fails. Resolves once the window shows something,
 * or with null when another instance already runs.
 */
export async function runDesktop(options: DesktopOptions): Promise<DesktopApp | null> {
  const { electron } = options;
  const { app } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  app.enableSandbox();
  await app.whenReady();

  const userData = app.getPath('userData');
  const logDir = join(userData, 'logs');
  const appName = 'Call Console';
  const version = app.getVersion();
  const dev = !app.isPackaged;
  const devUrl = dev ? electron.env.ELECTRON_RENDERER_URL : undefined;
  const location: RendererLocation = devUrl
    ? { kind: 'dev', url: devUrl }
    : { kind: 'file', file: options.rendererFile };

  let startupError: unknown = null;
  let logger: Logger = noLog;
  try {
    logger = createFileLogger({ dir: logDir });
  } catch (err) {
    startupError = err; // an unreadable data folder: the page below explains it
  }
  hardenSession(electron.session, contentSecurityPolicy(location), logger);

  let window: WindowLike | null = null;
  let core: Core | null = null;
  const liveWindow = () => (window && !window.isDestroyed() ? window : null);
  const focusWindow = () => {
    const w = liveWindow();
    if (!w) return;
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
  };
  const sendToRenderer = (events: AnyEvent[]) => liveWindow()?.webContents.send(IPC_EVENTS_CHANNEL, events);

  electron.setApplicationMenu(
    buildMenuTemplate({
      appName,
      platform: electron.platform,
      dev,
      actions: {
        navigate: (view: AppView) => sendToRenderer([{ type: 'app.navigate', payload: { view } }]),
        about: () => {
          const text = aboutText({ appName, version, versions: electron.versions, dataDir: userData });
          void electron.showMessageBox(liveWindow(), {
            type: 'info',
            title: `About ${appName}`,
            ...text,
            buttons: ['OK'],
          });
        },
        openLogs: () => void electron.openPath(logDir),
      },
    }),
  );

  if (!startupError) {
    try {
      if (options.nativeBinding.kind === 'file' && !existsSync(options.nativeBinding.path)) {
        throw new NativeBindingMissingError(options.nativeBinding.path);
      }
      const coreLogger = logger;
      core = createCore({
        dataDir: userData,
        host: 'electron',
        version,
        nativeBinding: options.nativeBinding.kind === 'file' ? options.nativeBinding.path : undefined,
        // A staged restore or wipe finishes in a fresh instance; before-quit closes this core first.
        requestRestart: () => {
          app.relaunch();
          app.quit();
        },
        platform: {
          clock: systemClock,
          logger: coreLogger,
          cipher: createSafeStorageCipher(electron.safeStorage, {
            logger: coreLogger,
            platform: electron.platform,
            fallback: () => createFileCipher(userData),
          }),
          notifier: createOsNotifier(electron.notifications, { logger: coreLogger, onClick: focusWindow }),
        },
      });
      await core.start();
    } catch (err) {
      startupError = err;
      logger.log('error', 'startup', 'The console could not start', {
        error: err instanceof Error ? err.stack : String(err),
      });
      await core?.close().catch(() => undefined);
      core = null;
    }
  }

  const stops: (() => void)[] = [];
  if (core) {
    const running = core;
    stops.push(
      bindIpc({
        ipcMain: electron.ipcMain,
        api: running.api,
        logger,
        trustedWebContentsId: () => liveWindow()?.webContents.id ?? null,
        isRendererUrl: (url) => isRendererUrl(location, url),
      }),
      forwardEvents(running.bus, systemClock, () => liveWindow()?.webContents ?? null),
    );
  }

  const openWindow = async (): Promise<void> => {
    window = createMainWindow({
      createWindow: electron.createWindow,
      preload: options.preload,
      methodNames: METHOD_NAMES,
      stateFile: windowStateFile(userData),
      workAreas: electron.displayWorkAreas(),
      logger,
      icon: options.icon,
      dark: electron.prefersDark(),
    });
    guardNavigation(window.webContents, { location, openExternal: electron.openExternal, logger });
    if (startupError) {
      const context = { dataDir: userData, logDir };
      await window.loadURL(startupErrorPage(describeStartupError(startupError, context), context));
    } else if (location.kind === 'dev') {
      await window.loadURL(location.url);
    } else {
      await window.loadFile(location.file);
    }
  };

  let closed = false;
  const shutdown = async () => {
    if (closed) return;
    closed = true;
    for (const stop of stops.splice(0)) stop();
    await core
      ?.close()
      .catch((err: unknown) => logger.log('error', 'shutdown', 'Closing the core failed', { error: String(err) }));
  };

  app.on('second-instance', focusWindow);
  app.on('window-all-closed', () => {
    // macOS apps stay in the dock with their work running; elsewhere closing the window quits.
    if (electron.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!liveWindow()) void openWindow();
  });
  app.on('before-quit', (event) => {
    if (closed) return;
    // Let in-flight database writes finish before the process goes away.
    event.preventDefault();
    void shutdown().finally(() => app.quit());
  });

  await openWindow();
  return {
    get core() {
      return core;
    },
    startupError,
    mainWindow: liveWindow,
    shutdown,
  };
}
