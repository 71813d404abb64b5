import { parentPort } from 'node:worker_threads';
import * as XLSX from '@e965/xlsx';
import type { FromWorker, PreviewData, ToWorker } from './import-protocol';
import {
  cellText,
  columnsFor,
  detectHeaderRow,
  isBlankRow,
  MappingError,
  resolveMapping,
  suggestMapping,
} from './mapping';
import { convertRows, packRecords } from './records';
import { ImportFileError, readWorkbook, type SheetSource, type Workbook } from './workbook';

// Spreadsheet parsing off the main thread: SheetJS needs seconds and hundreds of MB on 100k rows. The worker keeps
// the parsed workbook between preview and commit, so a file is parsed once however often the user re-maps it.

const port = parentPort;
if (!port) throw new Error('import-worker must run as a worker thread');

let fileName = '';
let sizeBytes = 0;
let book: Workbook | null = null;

const PREVIEW_ROWS = 30;
const RECORD_CHUNK = 20_000;

function send(message: FromWorker): void {
  port!.postMessage(message);
}

function pickSheet(name: string | undefined): SheetSource {
  if (!book) throw new ImportFileError('corrupt', 'No file is open in this import session.');
  if (name === undefined) {
    // The first sheet with a phone column, else the first with any content: a cover or notes sheet does not hide the data.
    const withContent = book.sheets.filter(hasContent);
    return withContent.find(hasPhoneColumn) ?? withContent[0] ?? book.sheets[0];
  }
  const sheet = book.sheets.find((s) => s.name === name);
  if (!sheet)
    throw new MappingError(
      `${fileName} has no sheet named "${name}". Sheets: ${book.sheets.map((s) => s.name).join(', ')}.`,
    );
  return sheet;
}

function hasPhoneColumn(sheet: SheetSource): boolean {
  const headerRow = detectHeaderRow(sheet);
  const samples: ReturnType<SheetSource['row']>[] = [];
  for (let r = headerRow; r < sheet.rowCount && samples.length < 20; r++) samples.push(sheet.row(r));
  return Object.values(suggestMapping(columnsFor(sheet, headerRow), samples, 'US').mapping).includes('phone');
}

function hasContent(sheet: SheetSource): boolean {
  for (let r = 0; r < Math.min(sheet.rowCount, 1000); r++) if (!isBlankRow(sheet.row(r))) return true;
  return false;
}

function preview(sheetName: string | undefined, headerRowIn: number | undefined, country: string): PreviewData {
  const sheet = pickSheet(sheetName);
  const headerRow = headerRowIn ?? detectHeaderRow(sheet);
  if (headerRow > sheet.rowCount)
    throw new MappingError(`Row ${headerRow} is past the end of sheet "${sheet.name}" (${sheet.rowCount} rows).`);
  const columns = columnsFor(sheet, headerRow);
  const samples: ReturnType<SheetSource['row']>[] = [];
  for (let r = headerRow; r < sheet.rowCount && samples.length < 50; r++) {
    const cells = sheet.row(r);
    if (!isBlankRow(cells)) samples.push(cells);
  }
  const { mapping, preset } = suggestMapping(columns, samples, country);
  const rows: PreviewData['rows'] = [];
  for (let r = 0; r < Math.min(sheet.rowCount, PREVIEW_ROWS); r++) {
    const cells = sheet.row(r);
    rows.push({ row: r + 1, cells: columns.map((c) => display(cells[c.index] ?? null)) });
  }
  return {
    fileName,
    sizeBytes,
    kind: book!.kind,
    sheets: book!.sheets.map((s) => ({ name: s.name, rows: s.rowCount })),
    sheet: sheet.name,
    headerRow,
    columns: columns.map((c) => ({
      ...c,
      target: mapping[c.key],
      samples: samples.slice(0, 5).map((cells) => display(cells[c.index] ?? null)),
    })),
    rows,
    mapping,
    preset: preset ? { id: preset.id, label: preset.label } : null,
    notes: book!.notes,
  };
}

function display(v: ReturnType<SheetSource['row']>[number]): string {
  if (v !== null && typeof v === 'object' && 'formula' in v) return `=${v.formula}`;
  return cellText(v);
}

function handle(msg: ToWorker): void {
  switch (msg.type) {
    case 'reset':
      book = null;
      fileName = '';
      sizeBytes = 0;
      return;
    case 'open': {
      fileName = msg.fileName;
      sizeBytes = msg.bytes.byteLength;
      send({ type: 'progress', phase: 'reading', done: 0, total: sizeBytes });
      book = readWorkbook(msg.bytes, msg.fileName, msg.maxBytes);
      if (!book.sheets.some(hasContent)) {
        send({
          type: 'error',
          code: 'empty',
          message: `${fileName} has no data: every sheet is empty. Check that you picked the right file.`,
        });
        return;
      }
      send({ type: 'preview', preview: preview(undefined, undefined, msg.country) });
      return;
    }
    case 'inspect':
      send({ type: 'preview', preview: preview(msg.sheet, msg.headerRow, msg.country) });
      return;
    case 'xlsx': {
      const ws = XLSX.utils.aoa_to_sheet([msg.header, ...msg.rows]);
      const wb = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(wb, ws, msg.sheetName.slice(0, 31) || 'Export');
      const out = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
      // A copy: Buffers may sit in Node's shared pool, which cannot be transferred.
      const bytes = new Uint8Array(out);
      port!.postMessage({ type: 'xlsx', bytes } satisfies FromWorker, [bytes.buffer as ArrayBuffer]);
      return;
    }
    case 'convert': {
      const sheet = pickSheet(msg.sheet);
      const headerRow = msg.headerRow ?? detectHeaderRow(sheet);
      const columns = columnsFor(sheet, headerRow);
      const samples: ReturnType<SheetSource['row']>[] = [];
      for (let r = headerRow; r < sheet.rowCount && samples.length < 50; r++) samples.push(sheet.row(r));
      const suggested = suggestMapping(columns, samples, msg.country).mapping;
      const resolved = resolveMapping(columns, suggested, msg.mapping);
      const result = convertRows(sheet, headerRow, columns, resolved.targets, msg.country, (done, total) =>
        send({ type: 'progress', phase: 'converting', done, total }),
      );
      if (result.dataRows === 0) {
        send({
          type: 'error',
          code: 'no_rows',
          message: `Sheet "${sheet.name}" has no data rows below the header (row ${headerRow}). Pick another sheet or header row.`,
        });
        return;
      }
      for (let i = 0; i < result.records.length; i += RECORD_CHUNK) {
        const chunk = result.records.slice(i, i + RECORD_CHUNK);
        send({ type: 'records', batch: packRecords(chunk), count: chunk.length });
      }
      send({
        type: 'converted',
        summary: {
          sheet: sheet.name,
          headerRow,
          mapping: resolved.applied,
          rejected: result.rejected,
          duplicates: result.duplicates,
          blankRows: result.blankRows,
          dataRows: result.dataRows,
        },
      });
      return;
    }
  }
}

port.on('message', (msg: ToWorker) => {
  try {
    handle(msg);
  } catch (err) {
    if (err instanceof ImportFileError) send({ type: 'error', code: err.code, message: err.message });
    else if (err instanceof MappingError) send({ type: 'error', code: 'mapping', message: err.message });
    else send({ type: 'error', code: 'internal', message: err instanceof Error ? err.message : String(err) });
  }
});
