import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../src/main/create-core';
import { createFileCipher, createFileLogger } from '../../src/main/core/node-platform';
import { systemClock, type Logger } from '../../src/main/core/platform';
import { createSafeStorageCipher } from '../../src/main/electron/cipher';
import { createOsNotifier } from '../../src/main/electron/notifier';
import { createMainWindow } from '../../src/main/electron/window';
import { loadWindowState, saveWindowState, windowStateFile } from '../../src/main/electron/window-state';
import { tempDir } from '../support/core';
import { FakeSafeStorage, FakeWindow } from './fake-electron';

const dirs: (() => void)[] = [];
const temp = () => {
  const t = tempDir('electron-test-');
  dirs.push(t.cleanup);
  return t.dir;
};
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

const warnLog = () => {
  const warnings: string[] = [];
  const logger: Logger = { log: (level, _s, message) => void (level === 'warn' && warnings.push(message)) };
  return { logger, warnings };
};

describe('safeStorage cipher', () => {
  it('round-trips secrets through the OS keychain and stores no plaintext in the database', async () => {
    const dir = temp();
    const { logger, warnings } = warnLog();
    const cipher = createSafeStorageCipher(new FakeSafeStorage(), {
      logger,
      platform: 'linux',
      fallback: () => createFileCipher(dir),
    });
    expect(cipher.kind).toBe('os-keychain');
    const secret = 'sk_live_4f9a8b7c6d5e-ünïcode-🔑';
    expect(cipher.decrypt(cipher.encrypt(secret))).toBe(secret);
    expect(warnings).toEqual([]);

    const core = createCore({
      dataDir: dir,
      host: 'electron',
      platform: { clock: systemClock, logger, cipher, notifier: { notify: () => undefined } },
    });
    core.secrets.set('bolna.apiKey', secret);
    expect(core.secrets.get('bolna.apiKey')).toBe(secret);
    await core.close();
    for (const name of readdirSync(dir).filter((f) => f.startsWith('console.db'))) {
      expect(readFileSync(join(dir, name)).includes(Buffer.from('sk_live_4f9a8b7c6d5e')), name).toBe(false);
    }
  });

  it('falls back to the key-file cipher, with a warning, when there is no usable keychain', () => {
    const dir = temp();
    for (const storage of [new FakeSafeStorage(false), new FakeSafeStorage(true, 'basic_text')]) {
      const { logger, warnings } = warnLog();
      const cipher = createSafeStorageCipher(storage, {
        logger,
        platform: 'linux',
        fallback: () => createFileCipher(dir),
      });
      expect(cipher.kind).toBe('file-key');
      expect(cipher.decrypt(cipher.encrypt('token-123'))).toBe('token-123');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/keychain is not available.*key file/);
    }
  });

  it('ignores the Linux backend name on other platforms', () => {
    const { logger } = warnLog();
    const cipher = createSafeStorageCipher(new FakeSafeStorage(true, 'basic_text'), {
      logger,
      platform: 'darwin',
      fallback: () => {
        throw new Error('must not fall back');
      },
    });
    expect(cipher.kind).toBe('os-keychain');
  });
});

describe('OS notifier', () => {
  it('shows a notification and logs it; only logs where notifications are unsupported', () => {
    const shown: { title: string; body: string }[] = [];
    const clicks: (() => void)[] = [];
    let focused = 0;
    const dir = temp();
    const logger = createFileLogger({ dir });
    const factory = (supported: boolean) => ({
      isSupported: () => supported,
      create: (o: { title: string; body: string }) => ({
        show: () => void shown.push(o),
        on: (_e: 'click', l: () => void) => void clicks.push(l),
      }),
    });
    createOsNotifier(factory(true), { logger, onClick: () => focused++ }).notify(
      'Transfer',
      'Asha is waiting on line 2',
    );
    createOsNotifier(factory(false), { logger, onClick: () => focused++ }).notify(
      'Campaign finished',
      'May renewals: 20 calls',
    );
    expect(shown).toEqual([{ title: 'Transfer', body: 'Asha is waiting on line 2' }]);
    clicks[0]();
    expect(focused).toBe(1);
    const log = readFileSync(join(dir, 'console.log'), 'utf8');
    expect(log).toContain('Campaign finished: May renewals: 20 calls');
  });
});

describe('window state', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('remembers bounds and maximized state across runs', () => {
    const file = windowStateFile(temp());
    const options = {
      preload: '/p.cjs',
      methodNames: [],
      stateFile: file,
      workAreas: screen,
      logger: warnLog().logger,
      dark: true,
    };
    const windows: FakeWindow[] = [];
    const create = () =>
      createMainWindow({
        ...options,
        createWindow: (o) => {
          const w = new FakeWindow(o);
          windows.push(w);
          return w;
        },
      });

    const first = create() as FakeWindow;
    expect(first.options).toMatchObject({ width: 1280, height: 820 });
    expect(first.options.x).toBeUndefined();
    first.bounds = { x: 200, y: 120, width: 1400, height: 900 };
    first.maximized = true;
    first.emit('close');

    const second = create() as FakeWindow;
    expect(second.options).toMatchObject({ x: 200, y: 120, width: 1400, height: 900 });
    expect(second.maximized).toBe(false);
    second.emit('ready-to-show');
    expect(second.maximized).toBe(true);
    expect(second.shown).toBe(true);
  });

  it('forgets a position that is now off every screen, and an invalid file', () => {
    const file = windowStateFile(temp());
    saveWindowState(file, { x: 3000, y: 100, width: 1200, height: 800 }, false);
    expect(loadWindowState(file, screen)).toBeNull();
    expect(loadWindowState(file, [...screen, { x: 1920, y: 0, width: 2560, height: 1440 }])).toMatchObject({ x: 3000 });
    writeFileSync(file, '{"x": "left"');
    const { logger, warnings } = warnLog();
    expect(loadWindowState(file, screen, logger)).toBeNull();
    expect(warnings).toHaveLength(1);
    writeFileSync(file, JSON.stringify({ x: 0, y: 0, width: 10, height: 10, maximized: false }));
    expect(loadWindowState(file, screen)).toBeNull();
  });
});
