import { afterEach, describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/main/core/providers/types';
import type { AnyEvent } from '../../src/shared/contract';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { rng } from '../support/random';
import { FakeWorld, seedList } from './support';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A core with one placed call (status initiated) on a fake provider; events are applied by hand. */
async function oneCall(opts: { earlyWebhook?: boolean } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 4, 19, 6, 0, 0));
  const core = createTestCore({ clock });
  cleanups.push(() => core.cleanup());
  const busEvents: AnyEvent[] = [];
  core.bus.subscribe((e) => busEvents.push(e));
  const world = new FakeWorld({
    random: rng(1),
    now: () => clock.now(),
    earlyWebhookRate: opts.earlyWebhook ? 1 : 0,
    deliverNow: (e) => core.calls.applyEvent(e, null, JSON.stringify(e)),
  });
  core.providers.use(world);
  await core.start();
  const { listId, ids } = seedList(core.db, 'L', [{ name: 'Asha', phone: '+919812345678' }]);
  const campaign = await core.api['campaigns.create']({
    name: 'C',
    listIds: [listId],
    provider: 'retell',
    voiceAgentId: null,
    settings: { ignoreWindow: true, outcomeMapping: { 'Please Stop': 'do_not_call' } },
    startAt: null,
  });
  await core.api['campaigns.start']({ id: campaign.id });
  await core.dialer.tick();
  const [call] = await core.api['calls.list']({ limit: 10 });
  const pcid = call.providerCallId!;
  const ev = (key: string, e: Partial<NormalizedEvent>): NormalizedEvent => ({
    provider: 'retell',
    providerCallId: pcid,
    dedupeKey: `${pcid}:${key}`,
    kind: key,
    ...e,
  });
  const apply = (e: NormalizedEvent) => core.calls.applyEvent(e, null, JSON.stringify(e));
  const get = async () => core.api['calls.get']({ id: call.id });
  return { core, clock, world, call, ev, apply, get, busEvents, contactId: ids[0], campaignId: campaign.id };
}

