import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnsFor, detectHeaderRow, resolveMapping, suggestMapping } from '../../src/main/core/contacts/mapping';
import { DEFAULT_READ_LIMITS } from '../../src/main/core/contacts/read-limits';
import { RowConverter, type ParsedRecord } from '../../src/main/core/contacts/records';
import { readWorkbook, type CellValue, type SheetSource } from '../../src/main/core/contacts/workbook';
import { openXlsx } from '../../src/main/core/contacts/xlsx-stream';
import { writeXlsxTable } from '../../src/main/core/contacts/xlsx-export';
import { createTestCore } from '../support/core';
import { readBack, workbook, workbookWithSharedStrings, xlsxFromXml, type Cell } from './files';

// The streaming readers against SheetJS on the same generated files, and the limits and encodings they enforce,
// through the import API where the user meets them.

interface SheetRows {
  name: string;
  rows: CellValue[][];
}

async function streamed(bytes: Buffer): Promise<SheetRows[]> {
  const book = await openXlsx(bytes, 'book.xlsx', DEFAULT_READ_LIMITS);
  const out: SheetRows[] = [];
  for (const sheet of book.sheets) {
    const rows: CellValue[][] = [];
    await sheet.read((batch) => {
      for (const r of batch) rows[r.index] = r.cells;
    });
    out.push({ name: sheet.name, rows: Array.from(rows, (r) => r ?? []) });
  }
  return out;
}

function bySheetJs(bytes: Buffer): SheetRows[] {
  return readWorkbook(bytes, 'book.xlsx').sheets.map((s) => ({
    name: s.name,
    rows: Array.from({ length: s.rowCount }, (_, i) => s.row(i)),
  }));
}

/** Rows as comparable text: holes and nulls alike, dates as ISO. */
const plain = (sheets: SheetRows[]) => JSON.parse(JSON.stringify(sheets)) as unknown;

function contactsOf(sheet: SheetRows) {
  const source: SheetSource = { name: sheet.name, rowCount: sheet.rows.length, row: (i) => sheet.rows[i] ?? [] };
  const headerRow = detectHeaderRow(source);
  const columns = columnsFor(source, headerRow);
  const samples = sheet.rows.slice(headerRow, headerRow + 50);
  const { targets } = resolveMapping(columns, suggestMapping(columns, samples, 'IN').mapping, undefined);
  const records: ParsedRecord[] = [];
  const fills: [number, ParsedRecord][] = [];
  const converter = new RowConverter(
    headerRow > 0 ? source.row(headerRow - 1) : null,
    headerRow,
    columns,
    targets,
    'IN',
    { add: (r) => records.push(r), fill: (o, r) => fills.push([o, r]) },
  );
  sheet.rows.forEach((cells, i) => {
    if (cells.length) converter.push(i, cells);
  });
  return { headerRow, records, fills, ...converter.finish() };
}

const date = (v: number, z = 'yyyy-mm-dd'): Cell => ({ t: 'n', v, z });

const supervisorSheet: Cell[][] = [
  ['Customer list — March'],
  [],
  ['Name', 'Mobile', 'Email', 'Order ID', 'Delivery Date', 'Callback Time', 'Amount', 'Paid', 'Notes'],
  [
    'राहुल शर्मा',
    9876543210,
    'R@x.in',
    'ORD-1',
    date(45678),
    date(0.6041666666666666, 'hh:mm'),
    1200,
    { t: 'b', v: true },
    'a & b <c>',
  ],
  ['Priya 😊', '+91 98765-43211', '', '00042', 45679, null, 99.5, { t: 'b', v: false }, ''],
  [],
  ['Rahul again', '098765 43210', '', '', null, null, null, null, 'VIP'],
  ['No result', { t: 'n', f: 'B4+1' } as never, '', 'ORD-7'],
  ['Formula ok', { t: 'n', v: 9876543214, f: '9876543200+14' }, '', { t: 'e', v: 0x2a } as never],
  ['Sci', '9.87654E+09', '', 'ORD-3', date(45680, 'd-mmm-yy h:mm')],
  [null, null, null, null, null, null, null, null, 'only a note'],
  ['Long', 98765432101234, '', 'ORD-9', 1e21, -0.25],
];

