import * as XLSX from '@e965/xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../src/shared/contract/analytics';
import type { CallResult, Outcome } from '../../src/shared/domain';
import { parseCsv } from '../../src/main/core/contacts/csv';
import { CallsRepository, type CallPatch } from '../../src/main/core/store/repositories/calls';
import { DialerRepository } from '../../src/main/core/store/repositories/dialer';
import { createTestCore } from '../support/core';

// A fixture campaign whose every figure was worked out by hand (see the comments beside each expectation).
const T0 = Date.UTC(2026, 4, 19, 9, 0, 0);
const MIN = 60_000;

let core: ReturnType<typeof createTestCore>;
let campaignA: number;
let campaignB: number;

interface FixtureCall {
  contact: number;
  at: number;
  result?: CallResult;
  answered?: boolean;
  conversation?: boolean;
  duration?: number;
  outcome?: Outcome;
  cost?: number;
  sentiment?: string;
  countsAsAttempt?: boolean;
  live?: boolean;
  transferRequested?: boolean;
}

beforeAll(async () => {
  core = createTestCore();
  const a = await core.api['contacts.add']({
    listName: 'Fixture A',
    contacts: [1, 2, 3, 4, 5, 6].map((i) => ({ name: `Contact ${i}`, phone: `+1 201 555 010${i}`, variables: {} })),
  });
  const b = await core.api['contacts.add']({
    listName: 'Fixture B',
    contacts: [{ name: 'Other', phone: '+1 201 555 0199', variables: {} }],
  });
  // Contact 6 is on the do-not-call list: loaded, but not eligible.
  await core.api['dnc.add']({ phones: ['+12015550106'] });
  const settings = { ignoreWindow: true };
  campaignA = (
    await core.api['campaigns.create']({
      name: '=Fixture A',
      listIds: [a.listId],
      provider: 'simulator',
      voiceAgentId: null,
      startAt: null,
      settings,
    })
  ).id;
  campaignB = (
    await core.api['campaigns.create']({
      name: 'Fixture B',
      listIds: [b.listId],
      provider: 'simulator',
      voiceAgentId: null,
      startAt: null,
      settings,
    })
  ).id;
  const dialer = new DialerRepository(core.db);
  dialer.enqueueFromLists(campaignA, 0, T0, T0);
  dialer.enqueueFromLists(campaignB, 0, T0, T0);

  const ids = (listId: number) =>
    (core.db.prepare('SELECT id FROM contacts WHERE list_id = ? ORDER BY id').all(listId) as { id: number }[]).map(
      (r) => r.id,
    );
  const contactsA = ids(a.listId);
  const contactB = ids(b.listId)[0];
  const calls = new CallsRepository(core.db);
  let n = 0;
  const place = (campaignId: number, contactId: number, phone: string, c: FixtureCall) => {
    const id = calls.insertAttempt({
      campaignId,
      contactId,
      phone,
      attempt: 1,
      idempotencyKey: `fixture-${++n}`,
      provider: 'simulator',
      variablesJson: '{}',
      createdAt: c.at,
    });
    const patch: CallPatch = {
      started_at: c.at + 1000,
      answered_at: c.answered ? c.at + 5000 : undefined,
      status: c.live ? 'in_progress' : 'ended',
      result: c.live ? undefined : c.result,
      ended_at: c.live ? undefined : c.at + 120_000,
      conversation: c.conversation ? 1 : 0,
      duration_s: c.duration,
      outcome: c.outcome,
      cost: c.cost,
      sentiment: c.sentiment,
      counts_as_attempt: c.countsAsAttempt === false ? 0 : 1,
    };
    calls.patch(id, patch);
    if (c.transferRequested) {
      core.db
        .prepare("INSERT INTO transfers (call_id, status, requested_at) VALUES (?, 'requested', ?)")
        .run(id, c.at + 6000);
    }
  };
  const fixture: FixtureCall[] = [
    { contact: 1, at: T0, result: 'no_answer' }, // 1
    {
      contact: 1,
      at: T0 + 10 * MIN,
      result: 'completed',
      answered: true,
      conversation: true,
      duration: 45,
      outcome: 'confirmed',
      cost: 0.1,
      sentiment: 'Positive',
    }, // 2
    { contact: 2, at: T0 + 5 * MIN, result: 'busy' }, // 3
    { contact: 2, at: T0 + 70 * MIN, result: 'failed' }, // 4
    {
      contact: 3,
      at: T0 + 20 * MIN,
      result: 'completed',
      answered: true,
      conversation: true,
      duration: 130,
      outcome: 'not_interested',
      cost: 0.3,
      sentiment: 'negative',
    }, // 5
    {
      contact: 4,
      at: T0 + 65 * MIN,
      result: 'transferred',
      answered: true,
      conversation: true,
      duration: 10,
      outcome: 'sale_made',
      sentiment: 'positive ',
    }, // 6
    { contact: 5, at: T0 + 80 * MIN, result: 'voicemail', duration: 20 }, // 7: machine answered: not connected
    { contact: 5, at: T0 + 90 * MIN, answered: true, live: true, transferRequested: true }, // 8: live, being handed over
    { contact: 3, at: T0 + 30 * MIN, result: 'failed', countsAsAttempt: false }, // 9: a 429 refusal, not an attempt
    { contact: 2, at: T0 + 100 * MIN, result: 'canceled' }, // 10
  ];
  for (const c of fixture) place(campaignA, contactsA[c.contact - 1], `+1201555010${c.contact}`, c);
  place(campaignB, contactB, '+12015550199', {
    contact: 0,
    at: T0 + 15 * MIN,
    result: 'completed',
    answered: true,
    conversation: true,
    duration: 60,
  });
});

