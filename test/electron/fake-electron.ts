import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type {
  AppLike,
  ElectronDeps,
  IpcInvokeEventLike,
  IpcMainLike,
  MenuItemTemplate,
  MessageBoxOptions,
  NotificationFactory,
  PreventableEvent,
  Rect,
  SafeStorageLike,
  SessionLike,
  WebContentsLike,
  WindowLike,
  WindowOptions,
} from '../../src/main/electron/types';

// Recording fakes of the Electron pieces the shell uses (Electron itself cannot start on the build machines).

export class FakeEvent implements PreventableEvent {
  prevented = false;
  preventDefault(): void {
    this.prevented = true;
  }
}

type Listener = (...args: never[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  }
}

let nextId = 1;

export class FakeWebContents extends Emitter implements WebContentsLike {
  readonly id = nextId++;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  destroyed = false;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  /** What the renderer trying to navigate to `url` would cause. */
  navigate(url: string): FakeEvent {
    const event = new FakeEvent();
    this.emit('will-navigate', event, url);
    return event;
  }
}

export class FakeWindow extends Emitter implements WindowLike {
  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  bounds: Rect;
  maximized = false;
  shown = false;
  destroyed = false;
  constructor(readonly options: WindowOptions) {
    super();
    this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width, height: options.height };
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  async loadFile(file: string): Promise<void> {
    this.loaded.push(`file:${file}`);
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {}
  restore(): void {}
  maximize(): void {
    this.maximized = true;
  }
  isMinimized(): boolean {
    return false;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds(): Rect {
    return this.bounds;
  }
}

export class FakeSession implements SessionLike {
  headersListener: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0] | null = null;
  permissionRequest: Parameters<SessionLike['setPermissionRequestHandler']>[0] | null = null;
  permissionCheck: Parameters<SessionLike['setPermissionCheckHandler']>[0] | null = null;
  webRequest = {
    onHeadersReceived: (listener: NonNullable<FakeSession['headersListener']>) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: NonNullable<FakeSession['permissionRequest']>): void {
    this.permissionRequest = handler;
  }
  setPermissionCheckHandler(handler: NonNullable<FakeSession['permissionCheck']>): void {
    this.permissionCheck = handler;
  }
  /** Runs a response through the session's header hook, as Chromium would. */
  respond(url: string, responseHeaders: Record<string, string[]>): Record<string, string | string[]> | undefined {
    let result: Record<string, string | string[]> | undefined;
    this.headersListener?.({ url, responseHeaders }, (r) => (result = r.responseHeaders));
    return result;
  }
}

type Handler = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke(channel, input) from a frame would return. */
  async invoke(channel: string, sender: IpcInvokeEventLike, input: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(sender, input);
  }
}

/** Encrypts for real (AES-GCM with a per-fake key), so a round trip proves the wrapper passes bytes intact. */
export class FakeSafeStorage implements SafeStorageLike {
  private readonly key = randomBytes(32);
  constructor(
    private readonly available = true,
    private readonly backend = 'gnome_libsecret',
  ) {}
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
  encryptString(plain: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }
  decryptString(blob: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, blob.subarray(0, 12));
    decipher.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
  }
}

export class FakeApp extends Emitter implements AppLike {
  quitCalls = 0;
  sandboxed = false;
  constructor(
    readonly userData: string,
    readonly options: { isPackaged?: boolean; lock?: boolean; version?: string } = {},
  ) {
    super();
  }
  get isPackaged(): boolean {
    return this.options.isPackaged ?? true;
  }
  getPath(): string {
    return this.userData;
  }
  getAppPath(): string {
    return '/nonexistent/app';
  }
  getVersion(): string {
    return this.options.version ?? '1.2.3';
  }
  getName(): string {
    return 'Call Console';
  }
  requestSingleInstanceLock(): boolean {
    return this.options.lock ?? true;
  }
  enableSandbox(): void {
    this.sandboxed = true;
  }
  async whenReady(): Promise<void> {}
  quit(): void {
    this.quitCalls++;
  }
  relaunchCalls = 0;
  relaunch(): void {
    this.relaunchCalls++;
  }
  exit(): void {}
}

export interface FakeElectron extends ElectronDeps {
  app: FakeApp;
  session: FakeSession;
  ipcMain: FakeIpcMain;
  windows: FakeWindow[];
  menus: MenuItemTemplate[][];
  messageBoxes: MessageBoxOptions[];
  notificationsShown: { title: string; body: string }[];
  opened: string[];
}

export function fakeElectron(userData: string, options: ConstructorParameters<typeof FakeApp>[1] = {}): FakeElectron {
  const windows: FakeWindow[] = [];
  const menus: MenuItemTemplate[][] = [];
  const messageBoxes: MessageBoxOptions[] = [];
  const notificationsShown: { title: string; body: string }[] = [];
  const opened: string[] = [];
  const notifications: NotificationFactory = {
    isSupported: () => true,
    create: (o) => ({ show: () => void notificationsShown.push(o), on: () => undefined }),
  };
  return {
    app: new FakeApp(userData, options),
    session: new FakeSession(),
    ipcMain: new FakeIpcMain(),
    safeStorage: new FakeSafeStorage(),
    notifications,
    createWindow: (o) => {
      const w = new FakeWindow(o);
      windows.push(w);
      return w;
    },
    setApplicationMenu: (t) => void menus.push(t),
    showMessageBox: async (_w, o) => void messageBoxes.push(o),
    openExternal: async (url) => void opened.push(url),
    openPath: async () => '',
    displayWorkAreas: () => [{ x: 0, y: 0, width: 1920, height: 1080 }],
    prefersDark: () => true,
    versions: { electron: '45.5.0', chrome: '142.0.0.0', node: '22.20.0' },
    platform: 'linux',
    arch: 'x64',
    env: {},
    windows,
    menus,
    messageBoxes,
    notificationsShown,
    opened,
  };
}

export function frameEvent(sender: { id: number }, url: string, parent: unknown = null): IpcInvokeEventLike {
  return { sender, senderFrame: { url, parent } };
}
