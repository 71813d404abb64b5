import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/main/core/providers/types';
import { parseSheetUrl } from '../../src/main/core/sources/google-sheets';
import { CallsRepository } from '../../src/main/core/store/repositories/calls';
import { CELL_LIMIT, sheetStatus } from '../../src/main/core/sources/write-back';
import {
  call,
  campaignQueue,
  contacts,
  type Harness,
  insertCall,
  invoke,
  SEED_HEADER,
  seedSheet,
  serviceAccountKey,
  SHEET_ID,
  SHEET_URL,
  startHarness,
} from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function connectSeed(rows: (string | number)[][], extra: Record<string, unknown> = {}) {
  seedSheet(h.fake, rows);
  const credential = await invoke(h.core, 'sources.google.addServiceAccount', {
    fileName: 'key.json',
    content: serviceAccountKey().json,
  });
  const connected = await invoke(h.core, 'sources.sheets.connect', {
    url: SHEET_URL,
    credentialId: credential.id,
    defaultCountry: 'IN',
    ...extra,
  });
  return { credential, ...connected };
}

function row(n: number): (string | number | boolean)[] {
  return h.fake.tab(SHEET_ID, 'Leads').rows[n - 1];
}

describe('connecting a sheet', () => {
  it('parses the spreadsheet id and tab gid from a link, and refuses what is not one', () => {
    expect(parseSheetUrl(SHEET_URL)).toEqual({ spreadsheetId: SHEET_ID, gid: 1834201 });
    expect(parseSheetUrl(`https://docs.google.com/spreadsheets/d/${SHEET_ID}/edit?usp=sharing`)).toEqual({
      spreadsheetId: SHEET_ID,
      gid: null,
    });
    expect(() => parseSheetUrl('https://example.com/sheet')).toThrow(/does not look like a Google Sheets link/);
  });

  it('stores the key encrypted, never returns it, and names what is wrong with a bad key file', async () => {
    const key = serviceAccountKey().json;
    const credential = await invoke(h.core, 'sources.google.addServiceAccount', { content: key });
    expect(credential).toEqual({
      id: expect.any(Number),
      kind: 'service_account',
      account: 'dialer@callconsole-test.iam.gserviceaccount.com',
      createdAt: expect.any(Number),
    });
    expect(JSON.stringify(await invoke(h.core, 'sources.google.credentials', {}))).not.toContain('PRIVATE KEY');
    const blobs = h.core.db.prepare<[], { cipher: Buffer }>('SELECT cipher FROM secrets').all();
    expect(blobs.some((b) => b.cipher.toString('latin1').includes('PRIVATE KEY'))).toBe(false);
    await expect(
      invoke(h.core, 'sources.google.addServiceAccount', { content: '{"type":"authorized_user"}' }),
    ).rejects.toThrow(/not a service-account key file/);
    await expect(invoke(h.core, 'sources.google.addServiceAccount', { content: 'not json' })).rejects.toThrow(
      /not valid JSON/,
    );
  });

  it('reads the call-tracker layout into a google_sheet list through the JWT grant and bearer-checked API', async () => {
    const { connection, sync } = await connectSeed([
      ['Asha Rao', 919876543210, '', '', '', '', '', '', '', 'gold'],
      ['Vikram Singh', '+91 98765 43211'],
      ['Bad Number', '12345'],
      ['', ''],
      ['Asha again', '098765 43210'],
    ]);
    expect(sync).toMatchObject({ added: 2, updated: 0, removed: 0 });
    expect(sync.rejected.map((r) => [r.row, r.column])).toEqual([
      [4, 'B'],
      [6, 'B'],
    ]);
    expect(sync.rejected[1].reason).toMatch(/same number as row 2/);
    expect(connection).toMatchObject({
      sheetTitle: 'Leads',
      sheetGid: 1834201,
      spreadsheetTitle: 'Customer calls',
      keyKind: 'phone',
    });
    expect(connection.health).toMatchObject({
      rowsSeen: 2,
      pendingWrites: 0,
      lastError: null,
      lastReadAt: h.clock.now(),
    });
    const list = h.core.db
      .prepare<[number], { source_kind: string }>('SELECT source_kind FROM lists WHERE id = ?')
      .get(connection.listId);
    expect(list?.source_kind).toBe('google_sheet');
    expect(contacts(h.core, connection.listId).map((c) => [c.name, c.phone, c.source_row, c.source_key])).toEqual([
      ['Asha Rao', '+919876543210', 2, '+919876543210'],
      ['Vikram Singh', '+919876543211', 3, '+919876543211'],
    ]);
    // The token came from the JWT grant, signed with the test key, at the injected token URL.
    expect(h.fake.requests.filter((r) => r.path === '/token' && r.status === 200)).toHaveLength(1);
    expect(h.fake.requests.every((r) => r.status !== 401)).toBe(true);
  });

  it('gets a new access token when Google stops accepting the old one', async () => {
    const { connection } = await connectSeed([['Asha Rao', '+919876543210']]);
    h.fake.revokeAccessTokens();
    h.fake.tab(SHEET_ID, 'Leads').rows.push(['Kabir Khan', '+919876543213']);
    expect(await invoke(h.core, 'sources.sheets.sync', { id: connection.id })).toMatchObject({ added: 1 });
    expect(h.fake.requests.filter((r) => r.path === '/token' && r.status === 200)).toHaveLength(2);
  });

  it('leaves nothing behind when the first read fails, and says why', async () => {
    seedSheet(h.fake, [['Asha Rao', '+919876543210']]);
    const credential = await invoke(h.core, 'sources.google.addServiceAccount', { content: serviceAccountKey().json });
    h.fake.failNext(403, 1, /\/values\/'Leads'$/);
    await expect(
      invoke(h.core, 'sources.sheets.connect', { url: SHEET_URL, credentialId: credential.id }),
    ).rejects.toThrow(/403.*Share the sheet with the service account/);
    expect(await invoke(h.core, 'sources.sheets.list', {})).toEqual([]);
    expect(h.core.db.prepare('SELECT count(*) AS n FROM lists').get()).toEqual({ n: 0 });
  });

  it('adds missing output columns only with consent, widening the grid when needed', async () => {
    seedSheet(h.fake, [['Asha Rao', '+919876543210']], { header: ['Name', 'Phone Number'], columnCount: 4 });
    const credential = await invoke(h.core, 'sources.google.addServiceAccount', { content: serviceAccountKey().json });
    const inspected = await invoke(h.core, 'sources.sheets.inspect', { url: SHEET_URL, credentialId: credential.id });
    expect(inspected.header).toEqual(['Name', 'Phone Number']);
    expect(inspected.suggestedMapping).toMatchObject({ name: 'A', phone: 'B', status: 'C', summary: 'I' });
    expect(inspected.missingColumns.map((m) => m.column)).toEqual(['C', 'D', 'E', 'F', 'G', 'H', 'I']);

    const without = await invoke(h.core, 'sources.sheets.connect', {
      url: SHEET_URL,
      credentialId: credential.id,
      mapping: inspected.suggestedMapping,
    });
    expect(without.connection.mapping).toEqual({ name: 'A', phone: 'B' });
    expect(row(1)).toEqual(['Name', 'Phone Number']);
    await invoke(h.core, 'sources.sheets.disconnect', { id: without.connection.id });

    const withConsent = await invoke(h.core, 'sources.sheets.connect', {
      url: SHEET_URL,
      credentialId: credential.id,
      mapping: inspected.suggestedMapping,
      addMissingColumns: true,
    });
    expect(withConsent.connection.mapping).toMatchObject({ status: 'C', transcript: 'H', summary: 'I' });
    expect(row(1)).toEqual(SEED_HEADER);
    expect(h.fake.tab(SHEET_ID, 'Leads').columnCount).toBe(9);
  });
});

