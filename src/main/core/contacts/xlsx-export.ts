import { neutralizeCell } from './csv';
import { ImportSession } from './import-session';
import type { XlsxCell } from './xlsx-writer';

// Exports as .xlsx, written by the import worker's streaming writer: rows go over in batches, so the main thread
// never blocks on one huge copy, memory stays flat, and the caller hears how far it has got.

export interface ExportProgress {
  /** Data rows written so far. */
  done: number;
  total: number;
}

const BATCH_ROWS = 5000;

/** The .xlsx bytes of a table; text cells are neutralised against formula injection on the way. */
export async function writeXlsxTable(
  sheetName: string,
  header: string[],
  rows: XlsxCell[][],
  onProgress?: (p: ExportProgress) => void,
): Promise<Buffer> {
  const session = new ImportSession();
  try {
    await session.request({ type: 'xlsx-begin', sheetName, header: header.map(neutralizeCell) }, () => 'done');
    onProgress?.({ done: 0, total: rows.length });
    for (let i = 0; i < rows.length; i += BATCH_ROWS) {
      const batch = rows.slice(i, i + BATCH_ROWS).map((row) => row.map(neutralize));
      await session.request({ type: 'xlsx-rows', rows: batch }, () => 'done');
      onProgress?.({ done: Math.min(i + BATCH_ROWS, rows.length), total: rows.length });
    }
    let bytes: Uint8Array | null = null;
    await session.request({ type: 'xlsx-end' }, (m) => {
      if (m.type === 'xlsx') bytes = m.bytes;
      return 'done';
    });
    const out = bytes as Uint8Array | null;
    if (!out) throw new Error('the spreadsheet writer returned nothing');
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  } finally {
    await session.close();
  }
}

const neutralize = (v: XlsxCell): XlsxCell => (typeof v === 'string' ? neutralizeCell(v) : v);