describe('the streaming .xlsx reader reads what SheetJS reads', () => {
  const cases: [string, () => Buffer][] = [
    ['SheetJS "str" cells, dates, times, formulas, errors, blank rows', () => workbook({ Customers: supervisorSheet })],
    [
      'shared strings, as Excel saves them, over two sheets',
      () => workbookWithSharedStrings({ Notes: [['read me'], ['second']], Customers: supervisorSheet }),
    ],
    [
      'inline and rich strings, phonetic runs, shared formulas, ISO dates, escapes, rows and cells without refs',
      () =>
        xlsxFromXml({
          sheets: { Data: HANDWRITTEN_ROWS },
          sharedStrings: HANDWRITTEN_STRINGS,
          styles: [0, 14, 'hh:mm'],
        }),
    ],
    [
      'the same with prefixed element names',
      () =>
        xlsxFromXml({
          // SheetJS misses a prefixed shared formula without a value ("#ERROR"); that cell is left out here.
          sheets: { Data: HANDWRITTEN_ROWS.replace('<c t="e"><f t="shared" si="0"/></c>', '<c/>') },
          sharedStrings: HANDWRITTEN_STRINGS,
          styles: [0, 14, 'hh:mm'],
          prefixed: true,
        }),
    ],
    [
      'the 1904 date system',
      () =>
        xlsxFromXml({
          sheets: {
            Data: '<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Phone</t></is></c><c r="C1" t="inlineStr"><is><t>Visit date</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Asha</t></is></c><c r="B2"><v>9876500031</v></c><c r="C2" s="1"><v>44216</v></c></row>',
          },
          styles: [0, 14],
          date1904: true,
        }),
    ],
  ];

  it.each(cases)('%s: the same cells, and the same contacts', async (_label, make) => {
    const bytes = make();
    const fromStream = await streamed(bytes);
    const fromSheetJs = bySheetJs(bytes);
    expect(plain(fromStream)).toEqual(plain(fromSheetJs));
    const longest = Math.max(...fromStream.map((s) => s.rows.length));
    const data = fromStream.findIndex((s) => s.rows.length === longest);
    const a = contactsOf(fromStream[data]);
    const b = contactsOf(fromSheetJs[data]);
    expect(a.records.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  it('reads the handwritten workbook as typed', async () => {
    const [sheet] = await streamed(
      xlsxFromXml({ sheets: { Data: HANDWRITTEN_ROWS }, sharedStrings: HANDWRITTEN_STRINGS, styles: [0, 14, 'hh:mm'] }),
    );
    expect(plain([sheet])).toEqual([
      {
        name: 'Data',
        rows: [
          ['Name', 'Mobile', 'Order', 'Delivery date', 'Total', 'Joined on', 'Active'],
          [],
          [
            'राहुल शर्मा',
            9876543210,
            ' ORD-1 ',
            '2025-01-21T00:00:00.000Z',
            19753086420,
            '2025-01-21T10:30:00.000Z',
            true,
          ],
          [
            'Ünïcode & <tags> \r line',
            '98765 43210',
            null,
            '1899-12-31T12:00:00.000Z',
            { formula: 'B4*2' },
            { error: '#N/A' },
            false,
          ],
          ['Priya 😊 ', '+91 98765 43211', null, null, 4],
          [],
          [],
          [null, null, 'orphan'],
        ],
      },
    ]);
  });
});

const HANDWRITTEN_STRINGS = [
  '<si><t>Mobile</t></si>',
  '<si><r><t>Deliv</t></r><r><rPr><i/></rPr><t>ery date</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si>',
  '<si><t>राहुल शर्मा</t></si>',
  '<si><t>98765 43210</t><phoneticPr fontId="1"/></si>',
  '<si><t xml:space="preserve">Priya 😊 </t></si>',
  '<si><t>orphan</t></si>',
];

const HANDWRITTEN_ROWS = [
  '<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><r><t>Ord</t></r><r><rPr><b/></rPr><t>er</t></r></is></c><c r="D1" t="s"><v>1</v></c><c r="E1" t="str"><v>Total</v></c><c r="F1" t="inlineStr"><is><t>Joined on</t></is></c><c r="G1" t="inlineStr"><is><t>Active</t></is></c></row>',
  '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3"><v>9876543210</v></c><c r="C3" t="inlineStr"><is><t xml:space="preserve"> ORD-1 </t></is></c><c r="D3" s="1"><v>45678</v></c><c r="E3"><f t="shared" ref="E3:E5" si="0">B3*2</f><v>19753086420</v></c><c r="F3" t="d"><v>2025-01-21T10:30:00</v></c><c r="G3" t="b"><v>1</v></c></row>',
  '<row><c t="inlineStr"><is><t>Ünïcode &amp; &lt;tags&gt; _x000D_ line</t></is></c><c t="s"><v>3</v></c><c/><c s="2"><v>0.5</v></c><c t="e"><f t="shared" si="0"/></c><c t="e"><v>#N/A</v></c><c t="b"><v>0</v></c></row>',
  '<row r="5"><c r="A5" t="s"><v>4</v></c><c r="B5" t="str"><v>+91 98765 43211</v></c><c r="E5"><f t="shared" si="0"/><v>4</v></c></row>',
  '<row r="6" spans="1:7"/>',
  '<row r="8"><c r="C8" t="s"><v>5</v></c></row>',
].join('');

// ---- through the import API ----

let core: ReturnType<typeof createTestCore>;
beforeAll(() => {
  core = createTestCore();
});
afterAll(async () => core.cleanup());

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');
const contactCount = () => (core.db.prepare('SELECT COUNT(*) AS n FROM contacts').get() as { n: number }).n;

async function importText(fileName: string, bytes: Buffer) {
  const p = await core.api['imports.preview']({ fileName, dataBase64: b64(bytes), country: 'IN' });
  const r = await core.api['imports.commit']({ token: p.token, listName: fileName, country: 'IN' });
  const rows = (await core.api['contacts.page']({ listId: r.listId, offset: 0, limit: 10 })).rows;
  return { preview: p, result: r, rows };
}

describe('text encodings', () => {
  const text = 'name,phone,city\nJosé Müller,+91 98765 00101,Köln\nराहुल,+91 98765 00102,पुणे\n';
  const bom = Buffer.from([0xfe, 0xff]);
  const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
  const cases: [string, Buffer, string][] = [
    ['utf-8', Buffer.from(text, 'utf8'), 'utf-8'],
    ['utf-8 with BOM', Buffer.from(`\ufeff${text}`, 'utf8'), 'utf-8 with BOM'],
    ['utf-16 LE with BOM', Buffer.from(`\ufeff${text}`, 'utf16le'), 'utf-16le with BOM'],
    ['utf-16 LE without BOM', Buffer.from(text, 'utf16le'), 'utf-16le'],
    ['utf-16 BE with BOM', Buffer.concat([bom, utf16be(text)]), 'utf-16be with BOM'],
    ['utf-16 BE without BOM', utf16be(text), 'utf-16be'],
  ];
  it.each(cases)('%s', async (label, bytes, read) => {
    const { preview, result, rows } = await importText(`${label}.csv`, bytes);
    expect(preview.notes[0]).toBe(`Read as ${read}, comma-separated.`);
    expect(result).toMatchObject({ accepted: 2, rejectedCount: 0 });
    expect(rows.map((c) => [c.name, c.phone, c.variables.city])).toEqual([
      ['José Müller', '+919876500101', 'Köln'],
      ['राहुल', '+919876500102', 'पुणे'],
    ]);
  });

  it('windows-1252 when the bytes are not UTF-8', async () => {
    // "€" is 0x80 in Windows-1252; the rest of these letters share their Latin-1 bytes.
    const bytes = Buffer.concat([
      Buffer.from('name;phone;note\nFrançois;+91 98765 00103;Zürich ', 'latin1'),
      Buffer.from([0x80]),
      Buffer.from('\n', 'latin1'),
    ]);
    const { preview, rows } = await importText('legacy.csv', bytes);
    expect(preview.notes[0]).toBe('Read as windows-1252, semicolon-separated.');
    expect(rows.map((c) => [c.name, c.variables.note])).toEqual([['François', 'Zürich €']]);
  });

  it.each([
    ['tab', 'name\tphone\tcity\nAsha\t+91 98765 00104\tPune\n'],
    ['"|"', 'name|phone|city\nAsha|+91 98765 00105|Pune\n'],
  ])('sniffs the %s separator in a .txt', async (sep, content) => {
    const { preview, result } = await importText(`sep ${sep}.txt`, Buffer.from(content));
    expect(preview.notes[0]).toBe(`Read as utf-8, ${sep}-separated.`);
    expect(result.accepted).toBe(1);
  });

  it('a NUL byte is refused with its row and column; nothing is imported', async () => {
    const before = contactCount();
    const bytes = Buffer.from('name,phone\nAsha,+91 98765 00106\nBi\u0000na,+91 98765 00107\n');
    const importNul = async () => {
      const p = await core.api['imports.preview']({ fileName: 'nul.csv', dataBase64: b64(bytes) });
      return core.api['imports.commit']({ token: p.token, listName: 'nul' });
    };
    await expect(importNul()).rejects.toThrow(/row 3, column 1 contains a NUL character/);
    expect(contactCount()).toBe(before);
  });

  it('binary junk is "not a spreadsheet"', async () => {
    const junk = Buffer.alloc(8192);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 251;
    await expect(core.api['imports.preview']({ fileName: 'photo.csv', dataBase64: b64(junk) })).rejects.toThrow(
      /photo\.csv is not a spreadsheet/,
    );
  });
});

describe('limits, checked while streaming', () => {
  const withLimits = async <T>(limits: Partial<typeof DEFAULT_READ_LIMITS>, run: () => Promise<T>) => {
    core.contacts.imports.readLimits = limits;
    try {
      return await run();
    } finally {
      core.contacts.imports.readLimits = {};
    }
  };
  const preview = (fileName: string, bytes: Buffer) =>
    core.api['imports.preview']({ fileName, dataBase64: b64(bytes) });
  const previewAndCommit = async (fileName: string, bytes: Buffer) =>
    core.api['imports.commit']({ token: (await preview(fileName, bytes)).token, listName: fileName });

  it('a million-column header is refused at once, with the default limits', async () => {
    const header = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',');
    await expect(preview('wide.csv', Buffer.from(`${header}\n1,2\n`))).rejects.toThrow(
      /wide\.csv: row 1 has more than 2,000 columns/,
    );
  });

  it('columns in an .xlsx: a cell past the last column allowed', async () => {
    const sheet = '<row r="1"><c r="A1" t="inlineStr"><is><t>phone</t></is></c><c r="CW1"><v>1</v></c></row>';
    await withLimits({ maxColumns: 100 }, async () => {
      await expect(preview('wide.xlsx', xlsxFromXml({ sheets: { S: sheet } }))).rejects.toThrow(
        /wide\.xlsx: row 1 has more than 100 columns/,
      );
    });
  });

  it('cell length, in CSV and .xlsx', async () => {
    const long = 'x'.repeat(5000);
    await withLimits({ maxCellChars: 4000 }, async () => {
      await expect(preview('long.csv', Buffer.from(`name,phone\n${long},9876500108\n`))).rejects.toThrow(
        /long\.csv: row 2, column 1 holds more than 4,000 characters/,
      );
      const sheet = `<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row><row r="2"><c r="B2" t="inlineStr"><is><t>${long}</t></is></c></row>`;
      await expect(preview('long.xlsx', xlsxFromXml({ sheets: { S: sheet } }))).rejects.toThrow(
        /long\.xlsx: cell B2 holds more than 4,000 characters/,
      );
    });
  });

  it('rows: the preview reads only the head, the import stops at the limit', async () => {
    const rows = ['name,phone'];
    for (let i = 0; i < 3000; i++) rows.push(`P${i},98${String(10_000_000 + i)}`);
    const before = contactCount();
    await withLimits({ maxRows: 2500 }, async () => {
      const p = await preview('many.csv', Buffer.from(rows.join('\n')));
      expect(p.headerRow).toBe(1);
      // The length shown is estimated from the head (every line is in it here), not counted by reading it all.
      expect(p.sheets).toEqual([{ name: 'many', rows: 3001 }]);
      await expect(core.api['imports.commit']({ token: p.token, listName: 'many' })).rejects.toThrow(
        /many\.csv has more than 2,500 rows/,
      );
    });
    expect(contactCount()).toBe(before);
  });

  it('a bad row far down does not stop the preview, and the import names it', async () => {
    const rows = ['name,phone'];
    for (let i = 0; i < 4000; i++) rows.push(`P${i},98${String(20_000_000 + i)}`);
    rows[3500] = Array.from({ length: 2500 }, () => 'x').join(',');
    const p = await preview('late.csv', Buffer.from(rows.join('\n')));
    expect(p.mapping.phone).toBe('phone');
    await expect(core.api['imports.commit']({ token: p.token, listName: 'late' })).rejects.toThrow(
      /late\.csv: row 3,501 has more than 2,000 columns/,
    );
  });

  it('unpacked size: a sheet past the limit is refused before it is inflated', async () => {
    const sheet =
      '<row><c t="inlineStr"><is><t>phone</t></is></c></row>' + '<row><c><v>9876500109</v></c></row>'.repeat(60_000);
    await withLimits({ maxUncompressedBytes: 1024 * 1024 }, async () => {
      await expect(previewAndCommit('big.xlsx', xlsxFromXml({ sheets: { S: sheet } }))).rejects.toThrow(
        /big\.xlsx unpacks to more than 1 MB of data/,
      );
    });
  });

  it('zip bombs: a part that claims a huge size, and one that unpacks to more than it claims', async () => {
    const before = contactCount();
    const rows = '<row><c><v>9876500110</v></c></row>'.repeat(500_000);
    const claimsHuge = xlsxFromXml({
      sheets: { S: rows },
      declaredSizes: { 'xl/worksheets/sheet1.xml': 3 * 1024 ** 3 },
    });
    await expect(previewAndCommit('bomb1.xlsx', claimsHuge)).rejects.toThrow(
      /bomb1\.xlsx unpacks to more than 2,048 MB/,
    );
    const lies = xlsxFromXml({ sheets: { S: rows }, declaredSizes: { 'xl/worksheets/sheet1.xml': 4096 } });
    expect(lies.byteLength).toBeLessThan(200_000);
    await expect(previewAndCommit('bomb2.xlsx', lies)).rejects.toThrow(/unpacks to more than it declares/);
    expect(contactCount()).toBe(before);
  });
});

describe('a file in many batches', () => {
  it('finds every duplicate number across batches, and a later row fills what the first left blank', async () => {
    const rows = ['name,phone,city'];
    for (let i = 0; i < 30_000; i++) rows.push(`P${i},98${String(30_000_000 + i)},${i % 7 ? 'Pune' : ''}`);
    // Rows 30,002 on repeat the numbers of the rows 20,000 above them, with a city where those had none.
    for (let i = 0; i < 30_000; i += 7) rows.push(`Again ${i},+91 98${String(30_000_000 + i)},Delhi`);
    const { result } = await importText('batches.csv', Buffer.from(rows.join('\n')));
    expect(result).toMatchObject({ accepted: 30_000, duplicatesInFile: Math.ceil(30_000 / 7), rejectedCount: 0 });
    const found = await core.api['contacts.page']({ listId: result.listId, search: '9830021000', offset: 0, limit: 5 });
    expect(found.rows.map((c) => [c.name, c.sourceRow, c.variables.city])).toEqual([['P21000', 21_002, 'Delhi']]);
  });
});

describe('streaming .xlsx export', () => {
  it('writes every row in batches, reports progress, and SheetJS reads it back', async () => {
    const rows = Array.from({ length: 12_345 }, (_, i) => [i, `Name ${i} & <co>`, i % 3 ? null : '=cmd()', 'मुंबई']);
    const progress: { done: number; total: number }[] = [];
    const bytes = await writeXlsxTable('Results: March/April', ['id', 'name', 'note', 'city'], rows, (p) =>
      progress.push(p),
    );
    const back = readBack(bytes);
    expect(back).toHaveLength(rows.length + 1);
    expect(back[0]).toEqual(['id', 'name', 'note', 'city']);
    expect(back[1]).toEqual([0, 'Name 0 & <co>', "'=cmd()", 'मुंबई']);
    expect(back[2]).toEqual([1, 'Name 1 & <co>', null, 'मुंबई']);
    expect(back[rows.length]).toEqual([12_344, 'Name 12344 & <co>', null, 'मुंबई']);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
    expect(progress[progress.length - 1]).toEqual({ done: rows.length, total: rows.length });
  });
});
