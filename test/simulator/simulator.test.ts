import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../src/shared/domain';
import {
  SIM_SIGNATURE_HEADER,
  SimulatorEvent,
  SimulatorProvider,
  signSimulatorBody,
  simulatorSigningKey,
} from '../../src/main/core/providers/simulator';
import type { Logger } from '../../src/main/core/platform';
import { ProviderError, WebhookRejected, type PlaceCallRequest } from '../../src/main/core/providers/types';
import { CallsRepository } from '../../src/main/core/store/repositories/calls';
import { InboxRepository } from '../../src/main/core/store/repositories/inbox';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { LoopbackServer, readRequest } from '../support/loopback';
import { rng } from '../support/random';
import { advanceUntil, waitUntil, within } from '../support/wait';

type TestCore = ReturnType<typeof createTestCore>;
const cores: TestCore[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.cleanup();
});

async function setup(
  options: { clock?: ManualClock; seed?: number; odds?: Partial<ReturnType<TestCore['settings']['get']>> } = {},
): Promise<{ core: TestCore; sim: SimulatorProvider; calls: CallsRepository; warnings: string[] }> {
  const core = createTestCore({ clock: options.clock });
  cores.push(core);
  core.settings.set('simulator', { ...core.settings.get('simulator'), ...(options.odds as object) });
  // The simulator's warnings are kept for the tests (giving up a delivery is one), and still logged.
  const warnings: string[] = [];
  const logger: Logger = {
    log(level, scope, message, fields) {
      if (level === 'warn') warnings.push(message);
      core.platform.logger.log(level, scope, message, fields);
    },
  };
  const sim = new SimulatorProvider({
    clock: core.platform.clock,
    logger,
    settings: core.settings,
    secrets: core.secrets,
    random: rng(options.seed ?? 1),
  });
  core.providers.use(sim);
  await core.start();
  return { core, sim, calls: new CallsRepository(core.db), warnings };
}

/** Writes the attempt the way the dialer does, asks the simulator to place it, and records the provider id. */
async function dial(
  core: TestCore,
  sim: SimulatorProvider,
  n: number,
  extra: Partial<PlaceCallRequest> = {},
): Promise<{ callId: number; providerCallId: string }> {
  const phone = `+9198${String(10_000_000 + n).padStart(8, '0')}`;
  const callId = new CallsRepository(core.db).insertAttempt({
    campaignId: null,
    contactId: null,
    phone,
    attempt: 1,
    idempotencyKey: `attempt-${n}`,
    provider: 'simulator',
    variablesJson: '{}',
    createdAt: core.platform.clock.now(),
  });
  const { providerCallId } = await sim.placeCall({
    callId,
    idempotencyKey: `attempt-${n}`,
    to: phone,
    from: null,
    voiceAgentId: null,
    contactName: `Asha Rao ${n}`,
    variables: { order_id: `ORD-${1000 + n}`, amount: '₹499' },
    webhookUrl: core.webhooks.hookUrl('simulator'),
    simSpeed: 2_000,
    ...extra,
  });
  core.calls.markPlaced(callId, providerCallId);
  return { callId, providerCallId: providerCallId! };
}

/** Every delivery the console received for one provider call, parsed, in arrival order. */
function deliveries(core: TestCore, providerCallId: string): SimulatorEvent[] {
  const inbox = new InboxRepository(core.db);
  const out: SimulatorEvent[] = [];
  for (const state of ['processed', 'pending', 'unknown_call', 'error'] as const) {
    for (const row of inbox.withState(state, 0, 100_000)) {
      const event = SimulatorEvent.parse(JSON.parse(row.body.toString('utf8')));
      if (event.call_id === providerCallId) out.push(event);
    }
  }
  return out;
}

async function settledAndApplied(core: TestCore, sim: SimulatorProvider): Promise<void> {
  await sim.settled();
  await waitUntil(() => core.webhooks.backlog === 0);
}

