import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/main/core/contacts/csv';
import { writeBackCallList } from '../../src/main/core/contacts/writeback';
import { createTestCore } from '../support/core';
import { readBack } from './files';

let core: ReturnType<typeof createTestCore>;
let dir: string;
let listId: number;
let campaignId: number;
const NOW = 1_700_000_000_000;

// The call_list.csv of the COD confirmation flow, with the quirks real files have: quoted names, an extra column with
// quotes, CRLF line ends, a blank line, numbers typed in different formats.
const CALL_LIST =
  'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,notes\r\n' +
  '"Doe, John",+15551234567,ORD123,,,,"said ""call after 5"""\r\n' +
  'Jane Smith,+1 (555) 765-4321,ORD124,,,,\r\n' +
  'राम,+91 98765 43210,ORD125,pending,,,=1+1\r\n' +
  '\r\n' +
  'Unknown,+15550000000,ORD126,,,,keep me\r\n';

beforeAll(async () => {
  core = createTestCore();
  dir = mkdtempSync(join(tmpdir(), 'cod-'));
  writeFileSync(join(dir, 'call_list.csv'), CALL_LIST);
  const r = await core.contacts.importFile(join(dir, 'call_list.csv'), { listName: 'COD' });
  expect(r).toMatchObject({ accepted: 4, duplicates: 0, rejected: [] });
  listId = r.list_id;
  const id = (phone: string) =>
    (core.db.prepare('SELECT id FROM contacts WHERE phone = ? AND list_id = ?').get(phone, listId) as { id: number })
      .id;
  campaignId = Number(
    core.db
      .prepare(
        "INSERT INTO campaigns (name, provider, state, settings_json, created_at, updated_at) VALUES ('COD run', 'bolna', 'completed', '{}', ?, ?)",
      )
      .run(NOW, NOW).lastInsertRowid,
  );
  const cc = core.db.prepare(
    "INSERT INTO campaign_contacts (campaign_id, contact_id, state, attempts, outcome, updated_at) VALUES (?, ?, 'done', 1, ?, ?)",
  );
  const call = core.db.prepare(
    `INSERT INTO calls (campaign_id, contact_id, phone, attempt, idempotency_key, provider, status, result, outcome, created_at, ended_at, duration_s, summary, extracted_json)
     VALUES (?, ?, ?, 1, ?, 'bolna', 'ended', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const john = id('+15551234567');
  const jane = id('+15557654321');
  const ram = id('+919876543210');
  cc.run(campaignId, john, 'confirmed', NOW);
  cc.run(campaignId, jane, 'rescheduled', NOW);
  cc.run(campaignId, ram, null, NOW);
  call.run(
    campaignId,
    john,
    '+15551234567',
    'c1',
    'completed',
    'confirmed',
    NOW,
    NOW + 45_000,
    45,
    '=cmd|"/c calc"!A1',
    '{"confirmed":true}',
  );
  call.run(
    campaignId,
    jane,
    '+15557654321',
    'c2',
    'completed',
    'rescheduled',
    NOW,
    NOW + 80_000,
    80,
    'Wants Saturday',
    '{"reschedule_date":"2025-09-13","reschedule_time":"14:30"}',
  );
  call.run(campaignId, ram, '+919876543210', 'c3', 'completed', null, NOW, NOW + 5_000, 5, '@SUM(1)', null);
  // Make one contact's variable look like a formula too.
  core.db
    .prepare(
      "UPDATE contacts SET variables_json = json_set(variables_json, '$.note', '+HYPERLINK(\"x\")') WHERE id = ?",
    )
    .run(jane);
});
afterAll(async () => core.cleanup());

describe('export', () => {
  it('a campaign as CSV: fields, variables, call results, extracted fields; formulas neutralised', async () => {
    const file = await core.api['exports.create']({ scope: { campaignId }, format: 'csv' });
    expect(file).toMatchObject({ fileName: 'COD run results.csv', mimeType: 'text/csv', rows: 3 });
    const text = Buffer.from(file.dataBase64, 'base64').toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const [header, ...rows] = parseCsv(text.slice(1), ',')
      .map((r) => r.values)
      .filter((r) => r.length > 1);
    const col = (name: string) => header.indexOf(name);
    expect(header).toEqual(
      expect.arrayContaining([
        'name',
        'phone',
        'order_id',
        'status',
        'notes',
        'note',
        'campaign_state',
        'last_result',
        'outcome',
        'attempts',
        'duration_s',
        'summary',
        'extracted.confirmed',
        'extracted.reschedule_date',
        'extracted.reschedule_time',
      ]),
    );
    const byName = Object.fromEntries(rows.map((r) => [r[col('name')], r]));
    expect(byName['Doe, John'][col('phone')]).toBe('+15551234567');
    expect(byName['Doe, John'][col('outcome')]).toBe('confirmed');
    expect(byName['Doe, John'][col('summary')]).toBe('\'=cmd|"/c calc"!A1');
    expect(byName['Doe, John'][col('extracted.confirmed')]).toBe('true');
    expect(byName['Jane Smith'][col('extracted.reschedule_date')]).toBe('2025-09-13');
    expect(byName['Jane Smith'][col('note')]).toBe('\'+HYPERLINK("x")');
    expect(byName['राम'][col('summary')]).toBe("'@SUM(1)");
    expect(byName['राम'][col('notes')]).toBe("'=1+1");
    expect(byName['Jane Smith'][col('duration_s')]).toBe('80');
    expect(byName['Jane Smith'][col('attempts')]).toBe('1');
  });

  it('a list as XLSX read back with SheetJS; a selection; and the CLI file export', async () => {
    const file = await core.api['exports.create']({ scope: { listId }, format: 'xlsx' });
    expect(file).toMatchObject({ fileName: 'COD.xlsx', rows: 4 });
    const rows = readBack(Buffer.from(file.dataBase64, 'base64'));
    const header = rows[0] as string[];
    expect(rows).toHaveLength(5);
    const john = rows.find((r) => r[header.indexOf('name')] === 'Doe, John')!;
    expect(john[header.indexOf('summary')]).toBe('\'=cmd|"/c calc"!A1');
    expect(john[header.indexOf('duration_s')]).toBe(45);
    const ram = rows.find((r) => r[header.indexOf('name')] === 'राम')!;
    expect(ram[header.indexOf('notes')]).toBe("'=1+1");

    const one = (core.db.prepare('SELECT id FROM contacts WHERE name = ?').get('Unknown') as { id: number }).id;
    const sel = await core.api['exports.create']({ scope: { selection: { ids: [one] } }, format: 'csv' });
    expect(sel.rows).toBe(1);
    expect(Buffer.from(sel.dataBase64, 'base64').toString('utf8')).toContain('keep me');

    const out = join(dir, 'out.xlsx');
    expect(await core.contacts.exportToFile({ listId, format: 'xlsx', path: out })).toEqual({ path: out, rows: 4 });
    expect(readBack(readFileSync(out))).toHaveLength(5);
  });
});

describe('COD write-back', () => {
  it('updates status and reschedule columns in place, matched by phone, keeping every other byte and the order', async () => {
    const path = join(dir, 'call_list.csv');
    const r = await core.api['exports.writeBackCsv']({ listId, campaignId });
    // राम's call completed without an outcome: a call result is never written to status, so the row keeps its bytes.
    expect(r).toEqual({ path, updated: 2, unchanged: 0, unmatched: 2 });
    expect(readFileSync(path, 'utf8')).toBe(
      'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,notes\r\n' +
        '"Doe, John",+15551234567,ORD123,confirmed,,,"said ""call after 5"""\r\n' +
        'Jane Smith,+1 (555) 765-4321,ORD124,rescheduled,2025-09-13,14:30,\r\n' +
        'राम,+91 98765 43210,ORD125,pending,,,=1+1\r\n' +
        '\r\n' +
        'Unknown,+15550000000,ORD126,,,,keep me\r\n',
    );
    // Running it again changes nothing.
    expect(await core.api['exports.writeBackCsv']({ listId, campaignId })).toMatchObject({
      updated: 0,
      unchanged: 2,
      unmatched: 2,
    });
  });

  it('matches by phone whatever the row order, adds missing columns at the end, keeps the BOM', () => {
    const path = join(dir, 'shuffled.csv');
    writeFileSync(path, '\ufeffphone;name\n0 98765 43211;B\n+91 98765 43210;A\n');
    const r = writeBackCallList(
      path,
      new Map([
        ['+919876543210', { status: 'cancelled' }],
        ['+919876543211', { status: 'wrong_person' }],
      ]),
      'IN',
    );
    expect(r).toMatchObject({ updated: 2, unmatched: 0 });
    expect(readFileSync(path, 'utf8')).toBe(
      '\ufeffphone;name;status;reschedule_date;reschedule_time\n0 98765 43211;B;wrong_person;;\n+91 98765 43210;A;cancelled;;\n',
    );
  });

  it('refuses clearly when there is no file to write to', async () => {
    const other = await core.api['contacts.add']({
      listName: 'Manual',
      contacts: [{ name: 'a', phone: '9876500001', variables: {} }],
    });
    await expect(core.api['exports.writeBackCsv']({ listId: other.listId })).rejects.toThrow(
      /does not know where the original file is/,
    );
    await expect(core.api['exports.writeBackCsv']({ listId, path: join(dir, 'missing.csv') })).rejects.toThrow(
      /Cannot read .*missing\.csv: ENOENT/,
    );
  });
});
