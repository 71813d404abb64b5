import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { simulatorSigningKey } from '../../src/main/core/providers/simulator';
import { WebhookRejected, type VoiceProvider, type WebhookRequest } from '../../src/main/core/providers/types';
import { CallsRepository } from '../../src/main/core/store/repositories/calls';
import { InboxRepository } from '../../src/main/core/store/repositories/inbox';
import { UNKNOWN_RETRY_EVERY_MS } from '../../src/main/core/webhooks/inbox';
import { WEBHOOK_BODY_LIMIT } from '../../src/main/core/webhooks/listener';
import { ManualClock } from '../support/clock';
import { createTestCore, tempDir } from '../support/core';
import { simEvent } from './events';
import { waitUntil } from '../support/wait';
import { send, sendSigned } from './http';

type TestCore = ReturnType<typeof createTestCore>;
const cores: TestCore[] = [];
const dirs: (() => void)[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.cleanup();
  for (const cleanup of dirs.splice(0)) cleanup();
});

async function started(options: Parameters<typeof createTestCore>[0] = {}): Promise<TestCore> {
  const core = createTestCore(options);
  cores.push(core);
  await core.start();
  return core;
}

function inboxCount(core: TestCore): number {
  const counts = new InboxRepository(core.db).countsByState();
  return Object.values(counts).reduce((s, n) => s + (n ?? 0), 0);
}

function newAttempt(core: TestCore, n: number, phone = `+9198765${String(43210 + n).padStart(5, '0')}`): number {
  return new CallsRepository(core.db).insertAttempt({
    campaignId: null,
    contactId: null,
    phone,
    attempt: 1,
    idempotencyKey: `test-${n}-${phone}`,
    provider: 'simulator',
    variablesJson: '{}',
    createdAt: core.platform.clock.now(),
  });
}

describe('webhook server routes', () => {
  it('answers 404 to every path and method but the hook and monitoring routes, and stores nothing', async () => {
    const core = await started();
    const base = core.webhooks.localUrl!;
    const secret = core.secrets.webhookSecret();
    const paths = [
      '/',
      '/hooks',
      '/hooks/',
      '/hooks/simulator',
      '/hooks/simulator/',
      `/hooks/simulator/${secret}/`,
      `/hooks/simulator/${secret}/extra`,
      `//hooks/simulator/${secret}`,
      `/hooks/SIMULATOR/${secret}`,
      `/hooks/nope/${secret}`,
      `/hooks/bolna/${secret}`,
      `/hooks/simulator/${secret}%2F`,
      `/hooks/../hooks/simulator/${secret}`,
      '/health',
      '/health/',
      '/healthz',
      '/stats',
      '/call/CA1',
      `/hooks/monitor/${secret}`,
      `/hooks/monitor/${secret}/health/`,
      `/hooks/monitor/${secret}/call/`,
      `/hooks/monitor/${secret}/call/a/b`,
      `/hooks/monitor/${secret}/logs`,
      '/api/calls',
      '/index.html',
      '/favicon.ico',
      '/ws',
      '/../etc/passwd',
    ];
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
    const seen: string[] = [];
    for (const path of paths) {
      for (const method of methods) {
        const reply = await send(base, {
          method,
          path,
          body: method === 'GET' || method === 'HEAD' ? undefined : '{}',
        });
        if (reply.status !== 404) seen.push(`${method} ${path} → ${reply.status}`);
      }
    }
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) {
      for (const path of [`/hooks/simulator/${secret}`, `/hooks/monitor/${secret}/health`]) {
        const reply = await send(base, { method, path });
        if (reply.status !== 404) seen.push(`${method} ${path} → ${reply.status}`);
      }
    }
    expect(seen).toEqual([]);
    expect(inboxCount(core)).toBe(0);
  });

  it('GET …/monitor/<secret>/health reports inbox counts by state and the last webhook time', async () => {
    const core = await started();
    const key = simulatorSigningKey(core.secrets);
    const health = `${new URL(core.webhooks.hookUrl('monitor')).pathname}/health`;
    const before = JSON.parse((await send(core.webhooks.localUrl!, { method: 'GET', path: health })).body);
    expect(before.webhooks).toEqual({ ok: true, inbox: {}, applying: 0, lastWebhookAt: null });
    expect(
      (await sendSigned(core.webhooks.hookUrl('simulator'), simEvent({ call_id: 'sim_x', attempt_id: 999 }), key))
        .status,
    ).toBe(200);
    const after = await waitUntil(() => {
      const health = core.webhooks.health();
      return health.inbox.unknown_call === 1 ? health : null;
    });
    const reply = await send(core.webhooks.localUrl!, { method: 'GET', path: health });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).webhooks).toEqual({ ...after, lastWebhookAt: expect.any(Number) });
  });

  it('builds hook URLs from the public URL when there is one, else the local one', async () => {
    const core = await started();
    const secret = core.secrets.webhookSecret();
    expect(core.webhooks.publicUrl).toBeNull();
    expect(core.webhooks.hookUrl('simulator')).toBe(`${core.webhooks.localUrl}/hooks/simulator/${secret}`);
    core.webhooks.setPublicUrl('https://brave-fox-12.loca.lt/');
    expect(core.webhooks.hookUrl('retell')).toBe(`https://brave-fox-12.loca.lt/hooks/retell/${secret}`);
    core.webhooks.setPublicUrl(null);
    expect(core.webhooks.hookUrl('simulator')).toBe(`${core.webhooks.localUrl}/hooks/simulator/${secret}`);
    expect(() => core.webhooks.setPublicUrl('ftp://example.com')).toThrow(/https/);
  });
});