describe('CallLifecycle.applyEvent', () => {
  it('applies an event once: the same event again is recorded as duplicate and changes nothing', async () => {
    const { apply, ev, get } = await oneCall();
    expect(apply(ev('ringing', { status: 'ringing' }))).toBe('applied');
    expect(
      apply(ev('answered', { status: 'in_progress', transcript: [{ speaker: 'agent', text: 'hello', atMs: 0 }] })),
    ).toBe('applied');
    const before = await get();
    expect(
      apply(ev('answered', { status: 'in_progress', transcript: [{ speaker: 'agent', text: 'CHANGED', atMs: 0 }] })),
    ).toBe('duplicate');
    const after = await get();
    expect(after.call).toEqual(before.call);
    expect(after.transcript.map((t) => t.text)).toEqual(['hello']);
    expect(after.events.map((e) => e.disposition)).toEqual(['applied', 'applied', 'duplicate']);
  });

  it('never moves status backwards: ringing after completed is recorded as stale and ignored', async () => {
    const { apply, ev, get } = await oneCall();
    apply(ev('answered', { status: 'in_progress' }));
    expect(apply(ev('ended', { status: 'ended', result: 'completed', conversation: true, durationS: 42 }))).toBe(
      'applied',
    );
    expect(apply(ev('ringing', { status: 'ringing' }))).toBe('stale');
    expect(apply(ev('answered-again', { status: 'in_progress' }))).toBe('stale');
    const { call, events } = await get();
    expect(call.status).toBe('ended');
    expect(call.result).toBe('completed');
    expect(call.durationS).toBe(42);
    expect(events.map((e) => e.disposition)).toEqual(['applied', 'applied', 'stale', 'stale']);
  });

  it('a late analysis after the end fills missing final data (enriched) but never changes the result', async () => {
    const { apply, ev, get, core, busEvents } = await oneCall();
    apply(ev('ended', { status: 'ended', result: 'completed', conversation: true }));
    const d = apply(
      ev('analyzed', {
        status: 'ended',
        result: 'failed',
        summary: 'Customer confirmed the delivery for Friday',
        outcomeHint: 'Confirmed',
        transcript: [
          { speaker: 'agent', text: 'Can we deliver on Friday?', atMs: 0 },
          { speaker: 'customer', text: 'Yes, Friday works', atMs: 1500 },
        ],
        extracted: { order_id: 'A-17' },
        cost: 0.12,
      }),
    );
    expect(d).toBe('enriched');
    const { call, transcript } = await get();
    expect(call.result).toBe('completed');
    expect(call.summary).toBe('Customer confirmed the delivery for Friday');
    expect(call.outcome).toBe('confirmed');
    expect(call.cost).toBe(0.12);
    expect(call.extracted).toEqual({ order_id: 'A-17' });
    expect(transcript).toHaveLength(2);
    // Nothing new to add: stale.
    expect(apply(ev('analyzed-2', { status: 'ended', summary: 'other' }))).toBe('stale');
    expect((await get()).call.summary).toBe('Customer confirmed the delivery for Friday');
    // The transcript and summary are searchable, with the match marked.
    const hits = await core.api['transcripts.search']({ query: 'friday', limit: 10 });
    expect(hits).toHaveLength(1);
    expect(hits[0].snippet).toContain('[[Friday]]');
    expect(await core.api['transcripts.search']({ query: 'frid', outcome: 'confirmed', limit: 10 })).toHaveLength(1);
    expect(await core.api['transcripts.search']({ query: 'friday', outcome: 'cancelled', limit: 10 })).toHaveLength(0);
    expect(await core.api['transcripts.search']({ query: 'delivery', result: 'completed', limit: 10 })).toHaveLength(1);
    // Whatever a person types is a valid query (FTS syntax is neutralised).
    expect(await core.api['transcripts.search']({ query: 'friday" OR (NEAR* ^', limit: 10 })).toEqual([]);
    expect(busEvents.some((e) => e.type === 'call.transcript')).toBe(true);
  });

  it('an unknown call changes nothing and says so (the webhook server keeps it for later)', async () => {
    const { core, get } = await oneCall();
    const before = await get();
    const d = core.calls.applyEvent(
      {
        provider: 'retell',
        providerCallId: 'nobody',
        dedupeKey: 'nobody:ended',
        kind: 'ended',
        status: 'ended',
        result: 'completed',
      },
      null,
      '{}',
    );
    expect(d).toBe('unknown_call');
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM call_events').get()).toEqual({ n: before.events.length });
    // Our own id with another provider's name does not match either.
    expect(
      core.calls.applyEvent(
        { provider: 'bolna', providerCallId: null, callId: before.call.id, dedupeKey: 'x', kind: 'x', status: 'ended' },
        null,
        '{}',
      ),
    ).toBe('unknown_call');
    expect((await get()).call).toEqual(before.call);
  });

  it('a webhook that arrives before placeCall returns is applied, and placeCall returning does not move status back', async () => {
    const { get } = await oneCall({ earlyWebhook: true });
    const { call, events } = await get();
    expect(call.status).toBe('ringing');
    expect(call.providerCallId).toMatch(/^pc-/);
    expect(events[0].disposition).toBe('applied');
  });

  it('outcome do_not_call (through the campaign mapping) puts the number on the DNC list at once', async () => {
    const { apply, ev, get, core } = await oneCall();
    apply(ev('ended', { status: 'ended', result: 'completed', conversation: true, outcomeHint: 'please stop' }));
    expect((await get()).call.outcome).toBe('do_not_call');
    const dnc = await core.api['dnc.list']({ limit: 10 });
    expect(dnc.map((d) => d.phone)).toEqual(['+919812345678']);
  });

  it("the provider's analysis and an agent's wrap-up set an outcome the same way: call, contact, log, event, DNC", async () => {
    const { apply, ev, core, call, campaignId, contactId, busEvents } = await oneCall();
    const contactOutcome = () =>
      core.db
        .prepare<[number, number], { outcome: string | null }>(
          'SELECT outcome FROM campaign_contacts WHERE campaign_id = ? AND contact_id = ?',
        )
        .get(campaignId, contactId)?.outcome;
    const outcomeLines = async () =>
      (await core.api['campaigns.log']({ id: campaignId, limit: 50 }))
        .filter((l) => l.callId === call.id && / outcome /.test(l.message))
        .map((l) => l.message);
    const publishedOutcomes = () =>
      busEvents.flatMap((e) => (e.type === 'call.updated' && e.payload.id === call.id ? [e.payload.outcome] : []));

    // The provider hands the call to a person; its analysis says the customer is a qualified lead.
    apply(ev('transferring', { status: 'transferring' }));
    apply(ev('ended', { status: 'ended', result: 'transferred', conversation: true, outcomeHint: 'qualified lead' }));
    expect(contactOutcome()).toBe('qualified_lead');
    expect(await outcomeLines()).toEqual([
      `Call ${call.id} to +919812345678: outcome qualified_lead (the provider's analysis)`,
    ]);
    expect(publishedOutcomes().at(-1)).toBe('qualified_lead');

    // The agent's wrap-up: do not call again.
    const [transfer] = await core.api['transfers.list']({ callId: call.id, limit: 5 });
    busEvents.length = 0;
    await core.api['transfers.dispose']({ id: transfer.id, disposition: 'do_not_call', notes: 'asked to stop' });
    expect((await core.api['calls.get']({ id: call.id })).call.outcome).toBe('do_not_call');
    expect(contactOutcome()).toBe('do_not_call');
    expect((await outcomeLines())[0]).toBe(
      `Call ${call.id} to +919812345678: outcome do_not_call (the agent's wrap-up of transfer ${transfer.id})`,
    );
    expect(publishedOutcomes()).toEqual(['do_not_call']);
    expect((await core.api['dnc.list']({ limit: 10 })).map((d) => [d.phone, d.source, d.reason])).toEqual([
      ['+919812345678', 'outcome', `Disposition do_not_call after transfer of call ${call.id}`],
    ]);
    expect(core.db.prepare('SELECT callable FROM contacts WHERE id = ?').get(contactId)).toEqual({ callable: 0 });
  });

  it('ending a call decides the contact: a no-answer waits for its retry delay, a conversation is final', async () => {
    const { apply, ev, core, campaignId, clock } = await oneCall();
    apply(ev('ended', { status: 'ended', result: 'no_answer' }));
    const waiting = await core.api['campaigns.waiting']({ id: campaignId, limit: 10, offset: 0 });
    expect(waiting).toHaveLength(1);
    expect(waiting[0].waitReason).toBe('retry_delay');
    expect(waiting[0].nextAt).toBe(clock.now() + 10 * 60_000);
  });
});