describe('simulator signature', () => {
  it('signs like Retell (HMAC-SHA256 over body + ms timestamp): the Retell SDK test vector holds', () => {
    expect(signSimulatorBody('test-api-key', '{"event":"call_ended"}', 1700000000000)).toBe(
      'v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e',
    );
  });

  it('verifies its own signature within 5 minutes and refuses tampering, other keys and stale timestamps', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const { core, sim } = await setup({ clock });
    const key = simulatorSigningKey(core.secrets);
    const body = Buffer.from('{"event":"call.ringing"}');
    const request = (raw: Buffer, header: string) => ({
      method: 'POST',
      path: '/hooks/simulator/x',
      query: new URLSearchParams(),
      headers: { [SIM_SIGNATURE_HEADER]: header },
      rawBody: raw,
      url: 'http://127.0.0.1/hooks/simulator/x',
      receivedAt: clock.now(),
    });
    const rejected = (raw: Buffer, header: string) => {
      try {
        sim.verifyWebhook(request(raw, header));
        return null;
      } catch (err) {
        return err instanceof WebhookRejected ? err.reason : 'other';
      }
    };
    expect(rejected(body, signSimulatorBody(key, body, clock.now()))).toBeNull();
    expect(rejected(body, signSimulatorBody(key, body, clock.now() - 299_000))).toBeNull();
    expect(rejected(body, signSimulatorBody(key, body, clock.now() - 301_000))).toBe('bad_signature');
    expect(rejected(body, signSimulatorBody(key, body, clock.now() + 301_000))).toBe('bad_signature');
    expect(rejected(Buffer.from('{"event":"call.ended"}'), signSimulatorBody(key, body, clock.now()))).toBe(
      'bad_signature',
    );
    expect(rejected(body, signSimulatorBody('another-install', body, clock.now()))).toBe('bad_signature');
    expect(rejected(body, `v=${clock.now()},d=XYZ`)).toBe('bad_signature');
    expect(rejected(body, '')).toBe('bad_signature');
    // The key is per install, stored encrypted, and stable across restarts of the same data folder.
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(simulatorSigningKey(core.secrets)).toBe(key);
  });
});