afterAll(async () => {
  await core?.cleanup();
});

const dashboard = async (q: {
  campaignId?: number | null;
  from?: number | null;
  to?: number | null;
  utcOffsetMinutes?: number;
}) =>
  core.api['analytics.dashboard']({
    campaignId: q.campaignId ?? null,
    from: q.from ?? null,
    to: q.to ?? null,
    utcOffsetMinutes: q.utcOffsetMinutes ?? 0,
  });
const counts = (list: { key: string; count: number }[]) => Object.fromEntries(list.map((r) => [r.key, r.count]));

describe('analytics dashboard figures against the hand-computed fixture', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await dashboard({ campaignId: campaignA });
  });

  it('counts placed, ended, live, connected and conversations', () => {
    expect(d.campaignName).toBe('=Fixture A');
    // Calls 1–8 and 10 (call 9 did not use up an attempt); call 8 is still live.
    expect(d.totals).toMatchObject({ placed: 9, ended: 8, live: 1 });
    // Answered or completed/transferred: calls 2, 5, 6, 8 (7 is voicemail: not connected).
    expect(d.totals.connected).toBe(4);
    expect(d.totals.conversations).toBe(3);
    expect(d.totals.contactsDialled).toBe(5);
  });

  it('computes success and failure rates over attempts that ran to an end (cancelled excluded)', () => {
    // Successes: 2, 5, 6 (completed/transferred); failures: 1 no_answer, 3 busy, 4 failed, 7 voicemail.
    expect(d.totals.successes).toBe(3);
    expect(d.totals.failures).toBe(4);
    expect(d.rates.successRate).toBeCloseTo(3 / 7, 10);
    expect(d.rates.failureRate).toBeCloseTo(4 / 7, 10);
    // Successful outcomes: confirmed (2) and sale_made (6) over 3 conversations.
    expect(d.totals.successfulOutcomes).toBe(2);
    expect(d.rates.outcomeSuccessRate).toBeCloseTo(2 / 3, 10);
    expect(d.rates.connectRate).toBeCloseTo(4 / 9, 10);
  });

  it('computes transfers, attempts per contact, duration and cost', () => {
    // Call 6 ended transferred; call 8 is connected with a transfer requested: 2 of 4 connected.
    expect(d.totals.transfers).toBe(2);
    expect(d.rates.transferRate).toBeCloseTo(0.5, 10);
    expect(d.rates.attemptsPerContact).toBeCloseTo(9 / 5, 10);
    // Contact 1: 2 attempts, 2: 3, 3: 1 (call 9 does not count), 4: 1, 5: 2.
    expect(d.attemptsDistribution).toEqual([
      { attempts: 1, contacts: 2 },
      { attempts: 2, contacts: 2 },
      { attempts: 3, contacts: 1 },
    ]);
    // Connected calls with a duration: 45, 130, 10 (voicemail 20 s is not connected).
    expect(d.duration.averageS).toBeCloseTo(185 / 3, 10);
    expect(d.duration.totalS).toBe(185);
    expect(d.duration.buckets.map((b) => [b.fromS, b.toS, b.count])).toEqual([
      [0, 15, 1],
      [15, 30, 0],
      [30, 60, 1],
      [60, 120, 0],
      [120, 300, 1],
      [300, null, 0],
    ]);
    expect(d.cost.total).toBeCloseTo(0.4, 10);
    expect(d.cost.average).toBeCloseTo(0.2, 10);
    expect(d.cost.callsWithCost).toBe(2);
  });

  it('breaks down results, outcomes and sentiment', () => {
    expect(counts(d.results)).toEqual({
      no_answer: 1,
      completed: 2,
      busy: 1,
      failed: 1,
      transferred: 1,
      voicemail: 1,
      canceled: 1,
    });
    expect(counts(d.outcomes)).toEqual({ confirmed: 1, not_interested: 1, sale_made: 1 });
    expect(counts(d.sentiment)).toEqual({ positive: 2, negative: 1 });
  });

  it('counts calls per hour', () => {
    // 09:00–10:00: calls 1, 2, 3, 5 (connected 2, 5); 10:00–11:00: 4, 6, 7, 8, 10 (connected 6, 8).
    expect(d.perHour).toEqual([
      { hourStart: T0, placed: 4, connected: 2 },
      { hourStart: T0 + 60 * MIN, placed: 5, connected: 2 },
    ]);
    expect(d.averagePerHour).toBe(4.5);
  });

  it("buckets calls per hour on the viewer's clock hours (India, UTC+5:30)", async () => {
    const ist = await dashboard({ campaignId: campaignA, utcOffsetMinutes: 330 });
    // 14:00–15:00 IST is 08:30–09:30 UTC: calls 1, 2, 3, 5; then 6, 4, 7; then 8, 10.
    expect(ist.perHour).toEqual([
      { hourStart: T0 - 30 * MIN, placed: 4, connected: 2 },
      { hourStart: T0 + 30 * MIN, placed: 3, connected: 1 },
      { hourStart: T0 + 90 * MIN, placed: 2, connected: 1 },
    ]);
    expect(ist.totals.placed).toBe(9);
  });

  it('builds the funnel loaded → eligible → dialled → connected → conversation → successful', () => {
    expect(d.funnel.map((s) => [s.stage, s.contacts])).toEqual([
      ['loaded', 6],
      ['eligible', 5], // contact 6 is on the DNC list
      ['dialled', 5],
      ['connected', 4], // contacts 1, 3, 4, 5
      ['conversation', 3], // contacts 1, 3, 4
      ['successful', 2], // contacts 1 (confirmed), 4 (sale made)
    ]);
  });

  it('limits attempts to the date range, and spans campaigns when none is chosen', async () => {
    const later = await dashboard({ campaignId: campaignA, from: T0 + 60 * MIN, to: T0 + 120 * MIN });
    expect(later.totals).toMatchObject({ placed: 5, connected: 2, conversations: 1, live: 1 });
    expect(later.funnel.map((s) => s.contacts)).toEqual([6, 5, 3, 2, 1, 1]);
    const all = await dashboard({});
    expect(all.totals).toMatchObject({ placed: 10, connected: 5, conversations: 4 });
    expect(all.funnel.find((s) => s.stage === 'loaded')?.contacts).toBe(7);
    const onlyB = await dashboard({ campaignId: campaignB });
    expect(onlyB.totals).toMatchObject({ placed: 1, connected: 1 });
    expect(onlyB.duration.averageS).toBe(60);
  });

  it('refuses an unknown campaign and an empty range', async () => {
    await expect(dashboard({ campaignId: 9999 })).rejects.toThrow(/Campaign 9999 does not exist/);
    const empty = await dashboard({ campaignId: campaignA, from: T0 - 10 * MIN, to: T0 - MIN });
    expect(empty.totals.placed).toBe(0);
    expect(empty.rates.successRate).toBeNull();
    expect(empty.duration.averageS).toBeNull();
    expect(empty.cost.total).toBeNull();
  });
});

