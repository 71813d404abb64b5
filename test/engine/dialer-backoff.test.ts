import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { rng } from '../support/random';
import { FakeWorld, rateLimited, seedList, unavailable } from './support';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(maxAttempts: number) {
  const clock = new ManualClock(Date.UTC(2026, 4, 19, 6, 0, 0));
  const core = createTestCore({ clock });
  cleanups.push(() => core.cleanup());
  const world = new FakeWorld({ random: rng(5), now: () => clock.now() });
  core.providers.use(world);
  await core.start();
  const { listId } = seedList(core.db, 'L', [{ name: 'A', phone: '+919812345601' }]);
  const c = await core.api['campaigns.create']({
    name: 'C',
    listIds: [listId],
    provider: 'retell',
    voiceAgentId: null,
    settings: { ignoreWindow: true, maxAttempts, concurrency: 1 },
    startAt: null,
  });
  await core.api['campaigns.start']({ id: c.id });
  const step = async (ms: number) => {
    clock.advance(ms);
    await core.dialer.idle();
  };
  const contact = () =>
    core.db
      .prepare<[], { state: string; attempts: number; next_at: number | null; wait_reason: string | null }>(
        'SELECT state, attempts, next_at, wait_reason FROM campaign_contacts',
      )
      .get()!;
  return { clock, core, world, campaignId: c.id, step, contact };
}

describe('provider refusals (429 / 503)', () => {
  it('back off exponentially with jitter, honour Retry-After, and never consume the attempt', async () => {
    const { clock, core, world, step, contact } = await setup(1);
    world.errors.push(rateLimited('retell', 30_000), unavailable('retell'), unavailable('retell'));
    const t0 = clock.now();
    await core.dialer.tick();
    // 429 with Retry-After 30 s: not before 30 s, and jitter stays within a quarter of the base step.
    const b1 = core.dialer.backoffUntil('retell')!;
    expect(b1).toBeGreaterThanOrEqual(t0 + 30_000);
    expect(b1).toBeLessThanOrEqual(t0 + 30_000 + 500);
    expect(contact()).toMatchObject({ state: 'pending', attempts: 0, wait_reason: 'provider_backoff' });
    expect(contact().next_at).toBe(b1);

    await step(29_000);
    expect(world.errors).toHaveLength(2); // nothing asked during the backoff
    await step(b1 - clock.now());
    expect(world.errors).toHaveLength(1); // the 503
    const t1 = clock.now();
    const b2 = core.dialer.backoffUntil('retell')!;
    expect(b2 - t1).toBeGreaterThanOrEqual(4_000); // 2 s × 2^(2-1)
    expect(b2 - t1).toBeLessThanOrEqual(5_000);
    await step(b2 - clock.now());
    const t2 = clock.now();
    const b3 = core.dialer.backoffUntil('retell')!;
    expect(b3 - t2).toBeGreaterThanOrEqual(8_000);
    expect(b3 - t2).toBeLessThanOrEqual(10_000);
    await step(b3 - clock.now());

    // The fourth request goes through; with max attempts 1 the contact still got its one real call.
    expect(world.keys).toHaveLength(1);
    expect(contact()).toMatchObject({ state: 'active', attempts: 1 });
    const calls = core.db
      .prepare<[], { counts_as_attempt: number; result: string | null; status: string }>(
        'SELECT counts_as_attempt, result, status FROM calls ORDER BY id',
      )
      .all();
    expect(calls.map((c) => c.counts_as_attempt)).toEqual([0, 0, 0, 1]);
    expect(calls.slice(0, 3).every((c) => c.status === 'ended' && c.result === 'failed')).toBe(true);
    expect(core.dialer.backoffUntil('retell')).toBeNull();
  });

  it('pauses the campaign with a reason after repeated refusals', async () => {
    const { core, world, step, campaignId, contact } = await setup(3);
    for (let i = 0; i < 20; i++) world.errors.push(unavailable('retell'));
    await core.dialer.tick();
    for (let i = 0; i < 40 && (await core.api['campaigns.get']({ id: campaignId })).state === 'running'; i++)
      await step(10 * 60_000);
    const c = await core.api['campaigns.get']({ id: campaignId });
    expect(c.state).toBe('paused');
    expect(c.stateReason).toMatch(/refused 8 calls in a row/);
    expect(contact().attempts).toBe(0);
    expect(world.keys).toHaveLength(0);
    const log = await core.api['campaigns.log']({ id: campaignId, limit: 50 });
    expect(log[0].message).toMatch(/Paused automatically/);
    expect(log.some((l) => /unavailable .*dialing resumes in/.test(l.message))).toBe(true);
  });
});