describe('simulator calls over real HTTP', () => {
  it(
    'runs 100 concurrent calls whose every status change reaches the store, which agrees with the events',
    { timeout: 90_000 },
    async () => {
      const { core, sim, calls } = await setup({ seed: 7 });
      const placed = await Promise.all(Array.from({ length: 100 }, (_, i) => dial(core, sim, i)));
      await settledAndApplied(core, sim);

      const results = new Map<string, number>();
      let withOutcome = 0;
      for (const [n, { callId, providerCallId }] of placed.entries()) {
        const call = calls.getCall(callId)!;
        const events = deliveries(core, providerCallId);
        const last = events[events.length - 1];
        // In order, without chaos: initiated first, the final snapshot last, statuses never going back.
        expect(events[0].event).toBe('call.initiated');
        const ranks = events.map((e) =>
          ['initiated', 'ringing', 'in_progress', 'transferring', 'ended'].indexOf(e.status),
        );
        expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
        expect(call.status).toBe('ended');
        expect(call.result).toBe(last.result);
        expect(call.durationS).toBe(last.duration_s);
        expect(call.hangupReason).toBe(last.hangup_reason);
        results.set(call.result!, (results.get(call.result!) ?? 0) + 1);
        if (last.analysis) {
          expect(call.summary).toBe(last.analysis.summary);
          expect(calls.transcript(callId).map((t) => t.text)).toEqual(last.transcript!.map((t) => t.text));
        }
        if (call.result === 'completed') {
          const text = calls
            .transcript(callId)
            .map((t) => t.text)
            .join('\n');
          expect(text).toContain(`Asha Rao ${n}`);
          if (call.outcome !== 'wrong_person') expect(text).toContain(`ORD-${1000 + n}`);
          expect(call.durationS).toBeGreaterThan(0);
          expect(call.outcome).toBe(last.analysis!.outcome);
          if (call.outcome) withOutcome++;
        } else {
          expect(call.outcome).toBeNull();
        }
      }
      // The default odds give every kind of ending in a batch this size.
      expect([...results.keys()].sort()).toEqual(['busy', 'completed', 'failed', 'no_answer', 'voicemail']);
      expect(withOutcome).toBeGreaterThan(30);
      expect(new InboxRepository(core.db).countsByState()).toEqual({ processed: expect.any(Number) });
    },
  );

  it('sends duplicates and out-of-order events under chaos, and the store ends up as without chaos', async () => {
    const { core, sim, calls } = await setup({ seed: 11, odds: { duplicateRate: 0.4, reorderRate: 0.4 } });
    const placed = await Promise.all(Array.from({ length: 40 }, (_, i) => dial(core, sim, i)));
    await settledAndApplied(core, sim);

    let duplicates = 0;
    let lateArrivals = 0;
    for (const { callId, providerCallId } of placed) {
      const events = deliveries(core, providerCallId);
      // The truth is the call's last state the simulator generated: the snapshot with the most information.
      const final = events.find((e) => e.event === 'call.analyzed') ?? events.find((e) => e.event === 'call.ended')!;
      const call = calls.getCall(callId)!;
      expect(call.status).toBe('ended');
      expect(call.result).toBe(final.result);
      expect(call.durationS).toBe(final.duration_s);
      if (final.analysis) {
        expect(call.summary).toBe(final.analysis.summary);
        expect(calls.transcript(callId).length).toBe(final.transcript!.length);
      }
      const recorded = calls.events(callId).filter((e) => e.kind.startsWith('call.'));
      const counted = new Map<string, number>();
      for (const e of events) counted.set(e.event_id, (counted.get(e.event_id) ?? 0) + 1);
      // Every delivery is recorded; each distinct event is applied at most once, the rest are duplicates.
      expect(recorded.length).toBe(events.length);
      expect(recorded.filter((e) => e.disposition === 'duplicate').length).toBe(events.length - counted.size);
      duplicates += events.length - counted.size;
      lateArrivals += recorded.filter((e) => e.disposition === 'stale' || e.disposition === 'enriched').length;
    }
    expect(duplicates).toBeGreaterThan(10);
    expect(lateArrivals).toBeGreaterThan(5);
  });

  it('places one call per idempotency key and refuses numbers that are not E.164', async () => {
    const { core, sim } = await setup();
    const first = await dial(core, sim, 1);
    const again = await sim.placeCall({
      callId: first.callId,
      idempotencyKey: 'attempt-1',
      to: '+919810000001',
      from: null,
      voiceAgentId: null,
      contactName: 'Asha',
      variables: {},
      webhookUrl: core.webhooks.hookUrl('simulator'),
    });
    expect(again.providerCallId).toBe(first.providerCallId);
    const refused = await sim
      .placeCall({
        ...({} as PlaceCallRequest),
        callId: 9,
        idempotencyKey: 'x',
        to: '98100 00001',
        webhookUrl: core.webhooks.hookUrl('simulator'),
      })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused).toMatchObject({ kind: 'invalid_request', transient: false });
  });
});

