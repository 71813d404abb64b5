import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../src/shared/contract';
import { parseCsv } from '../../src/main/core/contacts/csv';
import { createTestCore } from '../support/core';
import { workbook } from './files';

// The whole import path (worker, mapping, transaction, history) on real files generated here.

let core: ReturnType<typeof createTestCore>;
const events: AnyEvent[] = [];
beforeAll(() => {
  core = createTestCore();
  core.bus.subscribe((e) => events.push(e));
  core.db
    .prepare(
      "INSERT INTO dnc (phone, source, reason, created_at) VALUES ('+919876543213', 'manual', 'asked not to be called', 0)",
    )
    .run();
});
afterAll(async () => core.cleanup());

const api = () => core.api;
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

/** Customers sheet: title row, blank row, header, then every kind of messy row a supervisor's file has. */
function messyWorkbook(): Buffer {
  const date = (v: number): { t: 'n'; v: number; z: string } => ({ t: 'n', v, z: 'yyyy-mm-dd' });
  return workbook({
    'Read me': [['This workbook lists March COD customers'], ['Ask Priya before calling']],
    Customers: [
      ['Customer list — March 2026'], // 1 title
      [], // 2 blank
      ['Name', 'Mobile', 'Email', 'Order ID', 'Delivery Date', 'Callback Time', 'Amount', 'Notes'], // 3 header
      [
        'राहुल शर्मा',
        9876543210,
        'Rahul@Example.com',
        'ORD-1',
        date(45678),
        { t: 'n', v: 0.6041666666666666, z: 'hh:mm' },
        1200,
        '',
      ], // 4
      ['Priya 😊', '+91 98765-43211', '', 'ORD-2', 45679, null, 99.5, 'leave at door'], // 5 serial as plain number
      [], // 6 blank
      ['Rahul again', '098765 43210', '', '', null, null, null, 'VIP'], // 7 duplicate of row 4
      ['Sci', '9.87654E+09', '', 'ORD-3'], // 8 scientific notation
      ['Short', '12345', '', 'ORD-4'], // 9 too short
      ['Office', '(022) 2345 6789 ext. 12', '', 'ORD-5'], // 10 landline with extension
      ['Abroad prefix', '0091 98765 43212', '', 'ORD-6'], // 11 0091
      ['No result', { t: 'n', f: 'B4+1' } as never, '', 'ORD-7'], // 12 formula without a saved value
      ['Words', 'call me later', '', 'ORD-8'], // 13 letters
      ['No phone', '', 'x@y.z', 'ORD-9'], // 14 empty phone
      ['Blocked', '+919876543213', '', 'ORD-10'], // 15 on the DNC list
      ['Decimal', 98765.5, '', 'ORD-11'], // 16 decimal
      ['Formula ok', { t: 'n', v: 9876543214, f: '9876543200+14' }, '', '=HYPERLINK("http://evil")'], // 17 formula with value
    ],
  });
}

