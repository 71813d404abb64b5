import { afterEach, describe, expect, it } from 'vitest';
import { dateTimeInZone, isoWithZone, timeInZone, untilText, zoneAbbreviation } from '../../src/shared/time/format';
import { allTimeZones, resolveZone, timeZoneProblem } from '../../src/shared/time/zones';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { FakeWorld, seedList } from '../engine/support';
import { rng } from '../support/random';

// One resolver for the dialer and the screens: these cases are checked against both.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('resolveZone', () => {
  it('uses a North American number’s area code, not every zone of the country', () => {
    expect(resolveZone(null, '+12125550123', 'UTC')).toEqual({
      zones: ['America/New_York'],
      zone: 'America/New_York',
      source: 'area_code',
    });
    expect(resolveZone(null, '+14155550123', 'UTC').zone).toBe('America/Los_Angeles');
    expect(resolveZone(null, '+13125550123', 'UTC').zone).toBe('America/Chicago');
    expect(resolveZone(null, '+13035550123', 'UTC').zone).toBe('America/Denver');
    expect(resolveZone(null, '+16025550123', 'UTC').zone).toBe('America/Phoenix');
    expect(resolveZone(null, '+14165550123', 'UTC').zone).toBe('America/Toronto');
    expect(resolveZone(null, '+16045550123', 'UTC').zone).toBe('America/Vancouver');
  });

  it('splits states that straddle two zones by area code (and exchange where one area code is split)', () => {
    // Florida: Miami is Eastern, the panhandle (850) mostly Eastern but Pensacola's exchanges are Central.
    expect(resolveZone(null, '+13055550123', 'UTC').zone).toBe('America/New_York');
    expect(resolveZone(null, '+18504305555', 'UTC').zone).toBe('America/Chicago');
    // Tennessee: Nashville Central, Knoxville Eastern.
    expect(resolveZone(null, '+16155550123', 'UTC').zone).toBe('America/Chicago');
    expect(resolveZone(null, '+18655550123', 'UTC').zone).toBe('America/New_York');
    // Texas: Dallas Central, El Paso Mountain.
    expect(resolveZone(null, '+12145550123', 'UTC').zone).toBe('America/Chicago');
    expect(resolveZone(null, '+19155550123', 'UTC').zone).toBe('America/Denver');
    // Indiana: Indianapolis Eastern, the north-west corner (219, Gary) Central by exchange.
    expect(resolveZone(null, '+13175550123', 'UTC').zone).toBe('America/New_York');
    expect(resolveZone(null, '+12198805555', 'UTC').zone).toBe('America/Chicago');
    // An area code that truly spans two zones keeps both: the window must hold in each.
    expect(resolveZone(null, '+17015550123', 'UTC').zones).toEqual(['America/Denver', 'America/North_Dakota/Center']);
  });

  it('lets the contact’s own zone column override the number; an invalid column falls back to the number', () => {
    expect(resolveZone('Europe/Berlin', '+12125550123', 'UTC')).toEqual({
      zones: ['Europe/Berlin'],
      zone: 'Europe/Berlin',
      source: 'contact',
    });
    expect(resolveZone('Mars/Base', '+12125550123', 'UTC').source).toBe('area_code');
    expect(resolveZone(null, '+919812345678', 'UTC')).toMatchObject({ zone: 'Asia/Kolkata', source: 'country' });
    expect(resolveZone(null, null, 'Asia/Dubai')).toMatchObject({ zone: 'Asia/Dubai', source: 'campaign' });
    expect(resolveZone(null, null, 'Nowhere/Else')).toMatchObject({ zone: 'UTC', source: 'campaign' });
  });
});

