import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BolnaProvider } from '../../src/main/core/providers/bolna';
import type { Platform } from '../../src/main/core/platform';
import { TunnelService } from '../../src/main/core/tunnel/service';
import { fixture } from '../fakes/http-fake';
import { LocaltunnelServer, localtestLookup, viaTunnel } from '../fakes/localtunnel-server';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { freePort } from '../support/loopback';
import { waitUntil } from '../support/wait';

// The real localtunnel client (@n8n/localtunnel) against a stand-in tunnel server on loopback, delivering
// webhooks to the real webhook server of a real core.

const lookup = localtestLookup;

describe('tunnel through the real localtunnel client', () => {
  let server: LocaltunnelServer;
  let core: ReturnType<typeof createTestCore>;
  let tunnel: TunnelService;
  const urlChanges: (string | null)[] = [];

  beforeEach(async () => {
    server = new LocaltunnelServer();
    await server.start();
    core = createTestCore();
    await core.start();
    core.providers.use(new BolnaProvider({ apiKey: 'bn-unused' }));
    urlChanges.length = 0;
    tunnel = tunnelOn(core.platform);
  });
  function tunnelOn(platform: Platform): TunnelService {
    return new TunnelService({
      settings: core.settings,
      webhooks: core.webhooks,
      bus: core.bus,
      platform,
      lookup,
      openTimeoutMs: 1000,
      reconnectDelayMs: 50,
      onUrlChange: (url) => {
        urlChanges.push(url);
      },
    });
  }
  afterEach(async () => {
    await tunnel.stop();
    await core.cleanup();
    await server.close();
  });

  it('opens, delivers a provider webhook to the webhook server, self-tests the monitoring health route, and stops', async () => {
    const opened = await tunnel.configure({ mode: 'localtunnel', host: server.url });
    expect(opened).toMatchObject({
      mode: 'localtunnel',
      state: 'connected',
      connected: true,
      host: server.url,
      lastError: null,
    });
    expect(opened.publicUrl).toMatch(/^http:\/\/[0-9a-f]{10}\.localtest:\d+$/);
    expect(core.webhooks.publicUrl).toBe(opened.publicUrl);
    expect(core.webhooks.hookUrl('bolna').startsWith(`${opened.publicUrl}/hooks/bolna/`)).toBe(true);
    expect(urlChanges).toEqual([opened.publicUrl]);

    const hook = core.webhooks.hookUrl('bolna');
    const res = await viaTunnel(hook, {
      method: 'POST',
      body: JSON.stringify(fixture('bolna-completed.json')),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(server.forwarded.some((f) => f.method === 'POST' && f.path.startsWith('/hooks/bolna/'))).toBe(true);
    await waitUntil(
      () => (core.webhooks.health().inbox.unknown_call ?? 0) + (core.webhooks.health().inbox.processed ?? 0) === 1,
      { what: 'the delivery in the inbox' },
    );
    expect(tunnel.status().lastWebhookAt).not.toBeNull();

    const wrongSecret = await viaTunnel(`${opened.publicUrl}/hooks/bolna/not-the-secret`, {
      method: 'POST',
      body: '{}',
    });
    expect(wrongSecret.status).toBe(401);
    expect((await viaTunnel(`${opened.publicUrl}/anything-else`)).status).toBe(404);
    expect((await viaTunnel(`${opened.publicUrl}/health`)).status).toBe(404);
    expect((await viaTunnel(`${opened.publicUrl}/stats`)).status).toBe(404);
    expect((await viaTunnel(`${core.webhooks.hookUrl('monitor')}/stats`)).status).toBe(200);

    const test = await tunnel.selfTest();
    expect(test.ok).toBe(true);
    expect(test.url).toBe(opened.publicUrl);
    expect(test.roundTripMs).toEqual(expect.any(Number));

    const stopped = await tunnel.stop();
    expect(stopped).toMatchObject({ state: 'off', publicUrl: null, connected: false });
    expect(core.webhooks.publicUrl).toBeNull();
  });

  it('reopens a dropped tunnel and keeps its URL', async () => {
    core.settings.set('tunnel', { mode: 'localtunnel', host: server.url });
    const first = await tunnel.start();
    const id = new URL(first.publicUrl as string).hostname.split('.')[0];
    server.drop(id);
    await waitUntil(() => tunnel.status().reconnects > 0 && tunnel.status().state === 'connected', {
      what: 'the tunnel to reconnect',
    });
    expect(tunnel.status().publicUrl).toBe(first.publicUrl);
    expect(urlChanges).toEqual([first.publicUrl]); // same URL: providers are not told again
    const res = await viaTunnel(`${core.webhooks.hookUrl('monitor')}/health`);
    expect(res.status).toBe(200);
  });

  it('gives up a handshake that gets no answer, reports it, and retries with backoff until stopped', async () => {
    // The backoff runs on a manual clock, so a stopped tunnel can be shown to have nothing left scheduled.
    const clock = new ManualClock();
    tunnel = tunnelOn({ ...core.platform, clock });
    // Handshakes are counted by their requests (the HTTP client may open spare connections that never send one).
    let handshakes = 0;
    let abandoned = 0;
    const silent: Server = createServer((socket) => {
      let asked = false;
      socket.on('data', () => {
        if (!asked) handshakes++; // never answered
        asked = true;
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (asked) abandoned++;
      });
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      core.settings.set('tunnel', { mode: 'localtunnel', host: `http://127.0.0.1:${port}` });
      const status = await tunnel.start();
      expect(status.state).toBe('error');
      expect(status.lastError).toMatch(/no answer from http:\/\/127\.0\.0\.1:\d+ within 1 s/);
      expect(status.publicUrl).toBeNull();
      expect(clock.pending(), 'a reopen scheduled after the failed handshake').toBe(1);
      clock.advance(50);
      await waitUntil(() => handshakes >= 2, { what: 'a second handshake after the backoff' });
      await tunnel.stop();
      expect(tunnel.status().state).toBe('off');
      // The handshake in flight at the stop gives up on its own; then nothing may be left to open a tunnel again.
      await waitUntil(() => abandoned >= 2, { what: 'the abandoned handshake to give up' });
      expect(clock.pending(), 'stopped means no handshake loop left behind').toBe(0);
      expect(tunnel.status()).toMatchObject({ state: 'off', lastError: null, reconnects: 1 });
      expect(handshakes).toBe(2);
    } finally {
      silent.close();
    }
  });

  it('names an unreachable tunnel server', async () => {
    const port = await freePort(); // nobody listens there
    core.settings.set('tunnel', { mode: 'localtunnel', host: `http://127.0.0.1:${port}` });
    const status = await tunnel.start();
    expect(status.state).toBe('error');
    expect(status.lastError).toBe(`The tunnel could not open: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('uses the user’s own public URL, and the self-test tells when it does not lead here', async () => {
    const own = core.webhooks.localUrl as string;
    const status = await tunnel.configure({ mode: 'custom_url', publicUrl: own });
    expect(status).toMatchObject({ mode: 'custom_url', state: 'connected', publicUrl: own });
    expect(core.webhooks.hookUrl('retell').startsWith(`${own}/hooks/retell/`)).toBe(true);
    expect((await tunnel.selfTest()).ok).toBe(true);

    await tunnel.configure({ mode: 'custom_url', publicUrl: `${server.url}/elsewhere` });
    const test = await tunnel.selfTest();
    expect(test.ok).toBe(false);
    expect(test.message).toMatch(/HTTP 404/);

    core.settings.set('tunnel', { mode: 'custom_url', publicUrl: 'ftp://files.example.com' });
    const refused = await tunnel.start(); // never rejects: the core starts it without waiting
    expect(refused.state).toBe('error');
    expect(refused.lastError).toMatch(/must start with https:\/\//);
    expect(refused.publicUrl).toBe(`${server.url}/elsewhere`); // the previous URL stays in use
    expect(core.webhooks.publicUrl).toBe(`${server.url}/elsewhere`);
  });
});
