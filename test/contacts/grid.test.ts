import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/main/core/errors';
import { createTestCore } from '../support/core';

// The grid's backend: paging, sort (fields, call columns, variables), filters, inline edit and bulk actions.

let core: ReturnType<typeof createTestCore>;
let listId: number;
let ids: Record<string, number>;
let campaignId: number;

beforeAll(async () => {
  core = createTestCore();
  const added = await core.api['contacts.add']({
    listName: 'Grid',
    contacts: [
      { name: 'Asha', phone: '9876500001', variables: { city: 'Pune', order_id: 'B-2' } },
      { name: 'bimal', phone: '9876500002', variables: { city: 'delhi', order_id: 'A-1' } },
      { name: 'Chitra', phone: '9876500003', email: 'c@example.com', variables: { city: 'Agra' } },
      { name: 'Dev', phone: '9876500004', variables: {} },
      { name: 'Esha 😊', phone: '+1 415 555 2671', variables: { note: 'urgent' } },
      { name: 'Bad', phone: '123', variables: {} },
    ],
  });
  expect(added).toMatchObject({ accepted: 5, duplicates: 0, rejected: [{ row: 6, column: 'phone', value: '123' }] });
  listId = added.listId;
  const rows = core.db.prepare('SELECT id, name FROM contacts WHERE list_id = ?').all(listId) as {
    id: number;
    name: string;
  }[];
  ids = Object.fromEntries(rows.map((r) => [r.name.split(' ')[0].toLowerCase(), r.id]));
  // A campaign with call history, written the way the dialer writes it.
  const now = 1_700_000_000_000;
  campaignId = Number(
    core.db
      .prepare(
        "INSERT INTO campaigns (name, provider, state, settings_json, created_at, updated_at) VALUES ('COD', 'simulator', 'running', '{}', ?, ?)",
      )
      .run(now, now).lastInsertRowid,
  );
  const cc = core.db.prepare(
    'INSERT INTO campaign_contacts (campaign_id, contact_id, state, attempts, outcome, last_result, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  cc.run(campaignId, ids.asha, 'done', 1, 'confirmed', 'completed', now);
  cc.run(campaignId, ids.bimal, 'pending', 2, null, 'no_answer', now);
  cc.run(campaignId, ids.chitra, 'pending', 0, null, null, now);
  const call = core.db.prepare(
    `INSERT INTO calls (campaign_id, contact_id, phone, attempt, idempotency_key, provider, status, result, outcome, created_at, ended_at, duration_s, summary, extracted_json)
     VALUES (?, ?, ?, ?, ?, 'simulator', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  call.run(
    campaignId,
    ids.asha,
    '+919876500001',
    1,
    'k1',
    'ended',
    'completed',
    'confirmed',
    now,
    now + 60_000,
    61.5,
    'Confirmed the COD order',
    '{"reschedule_date":null,"amount":499}',
  );
  call.run(
    campaignId,
    ids.bimal,
    '+919876500002',
    1,
    'k2',
    'ended',
    'no_answer',
    null,
    now,
    now + 30_000,
    0,
    null,
    null,
  );
  call.run(
    campaignId,
    ids.bimal,
    '+919876500002',
    2,
    'k3',
    'ended',
    'no_answer',
    null,
    now + 1,
    now + 31_000,
    0,
    null,
    null,
  );
});
afterAll(async () => core.cleanup());

type PageInput = Parameters<ReturnType<typeof createTestCore>['api']['contacts.page']>[0];
const page = (input: Partial<PageInput>) => core.api['contacts.page']({ offset: 0, limit: 100, ...input });
const names = (r: { rows: { name: string }[] }) => r.rows.map((c) => c.name);

describe('paging, sorting and filtering', () => {
  it('pages with a total and sorts by fields, call columns and variables', async () => {
    const first = await page({ listId, limit: 2 });
    expect(first.total).toBe(5);
    expect(names(first)).toEqual(['Asha', 'bimal']);
    expect(names(await page({ listId, offset: 4, limit: 2 }))).toEqual(['Esha 😊']);
    expect(names(await page({ listId, sort: { column: 'name', direction: 'desc' } }))).toEqual([
      'Esha 😊',
      'Dev',
      'Chitra',
      'bimal',
      'Asha',
    ]);
    expect(names(await page({ listId, sort: { column: 'var:order_id', direction: 'asc' } })).slice(3)).toEqual([
      'bimal',
      'Asha',
    ]);
    expect(names(await page({ listId, sort: { column: 'var:city', direction: 'asc' } })).slice(3)).toEqual([
      'bimal',
      'Asha',
    ]);
    expect(names(await page({ listId, sort: { column: 'attempts', direction: 'desc' } })).slice(0, 2)).toEqual([
      'bimal',
      'Asha',
    ]);
    await expect(page({ listId, sort: { column: 'drop table', direction: 'asc' } })).rejects.toThrow(
      /Cannot sort by "drop table"/,
    );
  });

  it('shows the latest call per contact', async () => {
    const asha = (await page({ listId, search: 'Asha' })).rows[0];
    expect(asha).toMatchObject({
      lastStatus: 'ended',
      lastResult: 'completed',
      outcome: 'confirmed',
      attempts: 1,
      durationS: 61.5,
      summary: 'Confirmed the COD order',
    });
    const bimal = (await page({ listId, search: 'bimal' })).rows[0];
    expect(bimal).toMatchObject({ lastResult: 'no_answer', attempts: 2, outcome: null });
    expect((await page({ listId, search: 'Dev' })).rows[0]).toMatchObject({ lastStatus: null, attempts: 0 });
  });

  it('filters by text, status, outcome, attempts, campaign and callability', async () => {
    expect(names(await page({ listId, search: 'pune' }))).toEqual(['Asha']);
    expect(names(await page({ listId, search: '98765 00003' }))).toEqual(['Chitra']);
    expect(names(await page({ listId, search: 'c@example' }))).toEqual(['Chitra']);
    expect(names(await page({ listId, search: '100%' }))).toEqual([]);
    expect(names(await page({ listId, status: ['not_called'] }))).toEqual(['Chitra', 'Dev', 'Esha 😊']);
    expect(names(await page({ listId, status: ['no_answer', 'completed'] }))).toEqual(['Asha', 'bimal']);
    expect(names(await page({ listId, outcome: ['confirmed'] }))).toEqual(['Asha']);
    expect((await page({ listId, outcome: ['none'] })).total).toBe(4);
    expect(names(await page({ listId, attemptsMin: 2 }))).toEqual(['bimal']);
    expect(names(await page({ listId, attemptsMax: 0 }))).toEqual(['Chitra', 'Dev', 'Esha 😊']);
    const inCampaign = await page({ campaignId });
    expect(inCampaign.total).toBe(3);
    expect(names(await page({ campaignId, attemptsMin: 1, outcome: ['none'] }))).toEqual(['bimal']);
    expect(await core.api['contacts.columns']({ listId })).toEqual({ variables: ['city', 'order_id', 'note'] });
  });
});

describe('inline edit', () => {
  it('re-normalises the phone, keeps what was typed, and names the field on errors', async () => {
    const updated = await core.api['contacts.update']({
      id: ids.dev,
      phone: '098765-00099',
      name: ' Dev Anand ',
      setVariables: { city: 'Goa' },
    });
    expect(updated).toMatchObject({
      phone: '+919876500099',
      phoneRaw: '098765-00099',
      name: 'Dev Anand',
      variables: { city: 'Goa' },
      callable: true,
    });
    await expect(core.api['contacts.update']({ id: ids.dev, phone: '12' })).rejects.toThrow(
      /^phone: "12" — the number is too short/,
    );
    await expect(core.api['contacts.update']({ id: ids.dev, phone: '9876500001' })).rejects.toThrow(
      /phone: \+919876500001 already belongs to "Asha"/,
    );
    await expect(core.api['contacts.update']({ id: ids.dev, email: 'not-an-email' })).rejects.toThrow(
      /^email: "not-an-email" is not an email address/,
    );
    await expect(core.api['contacts.update']({ id: ids.dev, timezone: 'Mars/Base' })).rejects.toThrow(
      /^timezone: "Mars\/Base"/,
    );
    await expect(core.api['contacts.update']({ id: 999_999, name: 'x' })).rejects.toBeInstanceOf(ApiError);
    const cleared = await core.api['contacts.update']({
      id: ids.dev,
      setVariables: { city: null },
      timezone: 'Asia/Kolkata',
    });
    expect(cleared).toMatchObject({ variables: {}, timezone: 'Asia/Kolkata' });
  });
});

describe('bulk actions', () => {
  it('marks numbers do-not-call across lists and back', async () => {
    const other = await core.api['contacts.add']({
      listName: 'Other',
      contacts: [{ name: 'Asha elsewhere', phone: '+91 98765 00001', variables: {} }],
    });
    const changed: number[] = [];
    const unsubscribe = core.bus.subscribe((e) => {
      if (e.type === 'lists.changed') changed.push(e.payload.listId);
    });
    const r = await core.api['contacts.markDnc']({ selection: { ids: [ids.asha, ids.chitra] }, reason: 'asked' });
    unsubscribe();
    expect(r).toEqual({ numbers: 2, contacts: 3 });
    expect(changed.sort()).toEqual([listId, other.listId].sort());
    expect(names(await page({ callable: false }))).toEqual(['Asha', 'Chitra', 'Asha elsewhere']);
    expect((await page({ listId: other.listId })).rows[0].notCallableReason).toBe('do-not-call list (manual: asked)');
    // A DNC number imported later arrives not callable.
    const again = await core.api['contacts.add']({
      listName: 'Third',
      contacts: [{ name: 'x', phone: '9876500003', variables: {} }],
    });
    expect((await page({ listId: again.listId })).rows[0].callable).toBe(false);
    expect(await core.api['contacts.unmarkDnc']({ selection: { filter: { listId: other.listId } } })).toEqual({
      numbers: 1,
      contacts: 2,
    });
    expect(names(await page({ callable: false }))).toEqual(['Chitra', 'x']);
  });

  it('deletes a selection or a filter, but never a contact on a live call', async () => {
    const now = 1_700_000_100_000;
    core.db
      .prepare(
        "INSERT INTO calls (campaign_id, contact_id, phone, attempt, idempotency_key, provider, status, created_at) VALUES (?, ?, '+14155552671', 1, 'live1', 'simulator', 'ringing', ?)",
      )
      .run(campaignId, ids.esha, now);
    await expect(core.api['contacts.delete']({ ids: [ids.esha, ids.dev] })).rejects.toThrow(
      /1 of the selected contacts are on a call right now/,
    );
    expect(await core.api['contacts.delete']({ filter: { listId, search: 'Dev' } })).toEqual({ deleted: 1 });
    expect(await core.api['contacts.delete']({ ids: [ids.bimal] })).toEqual({ deleted: 1 });
    expect(names(await page({ listId }))).toEqual(['Asha', 'Chitra', 'Esha 😊']);
    // Call history survives the contact.
    expect((core.db.prepare('SELECT COUNT(*) AS n FROM calls WHERE contact_id IS NULL').get() as { n: number }).n).toBe(
      2,
    );
  });
});