describe('xlsx import', () => {
  let token: string;

  it('previews: picks the sheet with data, finds the header under the title, suggests a mapping', async () => {
    const p = await api()['imports.preview']({ fileName: 'march.xlsx', dataBase64: b64(messyWorkbook()) });
    token = p.token;
    expect(p.sheets.map((s) => s.name)).toEqual(['Read me', 'Customers']);
    // "Read me" comes first but has no phone column, so the preview opens on "Customers".
    expect(p.sheet).toBe('Customers');
    const q = await api()['imports.inspect']({ token, sheet: 'Customers' });
    expect(q).toEqual(p);
    const other = await api()['imports.inspect']({ token, sheet: 'Read me' });
    expect(other.columns).toHaveLength(1);
    expect(q.headerRow).toBe(3);
    expect(q.mapping).toEqual({
      Name: 'name',
      Mobile: 'phone',
      Email: 'email',
      'Order ID': 'order_id',
      'Delivery Date': 'delivery_date',
      'Callback Time': 'callback_time',
      Amount: 'amount',
      Notes: 'notes',
    });
    expect(q.rows[0]).toEqual({ row: 1, cells: ['Customer list — March 2026', '', '', '', '', '', '', ''] });
    expect(q.columns.find((c) => c.key === 'Mobile')?.samples[0]).toBe('9876543210');
  });

  it('commits: exact counts, normalised numbers, every rejection with row, column, value, reason and fix', async () => {
    const r = await api()['imports.commit']({ token, sheet: 'Customers', listName: 'March' });
    expect(r).toMatchObject({
      accepted: 6,
      duplicates: 1,
      duplicatesInFile: 1,
      duplicatesInList: 0,
      dnc: 1,
      blankRows: 1,
      rejectedCount: 6,
      headerRow: 3,
    });
    expect(r.rejected.map((x) => [x.row, x.cell, x.column, x.value, x.code])).toEqual([
      [8, 'B8', 'Mobile', '9.87654E+09', 'phone_scientific'],
      [9, 'B9', 'Mobile', '12345', 'phone_too_short'],
      [12, 'B12', 'Mobile', '=B4+1', 'phone_formula'],
      [13, 'B13', 'Mobile', 'call me later', 'phone_letters'],
      [14, 'B14', 'Mobile', '', 'phone_empty'],
      [16, 'B16', 'Mobile', '98765.5', 'phone_decimal'],
    ]);
    for (const x of r.rejected) expect(x.reason.length * (x.fix ?? '').length).toBeGreaterThan(0);
    expect(r.duplicateRule).toContain('first row in the file wins');

    const { rows, total } = await api()['contacts.page']({
      listId: r.listId,
      offset: 0,
      limit: 50,
      sort: { column: 'sourceRow', direction: 'asc' },
    });
    expect(total).toBe(6);
    expect(rows.map((c) => [c.sourceRow, c.name, c.phone, c.callable])).toEqual([
      [4, 'राहुल शर्मा', '+919876543210', true],
      [5, 'Priya 😊', '+919876543211', true],
      [10, 'Office', '+912223456789', true],
      [11, 'Abroad prefix', '+919876543212', true],
      [15, 'Blocked', '+919876543213', false],
      [17, 'Formula ok', '+919876543214', true],
    ]);
    const [rahul, priya, office] = rows;
    // Number typed as a number keeps its digits; the duplicate row 7 only filled the blank Notes.
    expect(rahul.phoneRaw).toBe('9876543210');
    expect(rahul.email).toBe('rahul@example.com');
    expect(rahul.variables).toEqual({
      order_id: 'ORD-1',
      delivery_date: '2025-01-21',
      callback_time: '14:30',
      amount: '1200',
      notes: 'VIP',
    });
    // A serial number in a date column becomes an ISO date; decimals stay as typed.
    expect(priya.variables).toMatchObject({ delivery_date: '2025-01-22', amount: '99.5', notes: 'leave at door' });
    expect(office.variables.phone_ext).toBe('12');
    expect(rows[4].notCallableReason).toBe('do-not-call list (manual: asked not to be called)');
    expect(rows[5].variables.order_id).toBe('=HYPERLINK("http://evil")');

    const progress = events
      .filter((e) => e.type === 'import.progress')
      .map((e) => e.payload as { phase: string; token: string });
    expect(progress.every((p) => p.token === token)).toBe(true);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['reading', 'converting', 'saving', 'done']));
  });

  it('keeps the history: list, open, and export the rejected rows as typed', async () => {
    const [latest] = await api()['imports.list']({ limit: 5 });
    expect(latest).toMatchObject({
      fileName: 'march.xlsx',
      sheet: 'Customers',
      state: 'completed',
      accepted: 6,
      duplicates: 1,
      rejectedCount: 6,
    });
    const full = await api()['imports.get']({ id: latest.id });
    expect(full.mapping.Mobile).toBe('phone');
    expect(full.defaultCountry).toBe('IN');
    expect(full.rejected).toHaveLength(6);
    const file = await api()['imports.exportRejected']({ id: latest.id, format: 'csv' });
    expect(file.fileName).toBe('march - rejected rows.csv');
    const text = Buffer.from(file.dataBase64, 'base64').toString('utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    const lines = parseCsv(text.slice(1), ',').map((r) => r.values);
    expect(lines[0]).toEqual([
      'row',
      'column',
      'value',
      'reason',
      'fix',
      'Name',
      'Mobile',
      'Email',
      'Order ID',
      'Delivery Date',
      'Callback Time',
      'Amount',
      'Notes',
    ]);
    expect(lines[1].slice(0, 3)).toEqual(['8', 'Mobile', '9.87654E+09']);
    expect(lines[1][3]).toMatch(/^the number was saved in scientific notation/);
    expect(lines[1].slice(5, 9)).toEqual(['Sci', '9.87654E+09', '', 'ORD-3']);
    // A formula-looking value is neutralised in the export.
    expect(lines[3][2]).toBe("'=B4+1");
  });

  it('re-importing into the same list merges by phone: existing contacts win, blanks are filled', async () => {
    const listId = (await api()['lists.list']({})).find((l) => l.name === 'March')!.id;
    const p = await api()['imports.preview']({
      fileName: 'update.csv',
      dataBase64: b64(
        'name,phone,email,city\nSomeone Else,+91 98765 43210,new@example.com,Pune\nNew Person,9876500001,,Delhi\n',
      ),
    });
    const r = await api()['imports.commit']({ token: p.token, listId });
    expect(r).toMatchObject({ accepted: 1, duplicates: 1, duplicatesInList: 1, duplicatesInFile: 0 });
    const rahul = (await api()['contacts.page']({ listId, search: '9876543210', offset: 0, limit: 5 })).rows[0];
    expect(rahul.name).toBe('राहुल शर्मा');
    expect(rahul.email).toBe('rahul@example.com');
    expect(rahul.variables.city).toBe('Pune');
  });
});

