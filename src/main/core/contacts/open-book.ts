import { openDelimited } from './csv-stream';
import type { ReadLimits } from './read-limits';
import { sheetAsStream, type StreamedBook, type StreamedSheet, type StreamRow } from './sheet-stream';
import { checkFile, isDelimitedExtension, readWorkbook, type Workbook } from './workbook';
import { NotStreamable, openXlsx } from './xlsx-stream';

// The one way the import worker opens a file: delimited text and .xlsx stream; .xls and .ods (and an .xlsx the
// streaming reader declines, such as one with malformed XML) are read whole by SheetJS, as before.

export async function openBook(
  bytes: Uint8Array,
  fileName: string,
  maxBytes: number,
  limits: ReadLimits,
): Promise<StreamedBook> {
  const ext = checkFile(bytes, fileName, maxBytes);
  if (isDelimitedExtension(ext)) return openDelimited(bytes, fileName, ext, limits);
  if (ext !== 'xlsx' && ext !== 'xlsm') return fromSheetJs(readWorkbook(bytes, fileName));
  let sheetJs: Workbook | null = null;
  const whole = () => (sheetJs ??= readWorkbook(bytes, fileName));
  let book: StreamedBook;
  try {
    book = await openXlsx(bytes, fileName, limits);
  } catch (err) {
    if (err instanceof NotStreamable) return fromSheetJs(whole());
    throw err;
  }
  return { ...book, sheets: book.sheets.map((s, i) => withFallback(s, () => whole().sheets[i] ?? null)) };
}

function fromSheetJs(book: Workbook): StreamedBook {
  return { kind: book.kind, notes: book.notes, sheets: book.sheets.map((s) => sheetAsStream(s)) };
}

/**
 * A streamed sheet that, should the stream turn out unreadable part-way, goes on from SheetJS's reading of the
 * same sheet after the last row already handed out.
 */
function withFallback(sheet: StreamedSheet, whole: () => Workbook['sheets'][number] | null): StreamedSheet {
  return {
    name: sheet.name,
    rowsHint: sheet.rowsHint,
    async read(onRows, opts) {
      let last = -1;
      let stopped = false;
      try {
        await sheet.read((rows: StreamRow[]) => {
          last = rows[rows.length - 1].index;
          const go = onRows(rows);
          if (go === false) stopped = true;
          return go;
        }, opts);
      } catch (err) {
        if (!(err instanceof NotStreamable) || stopped) throw err;
        const source = whole();
        if (!source) throw err;
        await sheetAsStream(source).read((rows) => {
          const after = rows.filter((r) => r.index > last);
          return after.length ? onRows(after) : true;
        });
      }
    },
  };
}
