import * as XLSX from '@e965/xlsx';

// Real spreadsheet files built in the test with SheetJS, shaped like what supervisors actually send.

export type Cell = XLSX.CellObject | string | number | null;

/** A workbook from sheets of rows; a Cell object is written as-is (formulas, number formats). */
export function workbook(sheets: Record<string, Cell[][]>, bookType: XLSX.BookType = 'xlsx'): Buffer {
  const wb = XLSX.utils.book_new();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws: XLSX.WorkSheet = {};
    let maxC = 0;
    rows.forEach((row, r) =>
      row.forEach((v, c) => {
        if (v === null) return;
        maxC = Math.max(maxC, c);
        ws[XLSX.utils.encode_cell({ r, c })] =
          typeof v === 'object' ? v : typeof v === 'number' ? { t: 'n', v } : { t: 's', v };
      }),
    );
    ws['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(rows.length - 1, 0), c: maxC } });
    XLSX.utils.book_append_sheet(wb, ws, name);
  }
  return XLSX.write(wb, { type: 'buffer', bookType }) as Buffer;
}

export function readBack(bytes: Buffer): unknown[][] {
  const wb = XLSX.read(bytes, { type: 'buffer' });
  return XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets[wb.SheetNames[0]], { header: 1, raw: true, defval: null });
}