describe('delimited files', () => {
  it('csv with BOM, semicolons, quoted fields, Devanagari and the COD preset', async () => {
    const csv =
      '\ufeffname;recipient_phone_number;order_id;status;reschedule_date;reschedule_time\r\n' +
      '"Doe; John";+1 415 555 2671;ORD123;;;\r\n' +
      'सीता देवी;09876 543 215;ORD124;;45680;\r\n' +
      ';;;;;\r\n' +
      '"Multi\r\nline";+91 98765 43216;ORD125;;;\r\n';
    const p = await api()['imports.preview']({ fileName: 'call_list.csv', dataBase64: b64(csv) });
    expect(p.preset?.id).toBe('cod-call-list');
    expect(p.notes[0]).toBe('Read as utf-8 with BOM, semicolon-separated.');
    expect(p.headerRow).toBe(1);
    expect(p.mapping).toEqual({
      name: 'name',
      recipient_phone_number: 'phone',
      order_id: 'order_id',
      status: 'status',
      reschedule_date: 'reschedule_date',
      reschedule_time: 'reschedule_time',
    });
    const r = await api()['imports.commit']({ token: p.token, listName: 'COD' });
    expect(r).toMatchObject({ accepted: 3, rejectedCount: 0, blankRows: 1, duplicates: 0 });
    const rows = (await api()['contacts.page']({ listId: r.listId, offset: 0, limit: 10 })).rows;
    expect(rows.map((c) => [c.name, c.phone, c.sourceRow])).toEqual([
      ['Doe; John', '+14155552671', 2],
      ['सीता देवी', '+919876543215', 3],
      ['Multi\r\nline'.replace(/\s+/g, ' '), '+919876543216', 5],
    ]);
    expect(rows[1].variables).toEqual({ order_id: 'ORD124', reschedule_date: '2025-01-23' });
  });

  it('tsv with the Google-Sheet layout, a mapping override and a country override', async () => {
    const tsv =
      'Name\tPhone Number\tStatus\tLatest Execution ID\tDuration\tLast Attempt Time\tNotes\tTranscript\tSummary\n' +
      'Ann\t(415) 555-2671\tcompleted\texec-1\t45.2\t2025-09-13 10:00\t\thello\tok\n' +
      'Bob\t415-555-2672\t\t\t\t\t\t\t\n';
    const p = await api()['imports.preview']({ fileName: 'sheet.tsv', dataBase64: b64(tsv), country: 'US' });
    expect(p.preset?.id).toBe('google-sheet-calls');
    const r = await api()['imports.commit']({
      token: p.token,
      country: 'US',
      listName: 'Sheet',
      mapping: { Transcript: 'skip', I: 'call_summary' },
    });
    expect(r.accepted).toBe(2);
    expect(r.mapping).toMatchObject({ 'Phone Number': 'phone', Transcript: 'skip', Summary: 'call_summary' });
    const ann = (await api()['contacts.page']({ listId: r.listId, search: 'Ann', offset: 0, limit: 5 })).rows[0];
    expect(ann.phone).toBe('+14155552671');
    expect(ann.variables).toEqual({
      status: 'completed',
      latest_execution_id: 'exec-1',
      duration: '45.2',
      last_attempt_time: '2025-09-13 10:00',
      call_summary: 'ok',
    });
  });

  it('legacy .xls (BIFF8) with a data-only sheet (no header row)', async () => {
    const xls = workbook(
      {
        Sheet1: [
          ['Asha', 9876500031, 'hi'],
          ['Bina', '+91 98765 00032', 'mr'],
        ],
      },
      'biff8',
    );
    const p = await api()['imports.preview']({ fileName: 'old.xls', dataBase64: b64(xls) });
    expect(p).toMatchObject({ kind: 'xls', headerRow: 0 });
    expect(p.mapping).toEqual({ 'Column A': 'column_a', 'Column B': 'phone', 'Column C': 'column_c' });
    const r = await api()['imports.commit']({ token: p.token, mapping: { A: 'name', C: 'language' }, listName: 'Old' });
    expect(r).toMatchObject({ accepted: 2, rejectedCount: 0 });
    const rows = (await api()['contacts.page']({ listId: r.listId, offset: 0, limit: 5 })).rows;
    // language is the contact's call language, stored as a BCP 47 tag.
    expect(rows.map((c) => [c.sourceRow, c.name, c.phone, c.language])).toEqual([
      [1, 'Asha', '+919876500031', 'hi-IN'],
      [2, 'Bina', '+919876500032', 'mr-IN'],
    ]);
  });

  it('refuses a mapping without a phone column and keeps the file open to fix it', async () => {
    const p = await api()['imports.preview']({ fileName: 'x.csv', dataBase64: b64('who,number\nA,9876543217\n') });
    expect(p.mapping.number).toBe('phone');
    await expect(api()['imports.commit']({ token: p.token, mapping: { number: 'skip' } })).rejects.toThrow(
      /No column is mapped to Phone/,
    );
    await expect(api()['imports.commit']({ token: p.token, mapping: { Nope: 'phone' } })).rejects.toThrow(
      /names a column "Nope"/,
    );
    const r = await api()['imports.commit']({ token: p.token, mapping: { who: 'name' }, listName: 'Fixed' });
    expect(r.accepted).toBe(1);
  });
});

