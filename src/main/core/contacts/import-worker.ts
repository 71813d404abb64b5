import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
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
import { openBook } from './open-book';
import { readLimits } from './read-limits';
import { deflateRecords, mergeInto, packRecordText, RowConverter, type ParsedRecord, type RecordSink } from './records';
import { readHead, type SheetHead, type StreamedBook, type StreamedSheet } from './sheet-stream';
import { ImportFileError, type CellValue } from './workbook';
import { XlsxStreamWriter } from './xlsx-writer';

// Reading files off the main thread. The worker keeps the opened file between preview and commit; the preview reads
// only the head of each sheet, and a commit streams the chosen sheet once, turning rows into contacts as they come
// and sending them on in batches, so neither the workbook nor the contacts are ever all in memory here.

const port = parentPort;
if (!port) throw new Error('import-worker must run as a worker thread');

let fileName = '';
let sizeBytes = 0;
let book: StreamedBook | null = null;
/** The head of each sheet read so far, by sheet index. */
let heads: SheetHead[] = [];
let writer: XlsxStreamWriter | null = null;

const PREVIEW_ROWS = 30;
/** Rows read for a preview: header detection looks at 30, the column scan 200 below the header, content checks 1000. */
const HEAD_ROWS = 1000;
const RECORD_CHUNK = 5_000;
/** Contacts sent as text before the rest go deflated (a 100k import needs no deflating). */
const DEFLATE_AFTER = 200_000;

function send(message: FromWorker): void {
  port!.postMessage(message);
}

async function headOf(index: number, rows = HEAD_ROWS): Promise<SheetHead> {
  const cached = heads[index];
  if (cached && (cached.complete || cached.rowCount >= rows)) return cached;
  const head = await readHead(book!.sheets[index], rows);
  heads[index] = head;
  return head;
}

interface Picked {
  sheet: StreamedSheet;
  head: SheetHead;
}

async function pickSheet(name: string | undefined): Promise<Picked> {
  if (!book) throw new ImportFileError('corrupt', 'No file is open in this import session.');
  if (name === undefined) {
    // The first sheet with a phone column, else the first with any content: a cover or notes sheet does not hide the data.
    let firstWithContent: number | null = null;
    for (let i = 0; i < book.sheets.length; i++) {
      const head = await headOf(i);
      if (!hasContent(head)) continue;
      firstWithContent ??= i;
      if (hasPhoneColumn(head)) return { sheet: book.sheets[i], head };
    }
    const i = firstWithContent ?? 0;
    return { sheet: book.sheets[i], head: await headOf(i) };
  }
  const i = book.sheets.findIndex((s) => s.name === name);
  if (i < 0)
    throw new MappingError(
      `${fileName} has no sheet named "${name}". Sheets: ${book.sheets.map((s) => s.name).join(', ')}.`,
    );
  return { sheet: book.sheets[i], head: await headOf(i) };
}

function hasPhoneColumn(head: SheetHead): boolean {
  const headerRow = detectHeaderRow(head);
  const samples: CellValue[][] = [];
  for (let r = headerRow; r < head.rowCount && samples.length < 20; r++) samples.push(head.row(r));
  return Object.values(suggestMapping(columnsFor(head, headerRow), samples, 'US').mapping).includes('phone');
}

function hasContent(head: SheetHead): boolean {
  for (let r = 0; r < Math.min(head.rowCount, 1000); r++) if (!isBlankRow(head.row(r))) return true;
  return false;
}

/** The head must reach `headerRow` plus the rows the column scan and the samples look at. */
async function headFor(picked: Picked, headerRow: number): Promise<SheetHead> {
  if (headerRow + 250 <= picked.head.rowCount || picked.head.complete) return picked.head;
  const i = book!.sheets.indexOf(picked.sheet);
  return headOf(i, headerRow + 250);
}

