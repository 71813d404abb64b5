import { afterEach, describe, expect, it } from 'vitest';
import type { CampaignSettings } from '../../src/shared/domain';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { rng } from '../support/random';
import { FakeWorld, seedList, type SeedContact, type WorldOptions } from './support';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const MIN = 60_000;
const START = Date.UTC(2026, 4, 19, 6, 0, 0); // Tuesday 06:00 UTC = 11:30 in Kolkata, 23:00 (Monday) in Los Angeles

async function setup(world: Partial<WorldOptions> = {}) {
  const clock = new ManualClock(START);
  const core = createTestCore({ clock });
  cleanups.push(() => core.cleanup());
  const w = new FakeWorld({ random: rng(3), now: () => clock.now(), ...world });
  core.providers.use(w);
  await core.start();
  const deliver = () => {
    for (const d of w.due(clock.now())) core.calls.applyEvent(d.event, null, JSON.stringify(d.event));
  };
  const step = async (ms: number) => {
    clock.advance(ms);
    deliver();
    await core.dialer.idle();
  };
  const campaign = async (
    contacts: SeedContact[] | number,
    settings: Partial<CampaignSettings>,
    startAt: number | null = null,
  ) => {
    const listId = typeof contacts === 'number' ? contacts : seedList(core.db, 'L', contacts).listId;
    return core.api['campaigns.create']({
      name: 'C',
      listIds: [listId],
      provider: 'retell',
      voiceAgentId: null,
      settings,
      startAt,
    });
  };
  const ccRow = (campaignId: number, contactId: number) =>
    core.db
      .prepare<
        [number, number],
        { state: string; attempts: number; wait_reason: string | null; next_at: number | null }
      >('SELECT state, attempts, wait_reason, next_at FROM campaign_contacts WHERE campaign_id = ? AND contact_id = ?')
      .get(campaignId, contactId);
  const dialled = () => w.keys.length;
  return { clock, core, world: w, step, deliver, campaign, ccRow, dialled };
}

const three: SeedContact[] = [
  { name: 'A', phone: '+919812340001' },
  { name: 'B', phone: '+919812340002' },
  { name: 'C', phone: '+919812340003' },
];

describe('campaign moves', () => {
  it('cancel asks the provider to stop live calls and dials nobody else; re-run calls only the unreached', async () => {
    const { core, world, step, campaign, dialled } = await setup();
    const c = await campaign(three, { ignoreWindow: true, concurrency: 2 });
    await core.api['campaigns.start']({ id: c.id });
    await core.dialer.tick();
    expect(dialled()).toBe(2);
    const cancelled = await core.api['campaigns.cancel']({ id: c.id });
    expect(cancelled.state).toBe('cancelled');
    expect(world.cancelled).toHaveLength(2);
    await step(5_000);
    await step(30 * MIN);
    expect(dialled()).toBe(2);
    const calls = await core.api['calls.list']({ campaignId: c.id, limit: 10 });
    expect(calls.every((x) => x.status === 'ended' && x.result === 'canceled')).toBe(true);
    await expect(Promise.resolve().then(() => core.api['campaigns.start']({ id: c.id }))).rejects.toThrow(/re-run/);

    // One contact is marked reached (a conversation on a call of this campaign): re-run must skip them.
    core.db.prepare('UPDATE calls SET conversation = 1 WHERE id = ?').run(calls[0].id);
    const rerun = await core.api['campaigns.rerun']({ id: c.id });
    expect(rerun.state).toBe('running');
    await core.dialer.tick();
    const again = world.keys.slice(2).map((k) => Number(/-k(\d+)-/.exec(k)![1]));
    expect(again).toHaveLength(2);
    expect(again).not.toContain(calls[0].contactId);
  });

  it('pause lets calls in flight finish and starts none; resume continues', async () => {
    const { core, world, step, campaign, dialled } = await setup();
    const c = await campaign(three, { ignoreWindow: true, concurrency: 1 });
    await core.api['campaigns.start']({ id: c.id });
    await core.dialer.tick();
    expect(dialled()).toBe(1);
    await core.api['campaigns.pause']({ id: c.id });
    await step(10 * MIN);
    expect(world.cancelled).toEqual([]);
    expect(dialled()).toBe(1);
    expect((await core.api['calls.list']({ campaignId: c.id, limit: 10 }))[0].status).toBe('ended');
    await core.api['campaigns.resume']({ id: c.id });
    await step(0);
    expect(dialled()).toBe(2);
  });

  it('a scheduled campaign starts at its start time', async () => {
    const { core, step, campaign, dialled, clock } = await setup();
    const c = await campaign(three, { ignoreWindow: true }, clock.now() + 60 * MIN);
    expect((await core.api['campaigns.start']({ id: c.id })).state).toBe('scheduled');
    await step(59 * MIN);
    expect(dialled()).toBe(0);
    await step(MIN);
    expect((await core.api['campaigns.get']({ id: c.id })).state).toBe('running');
    expect(dialled()).toBe(3);
  });
});