describe('bad files get a clear message and import nothing', () => {
  const cases: [string, Buffer | string, RegExp][] = [
    ['empty.csv', '', /is empty \(0 bytes\)/],
    ['blank.xlsx', workbook({ Sheet1: [[], [null]] }), /has no data: every sheet is empty/],
    ['broken.xlsx', 'this is not a spreadsheet at all', /not a valid Excel \.xlsx file/],
    [
      'truncated.xlsx',
      workbook({
        S: [
          ['name', 'phone'],
          ['a', '9876543210'],
        ],
      }).subarray(0, 300),
      /could not be read: the file is damaged/,
    ],
    [
      'secret.xlsx',
      Buffer.concat([
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
        Buffer.alloc(64),
        Buffer.from('EncryptedPackage', 'utf16le'),
      ]),
      /password-protected/,
    ],
    ['notes.docx', 'hello', /\.docx files cannot be imported/],
    ['renamed.csv', workbook({ S: [['a']] }), /Excel workbook with a \.csv name/],
  ];
  it.each(cases)('%s', async (fileName, content, message) => {
    const before = core.db.prepare('SELECT COUNT(*) AS n FROM contacts').get() as { n: number };
    await expect(api()['imports.preview']({ fileName, dataBase64: b64(content) })).rejects.toThrow(message);
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM contacts').get()).toEqual(before);
  });

  it('oversized files are refused before parsing', async () => {
    const limit = core.contacts.maxImportBytes;
    core.contacts.maxImportBytes = 1024;
    try {
      await expect(
        api()['imports.preview']({
          fileName: 'big.csv',
          dataBase64: b64('name,phone\n' + 'a,9876543210\n'.repeat(200)),
        }),
      ).rejects.toThrow(/the import limit is 0 MB|import limit/);
      await expect(core.contacts.importFile('/nonexistent/file.csv')).rejects.toThrow(/Cannot read/);
    } finally {
      core.contacts.maxImportBytes = limit;
    }
  });

  it('a failure while saving rolls back everything, including the new list, and is recorded', async () => {
    core.db.exec(
      "CREATE TEMP TRIGGER boom BEFORE INSERT ON contacts WHEN NEW.name = 'Boom' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    );
    const lists = (await api()['lists.list']({})).length;
    const contacts = core.db.prepare('SELECT COUNT(*) AS n FROM contacts').get();
    const p = await api()['imports.preview']({
      fileName: 'boom.csv',
      dataBase64: b64('name,phone\nFine,9876500011\nBoom,9876500012\n'),
    });
    await expect(api()['imports.commit']({ token: p.token, listName: 'Never' })).rejects.toThrow(
      /Nothing was imported: saving failed \(disk on fire\)/,
    );
    core.db.exec('DROP TRIGGER temp.boom');
    expect((await api()['lists.list']({})).length).toBe(lists);
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM contacts').get()).toEqual(contacts);
    expect((await api()['imports.list']({ limit: 1 }))[0]).toMatchObject({
      fileName: 'boom.csv',
      state: 'failed',
      accepted: 0,
    });
  });

  it('cancel stops the worker mid-way; nothing is imported and the history says so', async () => {
    const rows = ['name,phone'];
    for (let i = 0; i < 60_000; i++) rows.push(`P${i},98${String(10_000_000 + i)}`);
    const p = await api()['imports.preview']({ fileName: 'long.csv', dataBase64: b64(rows.join('\n')) });
    const contacts = core.db.prepare('SELECT COUNT(*) AS n FROM contacts').get();
    const commit = api()['imports.commit']({ token: p.token, listName: 'Cancelled' });
    expect(await api()['imports.cancel']({ token: p.token })).toEqual({ cancelled: true });
    await expect(commit).rejects.toThrow(/cancelled; nothing was imported/);
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM contacts').get()).toEqual(contacts);
    expect((await api()['imports.list']({ limit: 1 }))[0]).toMatchObject({ fileName: 'long.csv', state: 'cancelled' });
    await expect(api()['imports.commit']({ token: p.token })).rejects.toThrow(/no longer open/);
  });
});

describe('CLI import', () => {
  it('returns the import shape the CLI prints, with every rejected row', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cli-import-'));
    const file = join(dir, 'leads.xlsx');
    writeFileSync(
      file,
      workbook({
        Old: [['x']],
        Leads: [
          ['Customer Name', 'Phone No.'],
          ['A', 9876500021],
          ['B', 'bad'],
          ['C', '9876500021'],
        ],
      }),
    );
    const r = await core.contacts.importFile(file, { sheet: 'Leads', listName: 'Leads' });
    expect(r).toMatchObject({
      accepted: 1,
      duplicates: 1,
      rejected: [{ row: 3, column: 'Phone No.', value: 'bad', reason: 'the phone number contains letters' }],
    });
    expect(typeof r.list_id).toBe('number');
    const list = (await api()['lists.list']({})).find((l) => l.id === r.list_id)!;
    expect(list).toMatchObject({ name: 'Leads', sourceKind: 'file', sourceRef: file, contactCount: 1 });
  });
});
