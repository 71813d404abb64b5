import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WEB_HOST_STATE_FILE } from '../../src/main/web';
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

describe('web host token', () => {
  it('keeps the printed URL valid across restarts of the same data folder, in an owner-only file', async () => {
    const data = tempDir('web-token-');
    stops.push(data.cleanup);
    const first = await startHostProcess(data.dir, [], { rememberPort: true });
    const page = await connect(new URL(first.url));
    const closed = new Promise<void>((resolve) => page.once('close', () => resolve()));
    await first.stop();
    await closed;

    const second = await startHostProcess(data.dir, [], { rememberPort: true });
    stops.push(() => second.stop());
    expect(second.url).toBe(first.url);
    expect(statSync(join(data.dir, WEB_HOST_STATE_FILE)).mode & 0o777).toBe(0o600);
    const again = await connect(new URL(first.url));
    stops.push(() => again.close());
    expect(await call(again, 'app.info', {})).toMatchObject({ ok: true });
    expect((await fetch(first.url)).status).toBe(200);

    // Another folder is another console: its own token.
    const other = tempDir('web-token-other-');
    stops.push(other.cleanup);
    const elsewhere = await startHostProcess(other.dir);
    stops.push(() => elsewhere.stop());
    expect(new URL(elsewhere.url).searchParams.get('token')).not.toBe(new URL(first.url).searchParams.get('token'));
  });
});
