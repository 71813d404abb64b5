import type { CellValue, SheetSource } from './workbook';

// What the import readers produce: sheets read front to back as a stream of rows, so the preview needs only the head
// of a file and the import never holds a whole workbook. Implemented for .xlsx (xlsx-stream.ts), delimited text
// (csv-stream.ts) and, for the formats only SheetJS reads (.xls, .ods), over SheetJS's parsed sheets (workbook.ts).

/** A row holding at least one cell. The rows between two streamed rows are blank. */
export interface StreamRow {
  /** 0-based: the row the user sees as index + 1. */
  index: number;
  cells: CellValue[];
}

export interface ReadProgress {
  /** Bytes of the file read so far and in all (compressed bytes for an .xlsx). */
  done: number;
  total: number;
}

export interface ReadOptions {
  /** Only the rows above this index are wanted (a preview): lets a reader skip work the rest would need. */
  rows?: number;
  onProgress?: (p: ReadProgress) => void;
}

export interface StreamedSheet {
  name: string;
  /** Rows the file declares (an .xlsx sheet's dimension) or the exact count when known; null when unknown. */
  rowsHint: number | null;
  /**
   * Streams the rows in order from the top. `onRows` gets them in batches and returns false to stop reading early;
   * the promise settles once reading has stopped (or fails with the file's error).
   */
  read(onRows: (rows: StreamRow[]) => boolean | void, opts?: ReadOptions): Promise<void>;
}

export interface StreamedBook {
  kind: 'xlsx' | 'xls' | 'csv' | 'tsv' | 'ods';
  sheets: StreamedSheet[];
  /** Notes for the user about how the file was read (encoding, separator). */
  notes: string[];
}

/** The first rows of a sheet, as a random-access SheetSource for header detection, mapping and the preview. */
export interface SheetHead extends SheetSource {
  /** The sheet ended within these rows, so rowCount is the sheet's own. */
  complete: boolean;
  /** rowCount when complete, else the best estimate of the sheet's length. */
  estimatedRows: number;
}

export async function readHead(sheet: StreamedSheet, rows: number): Promise<SheetHead> {
  const data: CellValue[][] = [];
  let complete = true;
  await sheet.read(
    (batch) => {
      for (const r of batch) {
        if (r.index >= rows) {
          complete = false;
          return false;
        }
        data[r.index] = r.cells;
      }
      return true;
    },
    { rows },
  );
  const rowCount = complete ? data.length : rows;
  return {
    name: sheet.name,
    rowCount,
    row: (i) => data[i] ?? [],
    complete,
    estimatedRows: complete ? rowCount : Math.max(rowCount, sheet.rowsHint ?? rowCount),
  };
}

/** A SheetSource already in memory (SheetJS's parse of an .xls or .ods) as a stream. */
export function sheetAsStream(source: SheetSource, rowsHint = source.rowCount): StreamedSheet {
  return {
    name: source.name,
    rowsHint,
    read(onRows) {
      const BATCH = 2000;
      let batch: StreamRow[] = [];
      for (let i = 0; i < source.rowCount; i++) {
        const cells = source.row(i);
        if (cells.length === 0) continue;
        batch.push({ index: i, cells });
        if (batch.length === BATCH) {
          if (onRows(batch) === false) return Promise.resolve();
          batch = [];
        }
      }
      if (batch.length) onRows(batch);
      return Promise.resolve();
    },
  };
}