describe('campaign settings', () => {
  it('an update changes only the fields given and refuses a running campaign', async () => {
    const { core, campaign } = await setup();
    const c = await campaign(three, { maxAttempts: 5, window: { start: '10:00', end: '18:00' } });
    const u = await core.api['campaigns.update']({ id: c.id, settings: { concurrency: 7 } });
    expect(u.settings).toMatchObject({ concurrency: 7, maxAttempts: 5, window: { start: '10:00', end: '18:00' } });
    await core.api['campaigns.start']({ id: c.id });
    await expect(
      Promise.resolve().then(() => core.api['campaigns.update']({ id: c.id, settings: { concurrency: 1 } })),
    ).rejects.toThrow(/pause it/);
    await expect(
      Promise.resolve().then(() =>
        core.api['campaigns.create']({
          name: 'x',
          listIds: [9999],
          provider: 'retell',
          voiceAgentId: null,
          settings: {},
          startAt: null,
        }),
      ),
    ).rejects.toThrow(/List 9999 does not exist/);
    await expect(
      Promise.resolve().then(() =>
        core.api['campaigns.create']({
          name: 'x',
          listIds: [1],
          provider: 'retell',
          voiceAgentId: null,
          settings: { defaultTimezone: 'Mars/Base' },
          startAt: null,
        }),
      ),
    ).rejects.toThrow(/defaultTimezone/);
  });
});

describe('call now, selection and priority', () => {
  it('call now creates a campaign holding only the chosen contacts', async () => {
    const { core, campaign, world } = await setup();
    const { ids } = seedList(core.db, 'Big', three);
    const { campaign: c, queued } = await core.api['campaigns.callNow']({
      contactIds: [ids[1]],
      provider: 'retell',
      voiceAgentId: null,
      settings: { ignoreWindow: true },
    });
    expect(queued).toBe(1);
    expect(c.state).toBe('running');
    await core.dialer.tick();
    expect(world.keys).toHaveLength(1);
    expect(world.byCallId.values().next().value!.req.to).toBe('+919812340002');
    expect((await core.api['campaigns.progress']({ id: c.id })).total).toBe(1);
    void campaign;
  });

  it('contacts called now jump the queue of a busy campaign', async () => {
    const { core, campaign, world } = await setup();
    const { listId, ids } = seedList(core.db, 'L', three);
    const c = await campaign(listId, { ignoreWindow: true, concurrency: 1 });
    await core.api['campaigns.callNow']({
      contactIds: [ids[2]],
      campaignId: c.id,
      provider: 'retell',
      voiceAgentId: null,
      settings: {},
    });
    await core.dialer.tick();
    expect(world.keys).toHaveLength(1);
    expect(world.byCallId.values().next().value!.req.to).toBe('+919812340003');
  });
});

