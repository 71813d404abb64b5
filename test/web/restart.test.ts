import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHostProcess, type HostProcess } from '../ui/web-host-process';
import { tempDir } from '../support/core';
import { waitUntil } from '../support/wait';

// A wipe (or restore) is staged by the core and finished by the host restarting it: the web host builds a new core
// in-process, on the same port and token, so the open page only has to reconnect.

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** Opens the page's WebSocket, trying again while the host restarts its core. */
function connect(url: URL): Promise<WebSocket> {
  const attempt = () =>
    new Promise<WebSocket | null>((resolve) => {
      const ws = new WebSocket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, { origin: url.origin });
      ws.once('open', () => resolve(ws));
      ws.once('error', () => resolve(null));
    });
  return waitUntil(attempt, { timeoutMs: 20_000, intervalMs: 200, what: 'the web host to accept the WebSocket again' });
}

let nextId = 1;
function call(
  ws: WebSocket,
  method: string,
  input: unknown,
): Promise<{ ok: boolean; value?: unknown; error?: { message: string } }> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: unknown) => {
      const message = JSON.parse(String(data)) as {
        id?: number;
        result?: { ok: boolean; value?: unknown; error?: { message: string } };
      };
      if (message.id !== id || !message.result) return;
      ws.off('message', onMessage);
      resolve(message.result);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, input }));
  });
}

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
