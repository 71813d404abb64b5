import { afterEach, describe, expect, it } from 'vitest';
import { CALL_STATUS_RANK, type CallStatus } from '../../src/shared/domain';
import type { PlaceCallRequest } from '../../src/main/core/providers/types';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { rng } from '../support/random';
import { FakeWorld, seedList, type SeedContact } from './support';

// Property-style: random campaigns against a fake world with random results, duplicate and reordered webhooks, lost
// webhooks, random timezones, DNC additions and pauses mid-run. Every rule is checked at each dial and after each step.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const MIN = 60_000;
const ZONES_BY_PREFIX: [string, string[]][] = [
  ['+91', ['Asia/Kolkata']],
  ['+81', ['Asia/Tokyo']],
  ['+61', ['Australia/Sydney', 'Australia/Perth']],
  ['+44', ['Europe/London']],
  // North American numbers by area code: 212 is Manhattan, 415 San Francisco.
  ['+1212', ['America/New_York']],
  ['+1415', ['America/Los_Angeles']],
];
const CONTACT_ZONES = [
  null,
  null,
  'America/Chicago',
  'Europe/Berlin',
  'Asia/Singapore',
  'Pacific/Auckland',
  'Mars/Base',
];

/** The test's own idea of where a recipient is (independent of the dialer's tables). */
function oracleZones(tz: string | null, phone: string, fallback: string): string[] {
  if (tz) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return [tz];
    } catch {
      // invalid zone name: fall through to the number's country
    }
  }
  return ZONES_BY_PREFIX.find(([p]) => phone.startsWith(p))?.[1] ?? [fallback];
}

function localParts(zone: string, at: number): { minute: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return {
    minute: Number(get('hour')) * 60 + Number(get('minute')),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday')),
  };
}

function phonePool(r: () => number, n: number): string[] {
  const makers = [
    (i: number) => `+9198123456${String(i).padStart(2, '0')}`,
    (i: number) => `+1212555${String(100 + i).padStart(4, '0')}`,
    (i: number) => `+1415555${String(100 + i).padStart(4, '0')}`,
    (i: number) => `+8190123456${String(i).padStart(2, '0')}`,
    (i: number) => `+614123456${String(i).padStart(2, '0')}`,
    (i: number) => `+4479111234${String(i).padStart(2, '0')}`,
  ];
  const out = new Set<string>();
  let i = 0;
  while (out.size < n) out.add(makers[Math.floor(r() * makers.length)](i++ % 100));
  return [...out];
}

interface CampaignSpec {
  id: number;
  concurrency: number;
  maxAttempts: number;
  retryDelaysMs: number[];
  retryOn: string[];
  window: { start: string; end: string };
  days: number[];
  ignoreWindow: boolean;
  pacingMs: number;
  defaultTimezone: string;
}