describe('webhook authentication and validation', () => {
  it('refuses a wrong or missing path secret with 401 and stores nothing', async () => {
    const core = await started();
    const key = simulatorSigningKey(core.secrets);
    const secret = core.secrets.webhookSecret();
    const body = simEvent({ call_id: 'sim_a', attempt_id: 1 });
    const base = core.webhooks.localUrl!;
    const flipped = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
    for (const wrong of [flipped, secret.slice(0, -1), `${secret}x`, 'x']) {
      expect((await sendSigned(`${base}/hooks/simulator/${wrong}`, body, key)).status).toBe(401);
    }
    expect(inboxCount(core)).toBe(0);
  });

  it('refuses forged, tampered, expired and missing signatures with 401 and stores nothing', async () => {
    const core = await started();
    const key = simulatorSigningKey(core.secrets);
    const url = core.webhooks.hookUrl('simulator');
    const body = simEvent({ call_id: 'sim_a', attempt_id: 1 });
    expect((await sendSigned(url, body, 'not-the-install-key')).status).toBe(401);
    expect((await sendSigned(url, body, key, Date.now() - 6 * 60_000)).status).toBe(401);
    expect((await sendSigned(url, body, key, Date.now() + 6 * 60_000)).status).toBe(401);
    expect((await send(url, { body, headers: { 'content-type': 'application/json' } })).status).toBe(401);
    // Signed, then one byte changed in transit.
    const ts = Date.now();
    const { signSimulatorBody, SIM_SIGNATURE_HEADER } = await import('../../src/main/core/providers/simulator');
    const tampered = body.replace('ringing', 'ringinG');
    const reply = await send(url, {
      body: tampered,
      headers: { [SIM_SIGNATURE_HEADER]: signSimulatorBody(key, body, ts) },
    });
    expect(reply.status).toBe(401);
    expect(inboxCount(core)).toBe(0);
    // The same delivery, correctly signed, is accepted.
    expect((await sendSigned(url, body, key)).status).toBe(200);
    expect(inboxCount(core)).toBe(1);
  });

  it('refuses malformed bodies with 400 naming the problem, and stores nothing', async () => {
    const core = await started();
    const key = simulatorSigningKey(core.secrets);
    const url = core.webhooks.hookUrl('simulator');
    const notJson = await sendSigned(url, '{"event": ', key);
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ error: 'malformed', message: 'body is not JSON' });
    const wrongShape = await sendSigned(
      url,
      JSON.stringify({ ...JSON.parse(simEvent({ call_id: 'sim_a', attempt_id: 1 })), status: 'flying' }),
      key,
    );
    expect(wrongShape.status).toBe(400);
    expect(JSON.parse(wrongShape.body).message).toMatch(/field status/);
    const get = await send(url, { method: 'GET', headers: { 'x-sim-signature': 'v=1,d=' + '0'.repeat(64) } });
    expect(get.status).toBe(401);
    expect(inboxCount(core)).toBe(0);
  });

  it('refuses bodies over the limit with 413 (declared or streamed) and accepts one of exactly the limit', async () => {
    const core = await started();
    const url = core.webhooks.hookUrl('simulator');
    const key = simulatorSigningKey(core.secrets);
    const big = Buffer.alloc(WEBHOOK_BODY_LIMIT + 1, 0x20);
    const declared = await sendSigned(url, big, key);
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    // Chunked transfer: no length up front, so the limit is enforced while reading.
    const streamed = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const target = new URL(url);
        const req = request(
          { host: '127.0.0.1', port: target.port, path: target.pathname, method: 'POST', agent: false },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) =>
          err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
        );
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        for (let sent = 0; sent <= WEBHOOK_BODY_LIMIT * 3; sent += chunk.length) req.write(chunk);
        req.end();
      }, reject);
    });
    expect(streamed).toBe(413);
    // Exactly the limit is read in full (and is then judged on its content: blanks are not an event).
    const atLimit = await sendSigned(url, Buffer.alloc(WEBHOOK_BODY_LIMIT, 0x20), key);
    expect(atLimit.status).toBe(400);
    expect(inboxCount(core)).toBe(0);
  });
});

