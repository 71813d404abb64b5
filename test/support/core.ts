import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../src/main/create-core';
import { nodePlatform } from '../../src/main/core/node-platform';
import type { Clock } from '../../src/main/core/platform';

export function tempDir(prefix = 'console-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real core on a fresh data folder (real SQLite file, real sockets); close() also deletes the folder. */
export function createTestCore(
  options: { clock?: Clock; dataDir?: string } & Pick<CoreOptions, 'dialer' | 'providers' | 'webhooks'> = {},
): Core & { cleanup(): Promise<void> } {
  const { dir, cleanup } = options.dataDir ? { dir: options.dataDir, cleanup: () => undefined } : tempDir();
  const core = createCore({
    dataDir: dir,
    platform: nodePlatform(dir, { clock: options.clock }),
    host: 'cli',
    dialer: options.dialer,
    providers: options.providers,
    webhooks: options.webhooks,
  });
  return Object.assign(core, {
    async cleanup() {
      await core.close().catch(() => undefined);
      cleanup();
    },
  });
}
