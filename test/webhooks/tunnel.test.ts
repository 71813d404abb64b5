import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { signSimulatorBody, SIM_SIGNATURE_HEADER, simulatorSigningKey } from '../../src/main/core/providers/simulator';
import { CallsRepository } from '../../src/main/core/store/repositories/calls';
import { LocaltunnelServer, viaTunnel } from '../fakes/localtunnel-server';
import { createTestCore, tempDir } from '../support/core';
import { sleep, waitUntil } from '../support/wait';
import { simEvent } from './events';

// Webhooks through the real localtunnel client and a stand-in tunnel server on loopback, into a real core. The
// listener's timeouts are shortened so that "idle for minutes" takes a second.

type TestCore = ReturnType<typeof createTestCore>;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Timeouts far shorter than the defaults, so that idle sockets are timed out within the test. */
const SHORT_TIMEOUTS = {
  headersTimeoutMs: 150,
  requestTimeoutMs: 300,
  keepAliveTimeoutMs: 150,
  connectionsCheckingIntervalMs: 50,
};

async function tunnelServer(maxConn: number): Promise<LocaltunnelServer> {
  const server = new LocaltunnelServer();
  server.maxConn = maxConn;
  await server.start();
  cleanups.push(() => server.close());
  return server;
}

async function coreThroughTunnel(server: LocaltunnelServer, options: Parameters<typeof createTestCore>[0] = {}) {
  const core = createTestCore({ webhooks: SHORT_TIMEOUTS, ...options });
  cleanups.push(() => core.cleanup());
  await core.start();
  const status = await core.tunnel.configure({ mode: 'localtunnel', host: server.url });
  expect(status.state).toBe('connected');
  return core;
}

function newAttempt(core: TestCore, n: number): number {
  const phone = `+9198765${String(43210 + n).padStart(5, '0')}`;
  const calls = new CallsRepository(core.db);
  const id = calls.insertAttempt({
    campaignId: null,
    contactId: null,
    phone,
    attempt: 1,
    idempotencyKey: `tunnel-${n}`,
    provider: 'simulator',
    variablesJson: '{}',
    createdAt: core.platform.clock.now(),
  });
  core.calls.markPlaced(id, `sim_tunnel_${n}`);
  return id;
}

/** A simulator "ringing" event for attempt `id`, signed, posted to the public hook URL. */
function ringingViaTunnel(core: TestCore, id: number, n: number): Promise<{ status: number; body: string }> {
  const body = simEvent({ call_id: `sim_tunnel_${n}`, attempt_id: id });
  return viaTunnel(core.webhooks.hookUrl('simulator'), {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      [SIM_SIGNATURE_HEADER]: signSimulatorBody(simulatorSigningKey(core.secrets), body, Date.now()),
    },
  });
}

describe('webhooks through an idle tunnel', () => {
  it('answers a burst after the tunnel sat idle beyond every listener timeout: all 2xx, all applied', async () => {
    const server = await tunnelServer(10);
    const core = await coreThroughTunnel(server);
    const id = new URL(core.tunnel.status().publicUrl!).hostname.split('.')[0];
    await waitUntil(() => server.clients.get(id)?.idle.length === 10, { what: 'the client’s 10 pooled sockets' });

    // Idle well beyond the header, request and keep-alive timeouts (and several checking rounds).
    await sleep(1_000);

    const attempts = Array.from({ length: 12 }, (_, n) => newAttempt(core, n));
    const replies = await Promise.all(attempts.map((attemptId, n) => ringingViaTunnel(core, attemptId, n)));
    expect(replies.map((r) => r.status)).toEqual(attempts.map(() => 200));
    const calls = new CallsRepository(core.db);
    await waitUntil(() => attempts.every((a) => calls.byId(a)?.status === 'ringing'), {
      what: 'every event applied to its call',
    });

    // The sockets that served the burst now sit idle as keep-alive connections: idle again, then another burst.
    await sleep(1_000);
    const more = Array.from({ length: 12 }, (_, n) => newAttempt(core, 100 + n));
    const again = await Promise.all(more.map((attemptId, n) => ringingViaTunnel(core, attemptId, 100 + n)));
    expect(again.map((r) => r.status)).toEqual(more.map(() => 200));
    await waitUntil(() => more.every((a) => calls.byId(a)?.status === 'ringing'), {
      what: 'every event of the second burst applied',
    });
  });

  it('still bounds a request that has begun on the tunnel’s door: a body that never ends is answered 408', async () => {
    const server = await tunnelServer(2);
    const core = await coreThroughTunnel(server);
    const ingress = core.webhooks.tunnelIngress!;
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: ingress.host,
          port: ingress.port,
          method: 'POST',
          path: new URL(core.webhooks.hookUrl('simulator')).pathname,
          headers: { 'content-type': 'application/json', 'content-length': 1000 },
          agent: false,
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write('{"event":'); // and nothing more
    });
    expect(reply).toEqual({ status: 408, body: '{"error":"request timeout"}' });
  });
});

describe('a stable webhook port', () => {
  it('keeps the port chosen at the first start, so a restart serves the same public URL', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(async () => cleanup());
    const first = createTestCore({ dataDir: dir });
    await first.start();
    const port = new URL(first.webhooks.localUrl!).port;
    expect(first.settings.get('webhookPort')).toBe(Number(port));
    await first.tunnel.configure({ mode: 'custom_url', publicUrl: first.webhooks.localUrl! });
    const hook = first.webhooks.hookUrl('simulator');
    await first.close();

    const second = createTestCore({ dataDir: dir });
    cleanups.push(() => second.close());
    await second.start();
    await waitUntil(() => second.tunnel.status().state === 'connected', { what: 'the own public URL in use' });
    expect(second.webhooks.localUrl).toBe(`http://127.0.0.1:${port}`);
    expect(second.webhooks.hookUrl('simulator')).toBe(hook);
    expect((await second.tunnel.selfTest()).ok).toBe(true);
  });
});