describe('webhook inbox', () => {
  it('stores the exact bytes before answering, without the path secret, then applies the event to its call', async () => {
    const core = await started();
    const key = simulatorSigningKey(core.secrets);
    const secret = core.secrets.webhookSecret();
    const callId = newAttempt(core, 1);
    core.calls.markPlaced(callId, 'sim_exact');
    // Odd spacing and non-ASCII text: what is signed and stored is the bytes, not a re-serialisation.
    const body = Buffer.from(
      simEvent({ call_id: 'sim_exact', attempt_id: callId, hangup_reason: 'Anruf beendet — ok ✓' }).replace(
        '{',
        '{ \n\t',
      ),
      'utf8',
    );
    const reply = await sendSigned(core.webhooks.hookUrl('simulator'), body, key);
    expect(reply.status).toBe(200);
    const inbox = new InboxRepository(core.db);
    const row = inbox.get(1)!;
    expect(row.body.equals(body)).toBe(true);
    expect(row.provider).toBe('simulator');
    expect(row.path).toBe('/hooks/simulator');
    expect(JSON.stringify(row)).not.toContain(secret);
    await waitUntil(() => inbox.get(1)?.state === 'processed');
    const call = new CallsRepository(core.db).getCall(callId)!;
    expect(call.status).toBe('ringing');
    expect(call.hangupReason).toBe('Anruf beendet — ok ✓');
  });

  it(
    'keeps an acknowledged delivery when the process dies right after answering, and applies it on restart',
    { timeout: 60_000 },
    async () => {
      const { dir, cleanup } = tempDir();
      dirs.push(cleanup);
      // The call exists before the crash, as the dialer would have written it.
      const first = createTestCore({ dataDir: dir });
      const callId = newAttempt(first, 2);
      first.calls.markPlaced(callId, 'sim_crash');
      await first.close();

      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'crash-child.ts'), dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout! }).once('line', resolve),
      );
      const { hookUrl, key } = JSON.parse(line) as { hookUrl: string; key: string };
      const body = simEvent({
        call_id: 'sim_crash',
        attempt_id: callId,
        event: 'call.answered',
        event_id: 'call.answered',
        status: 'in_progress',
      });
      const reply = await sendSigned(hookUrl, body, key);
      expect(reply.status).toBe(200);
      expect(await exited).toBe('SIGKILL');

      const restarted = createTestCore({ dataDir: dir });
      cores.push(restarted);
      const inbox = new InboxRepository(restarted.db);
      expect(inbox.withState('pending', 0, 10).map((r) => r.body.toString('utf8'))).toEqual([body]);
      const answeredEvents = () =>
        new CallsRepository(restarted.db).events(callId).filter((e) => e.kind === 'call.answered');
      expect(answeredEvents()).toEqual([]);
      await restarted.start();
      expect(inbox.get(1)!.state).toBe('processed');
      // Applied once (its disposition depends on what reconciliation did with the call meanwhile).
      expect(answeredEvents()).toHaveLength(1);
      expect(answeredEvents()[0].raw).toBe(body);
    },
  );

  it('leaves a call as it was when the same event arrives twice or a ringing arrives after completed', async () => {
    const core = await started();
    const key = simulatorSigningKey(core.secrets);
    const url = core.webhooks.hookUrl('simulator');
    const calls = new CallsRepository(core.db);
    const callId = newAttempt(core, 5);
    core.calls.markPlaced(callId, 'sim_twice');
    const ended = simEvent({
      call_id: 'sim_twice',
      attempt_id: callId,
      event: 'call.ended',
      event_id: 'call.ended',
      status: 'ended',
      result: 'completed',
      conversation: true,
      answered_at: Date.now() - 60_000,
      ended_at: Date.now(),
      duration_s: 60,
      hangup_reason: 'Call recipient hung up',
    });
    expect((await sendSigned(url, ended, key)).status).toBe(200);
    const inbox = new InboxRepository(core.db);
    await waitUntil(() => inbox.get(1)?.state === 'processed');
    const before = calls.getCall(callId)!;
    expect(before).toMatchObject({ status: 'ended', result: 'completed', durationS: 60 });

    expect((await sendSigned(url, ended, key)).status).toBe(200);
    const ringing = simEvent({ call_id: 'sim_twice', attempt_id: callId, event: 'call.ringing', status: 'ringing' });
    expect((await sendSigned(url, ringing, key)).status).toBe(200);
    await waitUntil(() => core.webhooks.backlog === 0 && inbox.get(3)?.state === 'processed');
    expect(calls.getCall(callId)).toEqual(before);
    expect(
      calls
        .events(callId)
        .filter((e) => e.kind.startsWith('call.'))
        .map((e) => [e.kind, e.disposition]),
    ).toEqual([
      ['call.ended', 'applied'],
      ['call.ended', 'duplicate'],
      ['call.ringing', 'stale'],
    ]);
  });

  it('re-applies rows left pending in arrival order on start', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const core = createTestCore({ dataDir: dir });
    cores.push(core);
    const callId = newAttempt(core, 3);
    core.calls.markPlaced(callId, 'sim_order');
    const inbox = new InboxRepository(core.db);
    const deliveries = [
      simEvent({ call_id: 'sim_order', attempt_id: callId, event: 'call.ringing', status: 'ringing' }),
      simEvent({
        call_id: 'sim_order',
        attempt_id: callId,
        event: 'call.answered',
        event_id: 'call.answered',
        status: 'in_progress',
      }),
      simEvent({
        call_id: 'sim_order',
        attempt_id: callId,
        event: 'call.ended',
        event_id: 'call.ended',
        status: 'ended',
        result: 'busy',
        hangup_reason: 'Call recipient was busy',
      }),
    ];
    for (const body of deliveries) {
      inbox.insert({
        provider: 'simulator',
        receivedAt: core.platform.clock.now(),
        method: 'POST',
        path: '/hooks/simulator',
        query: null,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(body),
      });
    }
    await core.start();
    expect(inbox.countsByState()).toEqual({ processed: 3 });
    const call = new CallsRepository(core.db).getCall(callId)!;
    expect(call).toMatchObject({ status: 'ended', result: 'busy', hangupReason: 'Call recipient was busy' });
    const events = new CallsRepository(core.db).events(callId).filter((e) => e.kind.startsWith('call.'));
    expect(events.map((e) => [e.kind, e.disposition])).toEqual([
      ['call.ringing', 'applied'],
      ['call.answered', 'applied'],
      ['call.ended', 'applied'],
    ]);
  });

  it('keeps deliveries for calls it does not know yet and applies them once the call gets its provider id', async () => {
    const clock = new ManualClock(Date.now());
    const core = await started({ clock });
    const key = simulatorSigningKey(core.secrets);
    const callId = newAttempt(core, 4);
    // The provider's id is not known yet, and the event does not echo our attempt id.
    const body = simEvent({ call_id: 'sim_late', attempt_id: 424242, event: 'call.ringing', status: 'ringing' });
    expect((await sendSigned(core.webhooks.hookUrl('simulator'), body, key, clock.now())).status).toBe(200);
    const inbox = new InboxRepository(core.db);
    await waitUntil(() => inbox.get(1)?.state === 'unknown_call');
    expect(core.webhooks.retryUnknown()).toBe(0);

    core.calls.markPlaced(callId, 'sim_late');
    clock.advance(UNKNOWN_RETRY_EVERY_MS);
    expect(inbox.get(1)!.state).toBe('processed');
    expect(new CallsRepository(core.db).getCall(callId)!.status).toBe('ringing');
  });
});