describe('analytics export', () => {
  it('writes every figure as CSV with formulas neutralised', async () => {
    const file = await core.api['analytics.export']({
      query: { campaignId: campaignA, from: null, to: null, utcOffsetMinutes: 0 },
      format: 'csv',
    });
    expect(file.fileName).toBe('=Fixture A analytics.csv');
    const text = Buffer.from(file.dataBase64, 'base64').toString('utf8');
    const rows = parseCsv(text.replace(/^\ufeff/, ''), ',').map((r) => r.values);
    expect(rows[0]).toEqual(['section', 'figure', 'key', 'value', 'definition']);
    const find = (section: string, figure: string, key = '') =>
      rows.find((r) => r[0] === section && r[1] === figure && r[2] === key);
    // The campaign's name starts with "=": a spreadsheet must not run it.
    expect(find('scope', 'campaign', String(campaignA))?.[3]).toBe("'=Fixture A");
    expect(Number(find('totals', 'placed')?.[3])).toBe(9);
    expect(Number(find('rates', 'successRate')?.[3])).toBeCloseTo(3 / 7, 10);
    expect(find('rates', 'successRate')?.[4]).toMatch(/completed or transferred/);
    expect(Number(find('funnel', 'contacts', 'successful')?.[3])).toBe(2);
    expect(find('funnel', 'contacts', 'eligible')?.[4]).toMatch(/not on the do-not-call list/);
    expect(Number(find('duration distribution', 'connected attempts', '120-300s')?.[3])).toBe(1);
    expect(Number(find('results', 'ended attempts', 'voicemail')?.[3])).toBe(1);
    expect(file.rows).toBe(rows.length - 1);
  });

  it('writes the same table as XLSX', async () => {
    const file = await core.api['analytics.export']({
      query: { campaignId: campaignA, from: null, to: null, utcOffsetMinutes: 0 },
      format: 'xlsx',
    });
    expect(file.fileName).toBe('=Fixture A analytics.xlsx');
    const wb = XLSX.read(Buffer.from(file.dataBase64, 'base64'), { type: 'buffer' });
    const rows = XLSX.utils.sheet_to_json<(string | number)[]>(wb.Sheets[wb.SheetNames[0]], { header: 1 });
    const placed = rows.find((r) => r[0] === 'totals' && r[1] === 'placed');
    expect(placed?.[3]).toBe(9);
    const campaign = rows.find((r) => r[0] === 'scope' && r[1] === 'campaign');
    expect(campaign?.[3]).toBe("'=Fixture A");
    expect(rows.find((r) => r[0] === 'calls per hour' && r[1] === 'average')?.[3]).toBe(4.5);
  });
});