describe('write-back', () => {
  it('writes status words and call details, coalesced into one batch, then no faster than the write interval', async () => {
    const { connection } = await connectSeed([
      ['Asha Rao', '+919876543210'],
      ['Vikram Singh', '+919876543211'],
    ]);
    h.core.sources.start();
    await h.advance(0);
    const [asha] = contacts(h.core, connection.listId);
    insertCall(h.core, 501, asha.id, asha.phone!, [
      { speaker: 'agent', text: 'Hello, this is about your order.' },
      { speaker: 'customer', text: '=HYPERLINK("x") yes please deliver' },
    ]);
    const base = { id: 501, contactId: asha.id, phone: asha.phone! };
    const startedAt = Date.UTC(2026, 4, 19, 6, 1, 0);
    h.core.bus.publish('call.updated', call({ ...base, status: 'dialing' }));
    h.core.bus.publish('call.updated', call({ ...base, status: 'ringing', providerCallId: 'exec-9f2', startedAt }));
    h.core.bus.publish('call.updated', call({ ...base, status: 'in_progress', providerCallId: 'exec-9f2', startedAt }));
    h.core.bus.publish(
      'call.updated',
      call({
        ...base,
        status: 'ended',
        result: 'completed',
        providerCallId: 'exec-9f2',
        startedAt,
        durationS: 45.23,
        hangupReason: 'caller_hangup',
        summary: 'Confirmed delivery.',
      }),
    );
    expect(await invoke(h.core, 'sources.sheets.get', { id: connection.id })).toMatchObject({
      health: { pendingWrites: 1 },
    });
    await h.advance(0);

    const writes = h.fake.apiRequests(/values:batchUpdate$/);
    expect(writes).toHaveLength(1);
    expect((writes[0].body as { valueInputOption: string }).valueInputOption).toBe('RAW');
    const r = row(2);
    expect(r.slice(0, 5)).toEqual(['Asha Rao', '+919876543210', 'completed', 'exec-9f2', 45.2]);
    // Last Attempt Time in the spreadsheet's own zone (the fake's sheet is set to Asia/Kolkata, UTC+05:30).
    expect(r[5]).toBe('2026-05-19 11:31:00');
    expect(r[6]).toBe('caller_hangup');
    expect(r[7]).toBe('agent: Hello, this is about your order.\ncustomer: =HYPERLINK("x") yes please deliver');
    expect(r[8]).toBe('Confirmed delivery.');
    expect(row(3)).toEqual(['Vikram Singh', '+919876543211']);
    const health = (await invoke(h.core, 'sources.sheets.get', { id: connection.id })).health;
    expect(health).toMatchObject({ pendingWrites: 0, lastWriteAt: h.clock.now(), lastError: null });

    // A second call right after: held back until the write interval (2 s) has passed.
    const [, vikram] = contacts(h.core, connection.listId);
    h.core.bus.publish(
      'call.updated',
      call({ id: 502, contactId: vikram.id, phone: vikram.phone!, status: 'ended', result: 'no_answer' }),
    );
    await h.advance(1_999);
    expect(h.fake.apiRequests(/values:batchUpdate$/)).toHaveLength(1);
    await h.advance(1);
    expect(h.fake.apiRequests(/values:batchUpdate$/)).toHaveLength(2);
    expect(row(3)[2]).toBe('no-answer');
  });

  it('maps every console status and result to the sheet status words', () => {
    const words = (
      [
        ['dialing', null],
        ['initiated', null],
        ['ringing', null],
        ['in_progress', null],
        ['ended', 'completed'],
        ['ended', 'failed'],
        ['ended', 'busy'],
        ['ended', 'no_answer'],
        ['ended', 'voicemail'],
      ] as const
    ).map(([status, result]) => sheetStatus({ status, result }));
    expect(words).toEqual([
      'initiating',
      'initiated',
      'ringing',
      'answered',
      'completed',
      'failed',
      'busy',
      'no-answer',
      'no-answer',
    ]);
  });

  it('cuts a long transcript to the 50,000-character cell limit with a marker', async () => {
    const { connection } = await connectSeed([['Asha Rao', '+919876543210']]);
    h.core.sources.start();
    const [asha] = contacts(h.core, connection.listId);
    insertCall(h.core, 600, asha.id, asha.phone!, [{ speaker: 'customer', text: 'x'.repeat(60_000) }]);
    h.core.bus.publish(
      'call.updated',
      call({ id: 600, contactId: asha.id, phone: asha.phone!, status: 'ended', result: 'completed' }),
    );
    await h.advance(0);
    const cell = String(row(2)[7]);
    expect(cell.length).toBe(CELL_LIMIT);
    expect(cell).toMatch(/… \[cut: \d+ more characters; the full text is in the console\]$/);
    expect(cell.startsWith('customer: xxx')).toBe(true);
  });

  it('finds the row by phone at write time, so rows sorted or inserted meanwhile get the right result', async () => {
    const { connection } = await connectSeed([
      ['Asha Rao', '+919876543210'],
      ['Vikram Singh', '+919876543211'],
      ['Meera Pillai', '+919876543212'],
    ]);
    h.core.sources.start();
    await h.advance(0);
    const people = contacts(h.core, connection.listId);
    const meera = people.find((c) => c.name === 'Meera Pillai')!;
    h.core.bus.publish(
      'call.updated',
      call({
        id: 700,
        contactId: meera.id,
        phone: meera.phone!,
        status: 'ended',
        result: 'busy',
        providerCallId: 'exec-meera',
      }),
    );
    // Someone sorts the sheet by name descending and inserts a new row at the top before the write goes out.
    const tab = h.fake.tab(SHEET_ID, 'Leads');
    const [header, ...data] = tab.rows;
    tab.rows = [header, ['Zoya Ali', '+919876543299'], ...data.reverse()];
    await h.advance(0);
    expect(row(3).slice(0, 4)).toEqual(['Meera Pillai', '+919876543212', 'busy', 'exec-meera']);
    for (const n of [2, 4, 5]) expect(row(n)[2] ?? '').toBe('');
  });

  it('retries 429 and 5xx with exponential backoff and reports the error until a write succeeds', async () => {
    const { connection } = await connectSeed([['Asha Rao', '+919876543210']]);
    h.core.sources.start();
    await h.advance(0);
    const [asha] = contacts(h.core, connection.listId);
    h.fake.failNext(429, 2, /values:batchUpdate$/);
    h.fake.failNext(500, 1, /values:batchUpdate$/);
    h.core.bus.publish('call.updated', call({ id: 800, contactId: asha.id, phone: asha.phone!, status: 'ringing' }));
    const attempts = () => h.fake.apiRequests(/values:batchUpdate$/).map((r) => r.status);

    await h.advance(0);
    expect(attempts()).toEqual([429]);
    let health = (await invoke(h.core, 'sources.sheets.get', { id: connection.id })).health;
    expect(health.lastError).toMatch(/429.*rate limit/);
    expect(health.pendingWrites).toBe(1);

    await h.advance(1_999);
    expect(attempts()).toEqual([429]);
    await h.advance(1);
    expect(attempts()).toEqual([429, 429]);
    await h.advance(3_999);
    expect(attempts()).toEqual([429, 429]);
    await h.advance(1);
    expect(attempts()).toEqual([429, 429, 500]);
    await h.advance(8_000);
    expect(attempts()).toEqual([429, 429, 500, 200]);
    expect(row(2)[2]).toBe('ringing');
    health = (await invoke(h.core, 'sources.sheets.get', { id: connection.id })).health;
    expect(health).toMatchObject({ lastError: null, pendingWrites: 0 });
  });

  it('caps the backoff during a long quota burst, says the sheet is behind, and catches up within 30 s of quota returning', async () => {
    const { connection } = await connectSeed([['Asha Rao', '+919876543210']]);
    h.core.sources.start();
    await h.advance(0);
    const [asha] = contacts(h.core, connection.listId);
    h.fake.failNext(429, 1_000, /values:batchUpdate$/);
    const burstStart = h.clock.now();
    h.core.bus.publish('call.updated', call({ id: 810, contactId: asha.id, phone: asha.phone!, status: 'ringing' }));
    await h.advance(0);
    const health = async () => (await invoke(h.core, 'sources.sheets.get', { id: connection.id })).health;
    expect(await health()).toMatchObject({ behindSince: burstStart, pendingWrites: 1 });

    // Five minutes of refusals: retries never drift further apart than 30 s.
    for (let t = 0; t < 5 * 60_000; t += 1_000) await h.advance(1_000);
    // 2 + 4 + 8 + 16 s, then every 30 s: about 14 tries in five minutes (uncapped doubling would make 7).
    expect(h.fake.apiRequests(/values:batchUpdate$/).length).toBeGreaterThanOrEqual(12);
    expect((await health()).behindSince).toBe(burstStart);

    // Quota returns: the sheet is written within 30 s and no longer behind.
    h.fake.clearFailures();
    const back = h.clock.now();
    while (row(2)[2] !== 'ringing' && h.clock.now() - back <= 30_000) await h.advance(1_000);
    expect(row(2)[2]).toBe('ringing');
    expect(h.clock.now() - back).toBeLessThanOrEqual(30_000);
    expect(await health()).toMatchObject({ behindSince: null, pendingWrites: 0 });
  });

  it('keeps pending writes across a restart and drains them when the new core starts', async () => {
    const { connection } = await connectSeed([
      ['Asha Rao', '+919876543210'],
      ['Vikram Singh', '+919876543211'],
    ]);
    h.core.sources.start();
    await h.advance(0);
    const [asha, vikram] = contacts(h.core, connection.listId);
    h.fake.failNext(503, 1, /values:batchUpdate$/);
    h.core.bus.publish(
      'call.updated',
      call({
        id: 900,
        contactId: asha.id,
        phone: asha.phone!,
        status: 'ended',
        result: 'failed',
        error: 'provider 502',
      }),
    );
    h.core.bus.publish(
      'call.updated',
      call({ id: 901, contactId: vikram.id, phone: vikram.phone!, status: 'initiated', providerCallId: 'exec-v' }),
    );
    await h.advance(0);
    expect(h.fake.apiRequests(/values:batchUpdate$/).map((r) => r.status)).toEqual([503]);

    const core = await h.restart();
    expect((await invoke(core, 'sources.sheets.get', { id: connection.id })).health.pendingWrites).toBe(2);
    core.sources.start();
    await h.advance(0);
    expect(h.fake.apiRequests(/values:batchUpdate$/).map((r) => r.status)).toEqual([503, 200]);
    expect(row(2).slice(2, 7)).toEqual(['failed', '', '', expect.any(String), 'provider 502']);
    expect(row(3).slice(2, 4)).toEqual(['initiated', 'exec-v']);
    expect((await invoke(core, 'sources.sheets.get', { id: connection.id })).health.pendingWrites).toBe(0);
  });
});