describe('providers with their own answers', () => {
  /** A stand-in for a provider whose passthru expects plain `OK` (like Exotel) and whose parser has a bug. */
  function passthruProvider(): VoiceProvider {
    return {
      name: 'exotel',
      label: 'Passthru stand-in',
      capabilities: { cancel: false, transfer: 'none', reconcile: false, liveTranscript: false, callLanguage: 'none' },
      placeCall: () => Promise.reject(new Error('not used')),
      cancelCall: () => Promise.resolve(),
      getCall: () => Promise.resolve(null),
      verifyWebhook: () => undefined,
      parseWebhook: (req: WebhookRequest) => {
        if (req.query.get('crash') === '1') throw new TypeError("Cannot read properties of undefined (reading 'x')");
        if (!req.query.get('CallSid')) throw new WebhookRejected('malformed', 'CallSid is missing');
        return [];
      },
      webhookResponse: () => ({ status: 200, contentType: 'text/plain', body: 'OK' }),
    };
  }

  it('answers with the provider response, keeps the query, and stores a delivery its parser chokes on as an error', async () => {
    const core = await started();
    core.providers.use(passthruProvider());
    const url = core.webhooks.hookUrl('exotel');
    const ok = await send(`${url}?CallSid=abc&CustomField=7`, { method: 'GET' });
    expect(ok).toMatchObject({ status: 200, body: 'OK' });
    expect(ok.headers['content-type']).toBe('text/plain');
    const inbox = new InboxRepository(core.db);
    await waitUntil(() => inbox.get(1)?.state === 'processed');
    expect(inbox.get(1)).toMatchObject({ method: 'GET', query: 'CallSid=abc&CustomField=7', path: '/hooks/exotel' });

    expect((await send(url, { method: 'GET' })).status).toBe(400);
    const crashed = await send(`${url}?CallSid=abc&crash=1`, { method: 'GET' });
    expect(crashed.status).toBe(200);
    expect(inbox.get(2)).toMatchObject({ state: 'error', error: expect.stringContaining('parser failed') });
  });
});

describe('logs', () => {
  it('never writes the path secret to the log files', async () => {
    const core = await started();
    const secret = core.secrets.webhookSecret();
    await sendSigned(core.webhooks.hookUrl('simulator'), '{', 'k');
    await send(`${core.webhooks.localUrl}/hooks/simulator/${secret.slice(1)}`, { body: '{}' });
    const logDir = join(core.dataDir, 'logs');
    const text = readdirSync(logDir)
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('\n');
    expect(text).toContain('refused');
    expect(text).not.toContain(secret);
  });
});