describe('times with their zone', () => {
  it('names the zone with its letters and follows daylight saving time', () => {
    const winter = Date.UTC(2026, 0, 15, 14, 0);
    const summer = Date.UTC(2026, 6, 15, 13, 0);
    expect(timeInZone(winter, 'America/New_York')).toBe('09:00 EST');
    expect(timeInZone(summer, 'America/New_York')).toBe('09:00 EDT');
    expect(timeInZone(Date.UTC(2026, 0, 15, 3, 30), 'Asia/Kolkata')).toBe('09:00 IST');
    expect(zoneAbbreviation('Europe/London', summer)).toBe('BST');
    expect(dateTimeInZone(winter, 'America/Chicago')).toBe('Thu 15 Jan, 08:00 CST');
    // 08 March 2026, 02:00 in New York does not exist: 07:00 UTC is 03:00 EDT.
    expect(timeInZone(Date.UTC(2026, 2, 8, 7, 0), 'America/New_York')).toBe('03:00 EDT');
  });

  it('gives exports an ISO time with its offset and the zone name', () => {
    expect(isoWithZone(Date.UTC(2026, 0, 15, 3, 30), 'Asia/Kolkata')).toBe('2026-01-15T09:00:00+05:30 Asia/Kolkata');
    expect(isoWithZone(Date.UTC(2026, 6, 15, 13, 0), 'America/New_York')).toBe(
      '2026-07-15T09:00:00-04:00 America/New_York',
    );
    expect(untilText(Date.UTC(2026, 0, 1, 9, 18), Date.UTC(2026, 0, 1, 9, 0))).toBe('in 18 min');
  });

  it('explains a bad zone in plain words and offers the closest name', () => {
    expect(timeZoneProblem('Asia/Kolkata')).toBeNull();
    expect(timeZoneProblem('Kolkata')).toBe('"Kolkata" is not a time zone name; did you mean Asia/Kolkata?');
    expect(timeZoneProblem('')).toMatch(/Choose a time zone/);
    expect(timeZoneProblem('Mars/Base')).toMatch(/not a time zone name/);
    expect(allTimeZones()).toContain('America/North_Dakota/Center');
  });
});

describe('the dialer uses the same resolver', () => {
  // Thursday 15 January 2026, 13:00 UTC: 08:00 in New York and Miami, 07:00 in Chicago and Pensacola, 18:30 in India.
  const START = Date.UTC(2026, 0, 15, 13, 0);

  async function setup() {
    const clock = new ManualClock(START);
    const core = createTestCore({ clock });
    cleanups.push(() => core.cleanup());
    const world = new FakeWorld({ random: rng(5), now: () => clock.now() });
    core.providers.use(world);
    await core.start();
    return { clock, core, world };
  }

  it('opens each contact’s window in their area code’s zone, the column overriding, and reports the opening', async () => {
    const { core, world, clock } = await setup();
    const { listId, ids } = seedList(core.db, 'Split', [
      { name: 'Miami', phone: '+13055550123' },
      { name: 'Pensacola', phone: '+18504305555' },
      { name: 'Pensacola, lives in Kolkata', phone: '+18504305556', timezone: 'Asia/Kolkata' },
    ]);
    const c = await core.api['campaigns.create']({
      name: 'Split',
      listIds: [listId],
      provider: 'retell',
      voiceAgentId: null,
      settings: { window: { start: '09:00', end: '17:00' } },
      startAt: null,
    });
    await core.api['campaigns.start']({ id: c.id });
    await core.dialer.tick();
    const nextAt = (contactId: number) =>
      core.db
        .prepare<[number, number], { next_at: number; wait_reason: string }>(
          'SELECT next_at, wait_reason FROM campaign_contacts WHERE campaign_id = ? AND contact_id = ?',
        )
        .get(c.id, contactId);
    expect(nextAt(ids[0])).toEqual({ next_at: Date.UTC(2026, 0, 15, 14, 0), wait_reason: 'window' });
    expect(nextAt(ids[1])).toEqual({ next_at: Date.UTC(2026, 0, 15, 15, 0), wait_reason: 'window' });
    // 18:30 in Kolkata is past 17:00: tomorrow 09:00 IST.
    expect(nextAt(ids[2])).toEqual({ next_at: Date.UTC(2026, 0, 16, 3, 30), wait_reason: 'window' });
    expect(world.keys).toHaveLength(0);

    const progress = await core.api['campaigns.progress']({ id: c.id });
    expect(progress.windowOpens).toEqual({ at: Date.UTC(2026, 0, 15, 14, 0), zone: 'America/New_York' });
    expect(`${timeInZone(progress.windowOpens!.at, progress.windowOpens!.zone)}`).toBe('09:00 EST');

    clock.advance(60 * 60_000);
    await core.dialer.tick();
    expect(world.keys).toHaveLength(1);
    expect(world.byCallId.values().next().value!.req.to).toBe('+13055550123');
  });
});
