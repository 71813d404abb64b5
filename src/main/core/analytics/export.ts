import { neutralizeTable, tableToCsv, type ExportTable } from '../contacts/export';
import { ImportSession } from '../contacts/import-session';

export interface EncodedTable {
  fileName: string;
  mimeType: string;
  bytes: Buffer;
  rows: number;
}

/**
 * Encodes a table with the contacts export writers: CSV via tableToCsv, XLSX via the import worker's SheetJS
 * writer; both neutralise formula-like cells.
 */
export async function encodeTable(table: ExportTable, stem: string, format: 'csv' | 'xlsx'): Promise<EncodedTable> {
  const safeStem =
    stem
      .replace(/[\\/:*?"<>|\r\n[\]]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim() || 'analytics';
  if (format === 'csv')
    return { fileName: `${safeStem}.csv`, mimeType: 'text/csv', bytes: tableToCsv(table), rows: table.rows.length };
  const safe = neutralizeTable(table);
  const session = new ImportSession();
  try {
    let bytes: Uint8Array | null = null;
    // Excel refuses sheet names over 31 characters.
    await session.request(
      { type: 'xlsx', sheetName: safeStem.slice(0, 31), header: safe.header, rows: safe.rows },
      (m) => {
        if (m.type === 'xlsx') bytes = m.bytes;
        return 'done';
      },
    );
    const out = bytes as Uint8Array | null;
    if (!out) throw new Error('The spreadsheet writer returned nothing; try CSV instead.');
    return {
      fileName: `${safeStem}.xlsx`,
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      bytes: Buffer.from(out.buffer, out.byteOffset, out.byteLength),
      rows: table.rows.length,
    };
  } finally {
    await session.close();
  }
}
