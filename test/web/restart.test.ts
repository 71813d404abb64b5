import { afterEach, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../ui/web-host-process';
import { tempDir } from '../support/core';
import { openPageSocket as connect, pageCall as call } from './page-socket';

// A wipe (or restore) is staged by the core and finished by the host restarting it: the web host builds a new core
// in-process, on the same port and token, so the open page only has to reconnect.

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('web host restart', () => {
  it('finishes a wipe by restarting the core on the same URL', async () => {
    const data = tempDir('web-restart-');
    stops.push(data.cleanup);
    const host: HostProcess = await startHostProcess(data.dir, ['--demo']);
    stops.push(() => host.stop());
    const url = new URL(host.url);

    const before = await connect(url);
    const lists = await call(before, 'lists.list', {});
    expect(lists.ok).toBe(true);
    expect((lists.value as unknown[]).length).toBe(1);

    const wiped = await call(before, 'maintenance.wipe', { confirm: 'WIPE' });
    expect(wiped).toMatchObject({ ok: true, value: { restartRequired: true } });
    await new Promise<void>((resolve) => before.once('close', () => resolve()));

    const after = await connect(url);
    stops.push(() => after.close());
    const emptied = await call(after, 'lists.list', {});
    expect(emptied).toEqual({ ok: true, value: [] });
    expect(host.output()).toMatch(/Restarted\. Open: http:\/\/127\.0\.0\.1/);
  });
});