describe('reading on a schedule', () => {
  it('holds reads and writes while paused and catches up on resume', async () => {
    const { connection } = await connectSeed([['Asha Rao', '+919876543210']], { pollIntervalMs: 60_000 });
    h.core.sources.start();
    await h.advance(0);
    const reads = () => h.fake.apiRequests(/\/values\/'Leads'$/).length;
    const readsBefore = reads();
    expect(readsBefore).toBe(2); // connect + the read on start
    await invoke(h.core, 'sources.sheets.setPaused', { id: connection.id, paused: true });
    const [asha] = contacts(h.core, connection.listId);
    h.core.bus.publish('call.updated', call({ id: 990, contactId: asha.id, phone: asha.phone!, status: 'ringing' }));
    h.fake.tab(SHEET_ID, 'Leads').rows.push(['Kabir Khan', '+919876543213']);
    await h.advance(180_000);
    expect(reads()).toBe(readsBefore);
    expect(h.fake.apiRequests(/values:batchUpdate$/)).toHaveLength(0);
    expect((await invoke(h.core, 'sources.sheets.get', { id: connection.id })).health.pendingWrites).toBe(1);

    await invoke(h.core, 'sources.sheets.setPaused', { id: connection.id, paused: false });
    await h.advance(0);
    expect(row(2)[2]).toBe('ringing');
    expect(contacts(h.core, connection.listId).map((c) => c.name)).toEqual(['Asha Rao', 'Kabir Khan']);
  });

  it('picks up rows people add, re-normalises edited phones and stops calling deleted rows', async () => {
    const { connection } = await connectSeed(
      [
        ['Asha Rao', '+919876543210'],
        ['Vikram Singh', '+919876543211'],
        ['Meera Pillai', '+919876543212'],
      ],
      { pollIntervalMs: 60_000 },
    );
    // A campaign over the list: its queue follows the sheet.
    const now = h.clock.now();
    const campaignId = Number(
      h.core.db
        .prepare(
          "INSERT INTO campaigns (name, provider, state, settings_json, created_at, updated_at) VALUES ('c', 'simulator', 'running', '{}', ?, ?)",
        )
        .run(now, now).lastInsertRowid,
    );
    h.core.db
      .prepare('INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)')
      .run(campaignId, connection.listId);
    h.core.db
      .prepare(
        "INSERT INTO campaign_contacts (campaign_id, contact_id, state, updated_at) SELECT ?, id, 'pending', ? FROM contacts WHERE list_id = ?",
      )
      .run(campaignId, now, connection.listId);
    h.core.sources.start();
    await h.advance(0); // the read every start does

    const tab = h.fake.tab(SHEET_ID, 'Leads');
    tab.title = 'Leads (May)'; // renamed tab: found again by its gid
    tab.rows[1][0] = 'Asha R. Rao';
    tab.rows[2][1] = '+91 98765 43219'; // Vikram's number corrected
    tab.rows.splice(3, 1); // Meera's row deleted
    tab.rows.push(['Kabir Khan', '98765 43213']);

    await h.advance(59_999);
    expect((await invoke(h.core, 'sources.sheets.get', { id: connection.id })).health.lastReadAt).toBe(now);
    await h.advance(1);
    const after = contacts(h.core, connection.listId);
    const by = (name: string) => after.find((c) => c.name === name)!;
    expect(by('Asha R. Rao')).toMatchObject({ phone: '+919876543210', callable: 1, source_row: 2 });
    expect(after.find((c) => c.phone === '+919876543211')).toMatchObject({
      callable: 0,
      not_callable_reason: 'removed from the Google Sheet',
    });
    expect(after.find((c) => c.phone === '+919876543219')).toMatchObject({
      name: 'Vikram Singh',
      callable: 1,
      source_row: 3,
    });
    expect(by('Meera Pillai')).toMatchObject({ callable: 0, source_row: null });
    expect(by('Kabir Khan')).toMatchObject({
      phone: '+919876543213',
      phone_raw: '98765 43213',
      callable: 1,
      source_row: 4,
    });
    const conn = await invoke(h.core, 'sources.sheets.get', { id: connection.id });
    expect(conn).toMatchObject({ sheetTitle: 'Leads (May)', health: { lastReadAt: now + 60_000, rowsSeen: 3 } });

    expect(campaignQueue(h.core, campaignId)).toEqual([
      { name: 'Asha R. Rao', state: 'pending' },
      { name: 'Vikram Singh', state: 'excluded' },
      { name: 'Meera Pillai', state: 'excluded' },
      { name: 'Vikram Singh', state: 'pending' },
      { name: 'Kabir Khan', state: 'pending' },
    ]);

    // Meera's row is put back: the same contact returns to the queue.
    tab.rows.push(['Meera Pillai', '+919876543212']);
    const sync = await invoke(h.core, 'sources.sheets.sync', { id: connection.id });
    expect(sync).toMatchObject({ added: 0, updated: 1, removed: 0, unchanged: 3 });
    expect(contacts(h.core, connection.listId).find((c) => c.name === 'Meera Pillai')).toMatchObject({
      callable: 1,
      source_row: 5,
    });
    expect(campaignQueue(h.core, campaignId).find((q) => q.name === 'Meera Pillai')).toEqual({
      name: 'Meera Pillai',
      state: 'pending',
    });
  });

  it('matches rows by an id column the console adds, so an edited phone stays the same contact', async () => {
    const { connection, sync } = await connectSeed(
      [
        ['Asha Rao', '+919876543210'],
        ['Vikram Singh', '+919876543211'],
      ],
      { keyKind: 'id', addMissingColumns: true },
    );
    expect(sync.added).toBe(2);
    expect(connection.mapping.id).toBe('J');
    expect(row(1)[9]).toBe('Console ID');
    const ids = [row(2)[9], row(3)[9]];
    expect(ids.every((id) => /^c-[0-9a-f]{12}$/.test(String(id)))).toBe(true);
    const before = contacts(h.core, connection.listId);
    expect(before.map((c) => c.source_key)).toEqual(ids);

    h.fake.tab(SHEET_ID, 'Leads').rows[2][1] = '098765 43219';
    const again = await invoke(h.core, 'sources.sheets.sync', { id: connection.id });
    expect(again).toMatchObject({ added: 0, updated: 1, removed: 0 });
    const vikram = contacts(h.core, connection.listId).find((c) => c.name === 'Vikram Singh')!;
    expect(vikram).toMatchObject({ id: before[1].id, phone: '+919876543219', callable: 1 });

    h.core.sources.start();
    h.core.bus.publish(
      'call.updated',
      call({ id: 950, contactId: vikram.id, phone: vikram.phone!, status: 'ended', result: 'busy' }),
    );
    const tab = h.fake.tab(SHEET_ID, 'Leads');
    tab.rows = [tab.rows[0], tab.rows[2], tab.rows[1]];
    await h.advance(0);
    expect(row(2).slice(0, 3)).toEqual(['Vikram Singh', '098765 43219', 'busy']);
  });
});

