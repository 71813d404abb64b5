// The few members of Electron's main-process API that the desktop shell uses, as plain interfaces. Only the
// bootstrap (src/main/index.ts) imports `electron`; it passes the real objects in, so tsc checks that they fit
// these shapes, and tests pass small fakes.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PreventableEvent {
  preventDefault(): void;
}

export interface WebFrameLike {
  readonly url: string;
  /** null for the top frame; an iframe's sender is never trusted. */
  readonly parent: unknown;
}

export interface WebContentsLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface WebPreferencesOptions {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  navigateOnDragDrop: boolean;
  spellcheck: boolean;
  additionalArguments: string[];
}

export interface WindowOptions {
  title: string;
  x?: number;
  y?: number;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  backgroundColor: string;
  icon?: string;
  autoHideMenuBar: boolean;
  webPreferences: WebPreferencesOptions;
}

export interface WindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  loadFile(file: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  isMinimized(): boolean;
  isMaximized(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Rect;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'close' | 'closed', listener: () => void): unknown;
}

export interface SessionLike {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void,
      ) => void,
    ): void;
  };
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

export interface IpcInvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: WebFrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only; 'basic_text' means no keyring was found and the key is a constant. */
  getSelectedStorageBackend?(): string;
}

export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}
export interface NotificationFactory {
  isSupported(): boolean;
  create(options: { title: string; body: string }): NotificationLike;
}

export type MenuRole =
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'selectAll'
  | 'quit'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'reload'
  | 'toggleDevTools'
  | 'minimize'
  | 'zoom'
  | 'close';

/** A menu entry in Electron's template format (the subset we build). */
export interface MenuItemTemplate {
  label?: string;
  role?: MenuRole;
  type?: 'separator' | 'submenu' | 'normal';
  accelerator?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemTemplate[];
}

export interface AppLike {
  readonly isPackaged: boolean;
  getPath(name: 'userData'): string;
  getAppPath(): string;
  getVersion(): string;
  getName(): string;
  requestSingleInstanceLock(): boolean;
  /** Sandboxes every renderer, whatever its options say; must run before 'ready'. */
  enableSandbox(): void;
  whenReady(): Promise<unknown>;
  quit(): void;
  /** Starts a new instance once this one has quit. */
  relaunch(): void;
  exit(code?: number): void;
  on(event: 'second-instance' | 'window-all-closed' | 'activate', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
}

export interface MessageBoxOptions {
  type: 'info' | 'error';
  title: string;
  message: string;
  detail?: string;
  buttons?: string[];
}

/** Everything the desktop shell needs from Electron, passed in once by the bootstrap. */
export interface ElectronDeps {
  app: AppLike;
  session: SessionLike;
  ipcMain: IpcMainLike;
  safeStorage: SafeStorageLike;
  notifications: NotificationFactory;
  createWindow(options: WindowOptions): WindowLike;
  setApplicationMenu(template: MenuItemTemplate[]): void;
  showMessageBox(window: WindowLike | null, options: MessageBoxOptions): Promise<unknown>;
  openExternal(url: string): Promise<void>;
  openPath(path: string): Promise<string>;
  /** Work areas of the connected displays, to keep a remembered window on screen. */
  displayWorkAreas(): Rect[];
  /** The OS is in dark mode (the window background matches it until the page paints). */
  prefersDark(): boolean;
  versions: { electron?: string; chrome?: string; node?: string };
  platform: NodeJS.Platform;
  arch: string;
  env: NodeJS.ProcessEnv;
}
