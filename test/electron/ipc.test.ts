import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bindIpc, forwardEvents } from '../../src/main/bindings/ipc';
import { isRendererUrl, secureWebPreferences, type RendererLocation } from '../../src/main/electron/security';
import { createConsoleBridge, methodNamesFromArgv, type IpcRendererLike } from '../../src/preload/bridge';
import {
  events,
  IPC_EVENTS_CHANNEL,
  IPC_PREFIX,
  METHOD_NAMES,
  type AnyEvent,
  type InvokeResult,
} from '../../src/shared/contract';
import type { Logger } from '../../src/main/core/platform';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { FakeIpcMain, FakeWebContents, frameEvent } from './fake-electron';

const location: RendererLocation = { kind: 'file', file: '/opt/cc/out/renderer/index.html' };
const pageUrl = pathToFileURL(location.file).href;

describe('IPC binding', () => {
  let core: ReturnType<typeof createTestCore>;
  let ipcMain: FakeIpcMain;
  let window: FakeWebContents;
  let warnings: string[];
  let unbind: () => void;

  beforeEach(() => {
    core = createTestCore();
    ipcMain = new FakeIpcMain();
    window = new FakeWebContents();
    warnings = [];
    const logger: Logger = { log: (level, _s, message) => void (level === 'warn' && warnings.push(message)) };
    unbind = bindIpc({
      ipcMain,
      api: core.api,
      logger,
      trustedWebContentsId: () => window.id,
      isRendererUrl: (url) => isRendererUrl(location, url),
    });
  });
  afterEach(async () => {
    unbind();
    await core.cleanup();
  });

  it('registers one handler per contract method and nothing else', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(METHOD_NAMES.map((n) => IPC_PREFIX + n).sort());
    expect(METHOD_NAMES.length).toBeGreaterThan(0);
    unbind();
    expect(ipcMain.handlers.size).toBe(0);
    unbind = () => undefined;
  });

  it('answers a valid call from the window with the core data', async () => {
    const result = (await ipcMain.invoke(
      `${IPC_PREFIX}app.info`,
      frameEvent(window, `${pageUrl}#/live`),
      {},
    )) as InvokeResult;
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ host: 'cli', dataDir: core.dataDir });
  });

  it('refuses forged senders before touching the core', async () => {
    const other = new FakeWebContents();
    const forged = [
      frameEvent(other, pageUrl), // another window or a hidden webContents
      frameEvent(window, 'https://evil.example/'), // our window, navigated elsewhere
      frameEvent(window, pathToFileURL('/tmp/downloaded.html').href), // a local file that is not our page
      frameEvent(window, pageUrl, { url: pageUrl }), // an iframe inside our page
      { sender: window, senderFrame: null }, // a frame that is gone
    ];
    for (const event of forged) {
      const result = (await ipcMain.invoke(`${IPC_PREFIX}app.info`, event, {})) as InvokeResult;
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(warnings).toHaveLength(forged.length);
  });

  it('refuses malformed input with invalid_input naming the field', async () => {
    const result = (await ipcMain.invoke(
      `${IPC_PREFIX}app.info`,
      frameEvent(window, pageUrl),
      'not an object',
    )) as InvokeResult;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.message).toMatch(/^app\.info: /);
    expect(result.error.issues).toEqual([{ path: '', message: expect.any(String) }]);
  });

  it('forwards core events to the window in batches on the events channel', () => {
    const clock = new ManualClock(0);
    const stop = forwardEvents(core.bus, clock, () => window);
    core.bus.publish('notice', { level: 'info', message: 'one', at: 1 });
    core.bus.publish('notice', { level: 'warning', message: 'two', at: 2 });
    expect(window.sent).toHaveLength(0);
    clock.advance(100);
    expect(window.sent).toHaveLength(1);
    expect(window.sent[0].channel).toBe(IPC_EVENTS_CHANNEL);
    expect((window.sent[0].args[0] as AnyEvent[]).map((e) => e.payload)).toMatchObject([
      { message: 'one' },
      { message: 'two' },
    ]);
    window.destroyed = true;
    core.bus.publish('notice', { level: 'info', message: 'after close', at: 3 });
    stop();
    expect(window.sent).toHaveLength(1);
  });
});

describe('preload bridge', () => {
  class FakeIpcRenderer implements IpcRendererLike {
    readonly invoked: { channel: string; args: unknown[] }[] = [];
    readonly listeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      this.invoked.push({ channel, args });
      return { ok: true, value: 'answer' };
    }
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void {
      this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    }
    removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void {
      this.listeners.set(
        channel,
        (this.listeners.get(channel) ?? []).filter((l) => l !== listener),
      );
    }
    emit(channel: string, ...args: unknown[]): void {
      for (const l of this.listeners.get(channel) ?? []) l({ sender: 'ipc internals' }, ...args);
    }
  }

  const bridge = () => {
    const ipc = new FakeIpcRenderer();
    const argv = ['/electron', '--type=renderer', ...secureWebPreferences('/p.cjs', METHOD_NAMES).additionalArguments];
    return { ipc, api: createConsoleBridge(ipc, methodNamesFromArgv(argv)) };
  };

  it('reads exactly the contract methods from the argument main passes', () => {
    const argv = secureWebPreferences('/p.cjs', METHOD_NAMES).additionalArguments;
    expect([...methodNamesFromArgv(argv)].sort()).toEqual([...METHOD_NAMES].sort());
    expect(methodNamesFromArgv(['--other']).size).toBe(0);
  });

  it('sends contract methods on their channel and refuses anything else without any IPC', async () => {
    const { ipc, api } = bridge();
    await expect(api.invoke('app.info', {})).resolves.toEqual({ ok: true, value: 'answer' });
    expect(ipc.invoked).toEqual([{ channel: `${IPC_PREFIX}app.info`, args: [{}] }]);
    for (const name of ['constructor', '__proto__', 'app.info ', '../app.info', 'api-events', 'toString']) {
      await expect(api.invoke(name, {})).resolves.toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
    await expect(api.invoke(42 as unknown as string, {})).resolves.toMatchObject({ ok: false });
    expect(ipc.invoked).toHaveLength(1);
  });

  it('delivers event batches without the IPC event object, until unsubscribed', () => {
    const { ipc, api } = bridge();
    const received: unknown[][] = [];
    const off = api.onEvents((batch) => received.push([...batch]));
    const batch = [{ type: 'app.navigate', payload: { view: 'live' } }];
    expect(events['app.navigate'].safeParse(batch[0].payload).success).toBe(true);
    ipc.emit(IPC_EVENTS_CHANNEL, batch);
    ipc.emit(IPC_EVENTS_CHANNEL, 'not a batch');
    off();
    ipc.emit(IPC_EVENTS_CHANNEL, batch);
    expect(received).toEqual([batch]);
  });
});