async function preview(
  sheetName: string | undefined,
  headerRowIn: number | undefined,
  country: string,
): Promise<PreviewData> {
  const picked = await pickSheet(sheetName);
  const headerRow = headerRowIn ?? detectHeaderRow(picked.head);
  const head = await headFor(picked, headerRow);
  if (headerRow > head.rowCount && head.complete)
    throw new MappingError(`Row ${headerRow} is past the end of sheet "${head.name}" (${head.rowCount} rows).`);
  const columns = columnsFor(head, headerRow);
  const samples: CellValue[][] = [];
  for (let r = headerRow; r < head.rowCount && samples.length < 50; r++) {
    const cells = head.row(r);
    if (!isBlankRow(cells)) samples.push(cells);
  }
  const { mapping, preset } = suggestMapping(columns, samples, country);
  const rows: PreviewData['rows'] = [];
  for (let r = 0; r < Math.min(head.rowCount, PREVIEW_ROWS); r++) {
    const cells = head.row(r);
    rows.push({ row: r + 1, cells: columns.map((c) => display(cells[c.index] ?? null)) });
  }
  return {
    fileName,
    sizeBytes,
    kind: book!.kind,
    sheets: book!.sheets.map((s, i) => ({ name: s.name, rows: heads[i]?.estimatedRows ?? s.rowsHint ?? 0 })),
    sheet: head.name,
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

function display(v: CellValue): string {
  if (v !== null && typeof v === 'object' && 'formula' in v) return `=${v.formula}`;
  return cellText(v);
}

/** Contacts go to the main thread in packed chunks as they are made; duplicates' fills are kept for the end. */
class ChunkedSink implements RecordSink {
  private chunk: ParsedRecord[] = [];
  readonly fills = new Map<number, ParsedRecord>();
  sent = 0;

  add(record: ParsedRecord): void {
    this.chunk.push(record);
    if (this.chunk.length >= RECORD_CHUNK) this.flush();
  }

  fill(ordinal: number, record: ParsedRecord): void {
    const earlier = this.fills.get(ordinal);
    // Fills of one contact merge like the rows would have: the earliest non-blank value wins.
    if (earlier) mergeInto(earlier, record);
    else this.fills.set(ordinal, record);
  }

  flush(): void {
    if (this.chunk.length === 0) return;
    const packed = packRecordText(this.chunk);
    if (this.sent < DEFLATE_AFTER) send({ type: 'records', packed, count: this.chunk.length });
    else {
      // A large import waits in memory until its transaction: past the first contacts it waits deflated.
      const deflated = deflateRecords(packed);
      port!.postMessage({ type: 'records', packed: deflated, count: this.chunk.length } satisfies FromWorker, [
        deflated.buffer as ArrayBuffer,
      ]);
    }
    this.sent += this.chunk.length;
    this.chunk = [];
  }
}

async function convert(msg: Extract<ToWorker, { type: 'convert' }>): Promise<void> {
  const picked = await pickSheet(msg.sheet);
  const headerRow = msg.headerRow ?? detectHeaderRow(picked.head);
  const head = await headFor(picked, headerRow);
  const columns = columnsFor(head, headerRow);
  const samples: CellValue[][] = [];
  for (let r = headerRow; r < head.rowCount && samples.length < 50; r++) samples.push(head.row(r));
  const suggested = suggestMapping(columns, samples, msg.country).mapping;
  const resolved = resolveMapping(columns, suggested, msg.mapping);
  const sink = new ChunkedSink();
  const converter = new RowConverter(
    headerRow > 0 ? head.row(headerRow - 1) : null,
    headerRow,
    columns,
    resolved.targets,
    msg.country,
    sink,
  );
  const estimate = Math.max(head.estimatedRows, 1);
  send({ type: 'progress', phase: 'converting', done: 0, total: estimate });
  let lastReport = 0;
  let fraction = 0;
  await picked.sheet.read(
    (rows) => {
      for (const r of rows) converter.push(r.index, r.cells);
      const seen = converter.rowsSeen;
      if (seen - lastReport >= 5000) {
        lastReport = seen;
        // The total is an estimate until the end: the declared size, or the rows so far scaled by the bytes read.
        const total = Math.max(seen, fraction > 0.05 ? Math.round(seen / fraction) : estimate);
        send({ type: 'progress', phase: 'converting', done: seen, total });
      }
    },
    { onProgress: (p) => (fraction = p.total ? p.done / p.total : 0) },
  );
  sink.flush();
  const result = converter.finish();
  send({ type: 'progress', phase: 'converting', done: converter.rowsSeen, total: converter.rowsSeen });
  if (result.dataRows === 0) {
    send({
      type: 'error',
      code: 'no_rows',
      message: `Sheet "${head.name}" has no data rows below the header (row ${headerRow}). Pick another sheet or header row.`,
    });
    return;
  }
  const ordinals = [...sink.fills.keys()];
  send({
    type: 'converted',
    summary: {
      sheet: head.name,
      headerRow,
      mapping: resolved.applied,
      rejected: result.rejected,
      duplicates: result.duplicates,
      blankRows: result.blankRows,
      dataRows: result.dataRows,
    },
    fills: { ordinals, packed: packRecordText(ordinals.map((o) => sink.fills.get(o)!)) },
  });
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'reset':
      writer = null;
      book = null;
      heads = [];
      fileName = '';
      sizeBytes = 0;
      return;
    case 'open': {
      book = null;
      heads = [];
      fileName = msg.fileName;
      const bytes = 'bytes' in msg ? msg.bytes : readFile(msg.path, msg.fileName);
      sizeBytes = bytes.byteLength;
      send({ type: 'progress', phase: 'reading', done: 0, total: sizeBytes });
      book = await openBook(bytes, msg.fileName, msg.maxBytes, readLimits(msg.limits));
      let any = false;
      for (let i = 0; i < book.sheets.length && !any; i++) any = hasContent(await headOf(i));
      if (!any) {
        send({
          type: 'error',
          code: 'empty',
          message: `${fileName} has no data: every sheet is empty. Check that you picked the right file.`,
        });
        return;
      }
      send({ type: 'preview', preview: await preview(undefined, undefined, msg.country) });
      return;
    }
    case 'inspect':
      send({ type: 'preview', preview: await preview(msg.sheet, msg.headerRow, msg.country) });
      return;
    case 'xlsx-begin':
      writer = new XlsxStreamWriter(msg.sheetName, msg.header);
      send({ type: 'xlsx-written', rows: writer.rows });
      return;
    case 'xlsx-rows':
      if (!writer) throw new Error('xlsx-rows before xlsx-begin');
      await writer.add(msg.rows);
      send({ type: 'xlsx-written', rows: writer.rows });
      return;
    case 'xlsx-end': {
      if (!writer) throw new Error('xlsx-end before xlsx-begin');
      const out = await writer.finish();
      writer = null;
      // A copy unless the buffer is its own: Buffers may sit in Node's shared pool, which cannot be transferred.
      const bytes = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : new Uint8Array(out);
      port!.postMessage({ type: 'xlsx', bytes } satisfies FromWorker, [bytes.buffer as ArrayBuffer]);
      return;
    }
    case 'convert':
      await convert(msg);
      return;
  }
}

function readFile(path: string, name: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ImportFileError(
      'corrupt',
      `Cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Check that the file still exists.`,
    );
  }
}

function report(err: unknown): void {
  if (err instanceof ImportFileError) send({ type: 'error', code: err.code, message: err.message });
  else if (err instanceof MappingError) send({ type: 'error', code: 'mapping', message: err.message });
  else send({ type: 'error', code: 'internal', message: err instanceof Error ? err.message : String(err) });
}

// One message at a time, in order: a request's reading is asynchronous now.
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  queue = queue.then(() => handle(msg).catch(report));
});