describe('desktop OAuth', () => {
  it('takes consent through the loopback redirect, stores the refresh token encrypted, and reads with it', async () => {
    const clientJson = JSON.stringify({
      installed: {
        client_id: 'desk-123.apps.googleusercontent.com',
        client_secret: 'GOCSPX-test-secret',
        redirect_uris: ['http://localhost'],
      },
    });
    const started = await invoke(h.core, 'sources.google.oauthStart', { clientJson });
    expect(started.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2callback$/);
    const consent = new URL(started.authUrl);
    expect(consent.searchParams.get('redirect_uri')).toBe(started.redirectUri);
    expect(consent.searchParams.get('code_challenge_method')).toBe('S256');
    expect(consent.searchParams.get('access_type')).toBe('offline');
    expect(consent.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/spreadsheets');

    // A redirect that does not carry the flow's state is refused and changes nothing.
    expect((await fetch(`${started.redirectUri}?code=forged&state=wrong`)).status).toBe(400);
    expect(await invoke(h.core, 'sources.google.oauthStatus', { flowId: started.flowId })).toMatchObject({
      state: 'waiting',
    });

    // The browser comes back from Google's consent page.
    const code = h.fake.issueAuthCode();
    const back = await fetch(`${started.redirectUri}?code=${code}&state=${consent.searchParams.get('state')}`);
    expect(back.status).toBe(200);
    expect(await back.text()).toMatch(/Signed in/);
    const status = await invoke(h.core, 'sources.google.oauthStatus', { flowId: started.flowId });
    expect(status).toMatchObject({
      state: 'done',
      error: null,
      credential: { kind: 'oauth', account: 'desk-123.apps.googleusercontent.com' },
    });
    const blobs = h.core.db.prepare<[], { cipher: Buffer }>('SELECT cipher FROM secrets').all();
    expect(blobs.some((b) => b.cipher.toString('latin1').includes('refresh-'))).toBe(false);

    seedSheet(h.fake, [['Asha Rao', '+919876543210']]);
    const { sync } = await invoke(h.core, 'sources.sheets.connect', {
      url: SHEET_URL,
      credentialId: status.credential!.id,
      defaultCountry: 'IN',
    });
    expect(sync.added).toBe(1);
    const grants = h.fake.requests
      .filter((r) => r.path === '/token')
      .map((r) => new URLSearchParams(String(r.body)).get('grant_type'));
    expect(grants).toEqual(['authorization_code', 'refresh_token']);
  });
});

describe('with the call engine', () => {
  it('fills the sheet output columns in as the real call lifecycle applies provider events', async () => {
    const { connection } = await connectSeed([['Asha Rao', '+919876543210']]);
    h.core.sources.start();
    await h.advance(0);
    const [asha] = contacts(h.core, connection.listId);
    const callId = new CallsRepository(h.core.db).insertAttempt({
      campaignId: null,
      contactId: asha.id,
      phone: asha.phone!,
      attempt: 1,
      idempotencyKey: 'sheet-e2e-1',
      provider: 'bolna',
      variablesJson: '{}',
      createdAt: h.clock.now(),
    });
    const event = (n: number, e: Partial<NormalizedEvent>): NormalizedEvent => ({
      provider: 'bolna',
      providerCallId: 'exec-e2e',
      callId,
      dedupeKey: `exec-e2e:${n}`,
      kind: e.status ?? 'update',
      ...e,
    });
    h.core.calls.applyEvent(event(1, { status: 'ringing' }), null, '{}');
    await h.advance(0);
    expect(row(2).slice(2, 4)).toEqual(['ringing', 'exec-e2e']);

    h.core.calls.applyEvent(event(2, { status: 'in_progress' }), null, '{}');
    h.core.calls.applyEvent(
      event(3, {
        status: 'ended',
        result: 'completed',
        durationS: 61,
        hangupReason: 'customer_hangup',
        summary: 'Customer confirmed the order.',
        transcript: [
          { speaker: 'agent', text: 'Shall we deliver tomorrow?', atMs: 0 },
          { speaker: 'customer', text: 'Yes.', atMs: 1200 },
        ],
      }),
      null,
      '{}',
    );
    await h.advance(2_000);
    expect(row(2).slice(2)).toEqual([
      'completed',
      'exec-e2e',
      61,
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      'customer_hangup',
      'agent: Shall we deliver tomorrow?\ncustomer: Yes.',
      'Customer confirmed the order.',
    ]);
  });
});