describe('rules at the moment of dialling', () => {
  it('waits for the recipient’s window (zone column, else the number’s country) instead of failing', async () => {
    const { core, campaign, ccRow, world, step } = await setup();
    const { listId, ids } = seedList(core.db, 'L', [
      { name: 'Kolkata', phone: '+919812340001' },
      { name: 'LA by column', phone: '+919812340002', timezone: 'America/Los_Angeles' },
      { name: 'US by number', phone: '+14155550123' },
    ]);
    const c = await campaign(listId, { window: { start: '09:00', end: '20:00' } });
    await core.api['campaigns.start']({ id: c.id });
    await core.dialer.tick();
    expect(world.keys).toHaveLength(1);
    expect(ccRow(c.id, ids[1])).toMatchObject({
      state: 'pending',
      wait_reason: 'window',
      next_at: Date.UTC(2026, 4, 19, 16, 0),
    });
    // A US number without a zone column is where its area code is: 415 is San Francisco, so 09:00 in Los Angeles.
    expect(ccRow(c.id, ids[2])).toMatchObject({
      state: 'pending',
      wait_reason: 'window',
      next_at: Date.UTC(2026, 4, 19, 16, 0),
    });
    const waiting = await core.api['campaigns.waiting']({ id: c.id, limit: 10, offset: 0 });
    expect(waiting.map((w) => w.waitReason)).toEqual(['window', 'window']);
    await step(10 * 60 * MIN);
    expect(new Set([...world.byCallId.values()].map((x) => x.req.to)).size).toBe(3);
  });

  it('never rings a number already in a live call of another campaign; that contact waits', async () => {
    const { core, campaign, world } = await setup();
    const a = await campaign([{ name: 'X', phone: '+919812349999' }], { ignoreWindow: true });
    const b = await campaign([{ name: 'X again', phone: '+919812349999' }], { ignoreWindow: true });
    await core.api['campaigns.start']({ id: a.id });
    await core.api['campaigns.start']({ id: b.id });
    await core.dialer.tick();
    expect(world.keys).toHaveLength(1);
    const waiting =
      (await core.api['campaigns.waiting']({ id: b.id, limit: 5, offset: 0 }))[0] ??
      (await core.api['campaigns.waiting']({ id: a.id, limit: 5, offset: 0 }))[0];
    expect(waiting.waitReason).toBe('number_busy');
    expect(waiting.attempts).toBe(0);
  });

  it('a number put on the DNC list is skipped right before the dial', async () => {
    const { core, campaign, ccRow, world } = await setup();
    const { listId, ids } = seedList(core.db, 'L', three);
    const c = await campaign(listId, { ignoreWindow: true });
    await core.api['campaigns.start']({ id: c.id });
    await core.api['dnc.add']({ phones: ['+919812340002'] });
    await core.dialer.tick();
    expect(world.keys).toHaveLength(2);
    expect(ccRow(c.id, ids[1])?.state).toBe('excluded');
  });

  it('a call whose webhooks never arrive is looked up after a few silent minutes, freeing its slot long before 15', async () => {
    const { core, campaign, world, step } = await setup({ lossRate: 1, capabilities: { reconcile: true } });
    const { listId } = seedList(core.db, 'L', three.slice(0, 2));
    const c = await campaign(listId, { ignoreWindow: true, concurrency: 1 });
    await core.api['campaigns.start']({ id: c.id });
    await core.dialer.tick();
    await step(10_000);
    const [first] = await core.api['calls.list']({ campaignId: c.id, limit: 5 });
    expect(first.status).toBe('ringing');
    const truth = world.calls.get(first.providerCallId!)!;
    let minutes = 0;
    while (world.keys.length < 2 && minutes < 15) {
      await step(MIN);
      minutes++;
    }
    expect(world.keys, 'the second contact dialled once the first call was looked up').toHaveLength(2);
    expect(minutes).toBeLessThanOrEqual(Math.ceil((truth.endsAt - START) / MIN) + 4);
    const ended = (await core.api['calls.list']({ campaignId: c.id, limit: 5 })).find((x) => x.id === first.id)!;
    expect(ended).toMatchObject({ status: 'ended', result: truth.result });
    expect(core.db.prepare('SELECT stale FROM calls WHERE id = ?').get(first.id)).toEqual({ stale: 0 });
  });

  it('a call nobody reports on for 15 minutes is failed as stale and the contact is retried', async () => {
    const { core, campaign, ccRow, world, step } = await setup({ lossRate: 1 });
    const { listId, ids } = seedList(core.db, 'L', three.slice(0, 1));
    const c = await campaign(listId, { ignoreWindow: true, maxAttempts: 2, retryOn: ['busy'] });
    await core.api['campaigns.start']({ id: c.id });
    await core.dialer.tick();
    await step(10_000);
    expect((await core.api['calls.list']({ campaignId: c.id, limit: 5 }))[0].status).toBe('ringing');
    for (let i = 0; i < 17; i++) await step(MIN);
    const [call] = await core.api['calls.list']({ campaignId: c.id, limit: 5 });
    expect(call).toMatchObject({ status: 'ended', result: 'failed' });
    expect(call.error).toMatch(/^Stale:/);
    expect(core.db.prepare('SELECT stale FROM calls WHERE id = ?').get(call.id)).toEqual({ stale: 1 });
    expect(ccRow(c.id, ids[0])).toMatchObject({ state: 'pending', wait_reason: 'retry_delay', attempts: 1 });
    expect(world.keys).toHaveLength(1);
  });
});