describe('simulator controls (manual clock)', () => {
  async function callOf(core: TestCore, callId: number, until: (c: Call) => boolean): Promise<Call> {
    return waitUntil(() => {
      const call = new CallsRepository(core.db).getCall(callId);
      return call && until(call) ? call : null;
    });
  }

  it('cancels a ringing call (ended, canceled) and answers getCall from memory', async () => {
    const clock = new ManualClock(Date.now());
    const { core, sim } = await setup({ clock, odds: { answerRate: 0, busyRate: 0, voicemailRate: 0, failRate: 0 } });
    const { callId, providerCallId } = await dial(core, sim, 1, { simSpeed: 1 });
    clock.advance(4_000);
    await callOf(core, callId, (c) => c.status === 'ringing');
    expect(await sim.getCall(providerCallId)).toMatchObject({ status: 'ringing', providerCallId, callId });
    await sim.cancelCall(providerCallId);
    const call = await callOf(core, callId, (c) => c.status === 'ended');
    expect(call.result).toBe('canceled');
    expect(await sim.getCall(providerCallId)).toMatchObject({ status: 'ended', result: 'canceled' });
    // Nothing else arrives for it: the no-answer timer was cleared. Anything still due fires in the advance, and
    // settled() waits until the simulator has delivered (or given up on) every event it had.
    const before = deliveries(core, providerCallId).length;
    clock.advance(60_000);
    await within(sim.settled(), 'the simulator to have nothing left to send');
    expect(deliveries(core, providerCallId).length).toBe(before);
    expect(await sim.getCall('sim_unknown')).toBeNull();
    await expect(sim.cancelCall('sim_unknown')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('transfers an answered call: transferring, then ended as transferred with the hand-over in the transcript', async () => {
    const clock = new ManualClock(Date.now());
    const { core, sim, calls } = await setup({
      clock,
      odds: { answerRate: 1, busyRate: 0, voicemailRate: 0, failRate: 0 },
    });
    const { callId, providerCallId } = await dial(core, sim, 2, { simSpeed: 1 });
    await expect(sim.transferCall(providerCallId, '+14155550100')).rejects.toMatchObject({ kind: 'invalid_request' });
    await expect(sim.transferCall(providerCallId, 'front desk')).rejects.toThrow(/E\.164/);
    clock.advance(16_000);
    await callOf(core, callId, (c) => c.status === 'in_progress');
    clock.advance(6_000);
    await sim.transferCall(providerCallId, '+14155550100');
    await callOf(core, callId, (c) => c.status === 'transferring');
    clock.advance(5_000);
    const ended = await callOf(core, callId, (c) => c.status === 'ended');
    expect(ended.result).toBe('transferred');
    clock.advance(5_000);
    await waitUntil(() => calls.transcript(callId).some((t) => t.speaker === 'system'));
    const turns = calls.transcript(callId);
    expect(turns[turns.length - 1]).toMatchObject({ speaker: 'system', text: 'Call transferred to +14155550100' });
    expect(calls.getCall(callId)!.summary).toMatch(/transferred to a human agent/);
  });
});

describe('simulator delivery', () => {
  /** A stand-in receiver that fails the first deliveries, to watch the simulator retry like real providers. */
  async function flakyReceiver(
    statuses: number[],
  ): Promise<{ url: string; got: { body: string; signature: string }[]; close(): Promise<void> }> {
    const got: { body: string; signature: string }[] = [];
    const server = new LoopbackServer(async (req, res) => {
      const { headers, body } = await readRequest(req);
      got.push({ body: body.toString('utf8'), signature: String(headers[SIM_SIGNATURE_HEADER]) });
      res.writeHead(statuses[got.length - 1] ?? 200).end();
    });
    return { url: `${await server.start()}/hooks/simulator/s`, got, close: () => server.close() };
  }

  it('retries a delivery answered 500 or 429 with backoff, re-signed, and does not retry a 401', async () => {
    const clock = new ManualClock(Date.now());
    const { sim, warnings } = await setup({
      clock,
      odds: { answerRate: 0, busyRate: 0, voicemailRate: 0, failRate: 1 },
    });
    const receiver = await flakyReceiver([500, 429, 200, 401]);
    try {
      await sim.placeCall({
        callId: 1,
        idempotencyKey: 'k',
        to: '+919810000001',
        from: null,
        voiceAgentId: null,
        contactName: 'Asha',
        variables: {},
        webhookUrl: receiver.url,
        simSpeed: 1,
      });
      // Simulated time moves in small steps, giving each real HTTP exchange the chance to finish in between.
      const delivered = (n: number) =>
        advanceUntil(clock, () => receiver.got.length >= n, {
          stepMs: 100,
          maxMs: 60_000,
          what: `delivery ${n} (so far: ${receiver.got.map((g) => JSON.parse(g.body).event).join(', ')})`,
        });
      await delivered(1); // initiated, answered 500
      expect(await delivered(2)).toBeGreaterThanOrEqual(1_000); // 429
      expect(await delivered(3)).toBeGreaterThanOrEqual(3_000); // 200
      const firstThree = receiver.got.slice(0, 3);
      expect(new Set(firstThree.map((g) => g.body)).size).toBe(1);
      expect(new Set(firstThree.map((g) => g.signature)).size).toBe(3);
      await delivered(4); // the call fails; its ended event is refused with 401
      // Given up at once: a retry would wait on the clock, which no longer moves, so the simulator would never settle.
      await waitUntil(() => warnings.find((m) => /gave up delivering .*: HTTP 401$/.test(m)), {
        what: 'the simulator to give up the 401',
      });
      await within(sim.settled(), 'the simulator to have nothing left to send');
      expect(receiver.got.length).toBe(4);
      expect(JSON.parse(receiver.got[3].body)).toMatchObject({ event: 'call.ended', result: 'failed' });
    } finally {
      await receiver.close();
    }
  });
});

describe('simulator across restarts (its calls live in the data folder)', () => {
  it('a restarted simulator still knows its calls, plays them on by the clock, and finds a placement by its key', async () => {
    const clock = new ManualClock(Date.now());
    const { core } = await setup({ clock, odds: { answerRate: 0, busyRate: 0, voicemailRate: 0, failRate: 0 } });
    const stateFile = join(core.dataDir, 'simulator', 'calls.jsonl');
    const make = () =>
      new SimulatorProvider({
        clock,
        logger: core.platform.logger,
        settings: core.settings,
        secrets: core.secrets,
        random: rng(5),
        stateFile,
      });
    const first = make();
    const { callId, providerCallId } = await dial(core, first, 7, { simSpeed: 1 });
    clock.advance(4_000);
    expect(await first.getCall(providerCallId)).toMatchObject({ status: 'ringing' });
    // The console dies: nothing is disposed cleanly, the process is just gone, and time goes on without it.
    first.dispose();
    clock.advance(60_000);

    const second = make();
    // A no-answer rings 25–35 s: by now the call has ended, and the restarted simulator says so.
    expect(await second.getCall(providerCallId)).toMatchObject({ status: 'ended', result: 'no_answer', callId });
    expect(
      await second.findPlacement({ callId, idempotencyKey: 'attempt-7', to: '+9198', voiceAgentId: null, sentAt: 0 }),
    ).toEqual({
      found: true,
      providerCallId,
    });
    expect(
      await second.findPlacement({
        callId: 99,
        idempotencyKey: 'never-sent',
        to: '+9198',
        voiceAgentId: null,
        sentAt: 0,
      }),
    ).toEqual({
      found: false,
      certain: true,
    });
    // The same key again is the same call, never a second one.
    const again = await second.placeCall({
      callId,
      idempotencyKey: 'attempt-7',
      to: '+919810000007',
      from: null,
      voiceAgentId: null,
      contactName: 'Asha',
      variables: {},
      webhookUrl: core.webhooks.hookUrl('simulator'),
    });
    expect(again.providerCallId).toBe(providerCallId);
    // The events it missed while the console was down are delivered now, so the store ends the call too.
    await advanceUntil(clock, () => new CallsRepository(core.db).getCall(callId)?.status === 'ended', {
      stepMs: 1_000,
      what: 'the late events to end the call in the store',
    });
    expect(new CallsRepository(core.db).getCall(callId)).toMatchObject({ result: 'no_answer' });
    second.dispose();
  });
});