async function runScenario(seed: number, steps: number) {
  const r = rng(seed);
  const clock = new ManualClock(Date.UTC(2026, 4, 19, 3, 0, 0) + Math.floor(r() * 24 * 60) * MIN);
  const core = createTestCore({ clock });
  cleanups.push(() => core.cleanup());
  const db = core.db;
  const violations: string[] = [];
  const specs = new Map<number, CampaignSpec>();
  const lastPlacement = new Map<number, number>();
  const seenKeys = new Set<string>();
  const seenCallIds = new Set<number>();
  const rank = new Map<number, number>();

  core.bus.subscribe((e) => {
    if (e.type !== 'call.updated') return;
    const now = CALL_STATUS_RANK[e.payload.status as CallStatus];
    const before = rank.get(e.payload.id) ?? -1;
    if (now < before) violations.push(`call ${e.payload.id} moved back to ${e.payload.status}`);
    rank.set(e.payload.id, Math.max(before, now));
  });

  const checkDial = (req: PlaceCallRequest) => {
    const now = clock.now();
    const call = db
      .prepare<[number], { campaign_id: number; contact_id: number; phone: string }>(
        'SELECT campaign_id, contact_id, phone FROM calls WHERE id = ?',
      )
      .get(req.callId)!;
    const spec = specs.get(call.campaign_id)!;
    const where = `call ${req.callId} to ${req.to} (campaign ${call.campaign_id}, contact ${call.contact_id})`;
    if (seenKeys.has(req.idempotencyKey) || seenCallIds.has(req.callId)) violations.push(`${where}: placed twice`);
    seenKeys.add(req.idempotencyKey);
    seenCallIds.add(req.callId);
    const state = db
      .prepare<[number], { state: string }>('SELECT state FROM campaigns WHERE id = ?')
      .get(call.campaign_id)!.state;
    if (state !== 'running') violations.push(`${where}: dialled while campaign ${state}`);
    if (db.prepare('SELECT 1 FROM dnc WHERE phone = ?').get(req.to)) violations.push(`${where}: number on DNC`);
    if (world.liveTo(req.to, now)) violations.push(`${where}: number already in a live call`);
    const live = db
      .prepare<[number], { n: number }>(`SELECT COUNT(*) AS n FROM calls WHERE campaign_id = ? AND status <> 'ended'`)
      .get(call.campaign_id)!.n;
    if (live > spec.concurrency) violations.push(`${where}: ${live} live calls > concurrency ${spec.concurrency}`);
    if (!spec.ignoreWindow) {
      const tz = db
        .prepare<[number], { timezone: string | null }>('SELECT timezone FROM contacts WHERE id = ?')
        .get(call.contact_id)!.timezone;
      const [sh, sm] = spec.window.start.split(':').map(Number);
      const [eh, em] = spec.window.end.split(':').map(Number);
      for (const zone of oracleZones(tz, req.to, spec.defaultTimezone)) {
        const lt = localParts(zone, now);
        if (lt.minute < sh * 60 + sm || lt.minute >= eh * 60 + em || !spec.days.includes(lt.weekday)) {
          violations.push(`${where}: outside the window in ${zone} (local minute ${lt.minute}, weekday ${lt.weekday})`);
        }
      }
    }
    const prior = db
      .prepare<[number, number, number], { ended_at: number | null; conversation: number; counts_as_attempt: number }>(
        'SELECT ended_at, conversation, counts_as_attempt FROM calls WHERE campaign_id = ? AND contact_id = ? AND id < ? ORDER BY id',
      )
      .all(call.campaign_id, call.contact_id, req.callId)
      .filter((c) => c.counts_as_attempt === 1);
    if (prior.some((c) => c.conversation === 1)) violations.push(`${where}: contact already had a conversation`);
    if (prior.length + 1 > spec.maxAttempts)
      violations.push(`${where}: attempt ${prior.length + 1} > max ${spec.maxAttempts}`);
    const last = prior[prior.length - 1];
    if (last) {
      const delay = spec.retryDelaysMs[Math.min(prior.length - 1, spec.retryDelaysMs.length - 1)];
      if (last.ended_at === null) violations.push(`${where}: previous attempt still live`);
      else if (now < last.ended_at + delay)
        violations.push(`${where}: retried ${now - last.ended_at} ms after the last attempt (delay ${delay})`);
    }
    const prev = lastPlacement.get(call.campaign_id);
    if (spec.pacingMs > 0 && prev !== undefined && now - prev < spec.pacingMs)
      violations.push(`${where}: pacing ${now - prev} < ${spec.pacingMs}`);
    lastPlacement.set(call.campaign_id, now);
  };

  const world = new FakeWorld({
    random: r,
    now: () => clock.now(),
    duplicateRate: 0.2,
    jitterMs: 20_000,
    lossRate: 0.04,
    earlyWebhookRate: 0.2,
    outcomeHints: ['confirmed', 'Not Interested', 'do not call', undefined, undefined],
    capabilities: { reconcile: r() < 0.5 },
    onPlace: checkDial,
    deliverNow: (e) => core.calls.applyEvent(e, null, JSON.stringify(e)),
  });
  core.providers.use(world);
  await core.start();

  // Two lists sharing part of a phone pool: the same number can be in both campaigns at once.
  const pool = phonePool(r, 24);
  const makeList = (name: string, size: number) => {
    const phones = [...pool].sort(() => r() - 0.5).slice(0, size);
    const contacts: SeedContact[] = phones.map((phone, i) => ({
      name: `${name}-${i}`,
      phone,
      timezone: CONTACT_ZONES[Math.floor(r() * CONTACT_ZONES.length)],
    }));
    contacts.push({ name: `${name}-nophone`, phone: null });
    return seedList(db, name, contacts, clock.now());
  };
  const lists = [makeList('A', 14), makeList('B', 12)];
  for (const [i, list] of lists.entries()) {
    const startH = 8 + Math.floor(r() * 3);
    const endH = 17 + Math.floor(r() * 4);
    const spec: Omit<CampaignSpec, 'id'> = {
      concurrency: 1 + Math.floor(r() * 4),
      maxAttempts: 1 + Math.floor(r() * 3),
      retryDelaysMs: Array.from({ length: 1 + Math.floor(r() * 3) }, () => (1 + Math.floor(r() * 20)) * MIN),
      retryOn: r() < 0.5 ? ['failed', 'busy', 'no_answer'] : ['failed', 'busy', 'no_answer', 'voicemail'],
      window: { start: `${String(startH).padStart(2, '0')}:00`, end: `${endH}:30` },
      days: r() < 0.3 ? [1, 2, 3, 4, 5] : [0, 1, 2, 3, 4, 5, 6],
      ignoreWindow: r() < 0.25,
      pacingMs: r() < 0.5 ? 0 : (5 + Math.floor(r() * 30)) * 1000,
      defaultTimezone: r() < 0.5 ? 'UTC' : 'Asia/Kolkata',
    };
    const c = await core.api['campaigns.create']({
      name: `Campaign ${i}`,
      listIds: [list.listId],
      provider: 'retell',
      voiceAgentId: 'agent-1',
      settings: {
        ...spec,
        retryOn: spec.retryOn as ('failed' | 'busy' | 'no_answer' | 'voicemail')[],
        outcomeMapping: { 'not interested': 'not_interested' },
      },
      startAt: null,
    });
    specs.set(c.id, { ...spec, id: c.id });
    await core.api['campaigns.start']({ id: c.id });
  }

  const deliver = () => {
    for (const d of world.due(clock.now())) core.calls.applyEvent(d.event, null, JSON.stringify(d.event));
  };
  const checkStore = (when: string) => {
    const doubled = db
      .prepare(`SELECT phone, COUNT(*) AS n FROM calls WHERE status <> 'ended' GROUP BY phone HAVING n > 1`)
      .all();
    if (doubled.length) violations.push(`${when}: two live calls for one number ${JSON.stringify(doubled)}`);
    const orphans = db
      .prepare(
        `SELECT cc.campaign_id, cc.contact_id FROM campaign_contacts cc WHERE cc.state = 'active' AND NOT EXISTS
           (SELECT 1 FROM calls WHERE calls.campaign_id = cc.campaign_id AND calls.contact_id = cc.contact_id AND calls.status <> 'ended')`,
      )
      .all();
    if (orphans.length) violations.push(`${when}: active contacts without a live call ${JSON.stringify(orphans)}`);
    const loose = db
      .prepare(
        `SELECT calls.id FROM calls JOIN campaign_contacts cc ON cc.campaign_id = calls.campaign_id AND cc.contact_id = calls.contact_id
         WHERE calls.status <> 'ended' AND cc.state <> 'active'`,
      )
      .all();
    if (loose.length) violations.push(`${when}: live calls whose contact is not active ${JSON.stringify(loose)}`);
  };

  const ids = [...specs.keys()];
  for (let step = 0; step < steps; step++) {
    const roll = r();
    const id = ids[Math.floor(r() * ids.length)];
    const state = (await core.api['campaigns.get']({ id })).state;
    if (roll < 0.04 && state === 'running') await core.api['campaigns.pause']({ id });
    else if (roll < 0.1 && state === 'paused') await core.api['campaigns.resume']({ id });
    else if (roll < 0.13)
      await core.api['dnc.add']({ phones: [pool[Math.floor(r() * pool.length)]], reason: 'asked by phone' });
    clock.advance(r() < 0.1 ? 10 * MIN : 1_000 + Math.floor(r() * 60_000));
    deliver();
    await core.dialer.idle();
    checkStore(`step ${step}`);
    expect(violations).toEqual([]);
  }

  // Drain: resume everything and let the clock run (days if windows demand) until every campaign completes.
  for (const id of ids)
    if ((await core.api['campaigns.get']({ id })).state === 'paused') await core.api['campaigns.resume']({ id });
  for (let i = 0; i < 2000; i++) {
    const states = await Promise.all(ids.map(async (id) => (await core.api['campaigns.get']({ id })).state));
    if (states.every((s) => s === 'completed') && world.pending() === 0) break;
    clock.advance(i % 3 ? 5 * MIN : 20_000);
    deliver();
    await core.dialer.idle();
    checkStore(`drain ${i}`);
  }
  expect(violations).toEqual([]);

  // Calls the console ended on its own authority because the provider went quiet or no longer knew them (stale) are
  // failed whatever the provider says later, and may be retried.
  for (const id of ids) {
    const spec = specs.get(id)!;
    expect((await core.api['campaigns.get']({ id })).state).toBe('completed');
    const rows = db
      .prepare<
        [number],
        {
          contact_id: number;
          state: string;
          phone: string | null;
          excluded_reason: string | null;
          last_result: string | null;
        }
      >(
        `SELECT cc.contact_id, cc.state, c.phone, cc.excluded_reason, cc.last_result FROM campaign_contacts cc JOIN contacts c ON c.id = cc.contact_id WHERE cc.campaign_id = ?`,
      )
      .all(id);
    for (const row of rows) {
      const calls = db
        .prepare<[number, number], { result: string; conversation: number; stale: number }>(
          'SELECT result, conversation, stale FROM calls WHERE campaign_id = ? AND contact_id = ? AND counts_as_attempt = 1 ORDER BY id',
        )
        .all(id, row.contact_id);
      const where = `campaign ${id} contact ${row.contact_id}`;
      if (row.state === 'excluded') {
        const onDnc =
          row.phone !== null && db.prepare('SELECT 1 FROM dnc WHERE phone = ?').get(row.phone) !== undefined;
        expect(onDnc || row.phone === null, `${where}: excluded (${row.excluded_reason}) without cause`).toBe(true);
        continue;
      }
      expect(row.state, where).toBe('done');
      const last = calls[calls.length - 1];
      expect(last, `${where}: done without any call`).toBeDefined();
      const reached = calls.some((c) => c.conversation === 1);
      const exhausted = calls.length >= spec.maxAttempts;
      const notRetryable = !spec.retryOn.includes(last.result) && !last.stale;
      expect(reached || exhausted || notRetryable, `${where}: done too early ${JSON.stringify(calls)}`).toBe(true);
    }
  }
  // The store agrees with what the world did, for every call whose end was reported, unless the console had
  // already ended it as stale.
  for (const [callId, truth] of world.byCallId) {
    const row = db
      .prepare<[number], { status: string; result: string; stale: number }>(
        'SELECT status, result, stale FROM calls WHERE id = ?',
      )
      .get(callId)!;
    expect(row.status).toBe('ended');
    expect(row.result, `call ${callId}`).toBe(row.stale ? 'failed' : truth.result);
  }
  expect(db.prepare(`SELECT COUNT(*) AS n FROM calls WHERE status <> 'ended'`).get()).toEqual({ n: 0 });
  // Pause never cancels calls in flight; the only hang-ups are of calls the console ended as stale (stuck ringing).
  const hungUp = world.cancelled.filter(
    (providerCallId) =>
      db.prepare<[string], { stale: number }>('SELECT stale FROM calls WHERE provider_call_id = ?').get(providerCallId)
        ?.stale !== 1,
  );
  expect(hungUp, 'pause must not cancel calls in flight').toEqual([]);
  return { calls: world.byCallId.size, keys: world.keys.length };
}

describe('dialer rules under random campaigns', () => {
  for (const seed of [11, 23, 37, 58]) {
    it(`seed ${seed}: no rule is ever broken`, async () => {
      const { calls, keys } = await runScenario(seed, 250);
      expect(calls).toBeGreaterThan(5);
      expect(keys).toBe(calls);
    });
  }
});
