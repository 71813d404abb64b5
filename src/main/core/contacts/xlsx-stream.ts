import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { TextDecoder } from 'node:util';
import * as XLSX from '@e965/xlsx';
import yauzl from 'yauzl';
import { cellTooLong, ReadBudget, tooManyColumns, tooManyRows, type ReadLimits } from './read-limits';
import type { ReadProgress, StreamedBook, StreamedSheet, StreamRow } from './sheet-stream';
import { ImportFileError, type CellValue } from './workbook';
import { Tag, XmlScanner, xmlText, type XmlHandler } from './xml-scan';

// Streaming reader for .xlsx/.xlsm: the zip's central directory is read first (yauzl), then only the parts needed
// are inflated as streams (node's zlib) and tokenized as they come (xml-scan.ts): the workbook, its relationships
// and styles, the shared strings, and the one worksheet being imported. Cells are turned into values the way SheetJS
// reads them with { cellDates: true, UTC: true } (workbook.ts), so both readers give the same contacts.

/** The streaming reader cannot read this file as it is (rows out of order); SheetJS reads it instead. */
export class NotStreamable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotStreamable';
  }
}

interface Part {
  entry: yauzl.Entry;
  path: string;
}

interface SheetInfo {
  name: string;
  part: Part;
  rowsHint: number | null;
}

const RELS_OFFICE_DOCUMENT = /\/officeDocument$/;
const REL_WORKSHEET = /\/worksheet$/;
const REL_SHARED_STRINGS = /\/sharedStrings$/;
const REL_STYLES = /\/styles$/;
const INFLATE_CHUNK = 256 * 1024;
/** Parts bigger than this are never read whole into a string. */
const SMALL_PART_BYTES = 64 * 1024 * 1024;

export async function openXlsx(bytes: Uint8Array, fileName: string, limits: ReadLimits): Promise<StreamedBook> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let zip: yauzl.ZipFile;
  const parts = new Map<string, Part>();
  try {
    zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true, decodeStrings: true, strictFileNames: false });
    for await (const entry of zip.eachEntry()) {
      const path = entry.fileName.replace(/\\/g, '/').replace(/^\/+/, '');
      // OOXML part names are case-insensitive.
      parts.set(path.toLowerCase(), { entry, path });
    }
  } catch (err) {
    throw damaged(fileName, err);
  }
  const reader = new PackageReader(zip, buffer, fileName, limits);
  const workbookPath = (await reader.relationships('', parts)).find((r) => RELS_OFFICE_DOCUMENT.test(r.type))?.target;
  const workbookPart = parts.get((workbookPath ?? 'xl/workbook.xml').toLowerCase());
  if (!workbookPart) {
    throw new ImportFileError(
      'corrupt',
      `${fileName} could not be read: the file is damaged or not a spreadsheet (it has no workbook part). Open it in Excel and save it again as .xlsx, or export it as CSV.`,
    );
  }
  const workbookDir = workbookPart.path.replace(/[^/]*$/, '');
  const rels = await reader.relationships(workbookPart.path, parts);
  const byId = new Map(rels.map((r) => [r.id, r]));
  const sheetRefs: { name: string; rid: string }[] = [];
  let date1904 = false;
  await reader.parseSmall(workbookPart, {
    open(tag, a) {
      if (tag === Tag.SHEET) sheetRefs.push({ name: a.get('name') ?? '', rid: a.get('id') ?? '' });
      else if (tag === Tag.WORKBOOK_PR) date1904 = ['1', 'true'].includes(a.get('date1904') ?? '');
    },
  });
  const sheets: SheetInfo[] = [];
  for (const s of sheetRefs) {
    const rel = byId.get(s.rid);
    // Chart and dialog sheets have no cells to import.
    if (!rel || !REL_WORKSHEET.test(rel.type)) continue;
    const part = parts.get(resolvePath(workbookDir, rel.target).toLowerCase());
    if (!part) continue;
    sheets.push({ name: s.name, part, rowsHint: null });
  }
  const sstRel = rels.find((r) => REL_SHARED_STRINGS.test(r.type));
  const sstPart = parts.get((sstRel ? resolvePath(workbookDir, sstRel.target) : 'xl/sharedstrings.xml').toLowerCase());
  const stylesRel = rels.find((r) => REL_STYLES.test(r.type));
  const stylesPart = parts.get(
    (stylesRel ? resolvePath(workbookDir, stylesRel.target) : 'xl/styles.xml').toLowerCase(),
  );
  const dateStyles = stylesPart ? await parseDateStyles(reader, stylesPart) : null;
  const strings = new SharedStrings(reader, sstPart);
  const context: SheetContext = { fileName, limits, dateStyles, date1904, strings };
  for (const s of sheets) s.rowsHint = await reader.dimensionRows(s.part);
  return {
    kind: 'xlsx',
    sheets: sheets.map((s) => streamedSheet(reader, s, context)),
    notes: [],
  };
}

interface SheetContext {
  fileName: string;
  limits: ReadLimits;
  /** Per cell style (xf) index: does its number format show a date or time? null when the file has no styles. */
  dateStyles: boolean[] | null;
  date1904: boolean;
  strings: SharedStrings;
}

function streamedSheet(reader: PackageReader, info: SheetInfo, ctx: SheetContext): StreamedSheet {
  return {
    name: info.name,
    rowsHint: info.rowsHint,
    async read(onRows, opts = {}) {
      if (!ctx.strings.complete) {
        if (opts.rows === undefined) {
          await ctx.strings.load(Infinity);
        } else {
          // The head of a sheet usually refers only to the first shared strings (Excel numbers them in order of
          // first use), so a preview reads its rows once to learn which, then only that much of the string table.
          let highest = -1;
          const probe: StringTable = {
            get(i) {
              highest = Math.max(highest, i);
              return '';
            },
          };
          const wanted = opts.rows;
          await parseSheet(reader, info, ctx, probe, (rows) => rows[rows.length - 1].index < wanted);
          await ctx.strings.load(highest);
        }
      }
      await parseSheet(reader, info, ctx, ctx.strings, onRows, opts.onProgress);
    },
  };
}

interface StringTable {
  get(index: number): string | undefined;
}

/** The shared-string table, parsed as far as needed (the whole of it for an import, a prefix for a preview). */
class SharedStrings implements StringTable {
  private items: string[] = [];
  complete: boolean;

  constructor(
    private readonly reader: PackageReader,
    private readonly part: Part | undefined,
  ) {
    this.complete = !part;
  }

  get(index: number): string | undefined {
    return this.items[index];
  }

  /** Parses the table until it holds index `upTo` (Infinity: all of it). */
  async load(upTo: number): Promise<void> {
    if (this.complete || !this.part || upTo < this.items.length) return;
    const items: string[] = [];
    let stop = false;
    let inItem = false;
    let phonetic = 0; // inside <rPh>: the reading aid of Japanese text, not part of the value
    let inText = false;
    let text = '';
    await this.reader.stream(this.part, {
      open(tag, _a, selfClosing) {
        if (tag === Tag.SI) {
          inItem = true;
          text = '';
        } else if (inItem) {
          if (tag === Tag.RPH) phonetic++;
          else if (tag === Tag.T && !phonetic) inText = !selfClosing;
        }
      },
      text(raw, cdata) {
        if (inText) text += cdata ? raw : xmlText(raw);
      },
      close(tag) {
        if (tag === Tag.T) inText = false;
        else if (tag === Tag.RPH) phonetic--;
        else if (tag === Tag.SI) {
          inItem = false;
          items.push(decodeEscapes(text));
          if (items.length > upTo) stop = true;
        }
      },
      stop: () => stop,
    });
    this.items = items;
    if (!stop) this.complete = true;
  }
}

/** Excel's _xHHHH_ escapes for characters XML cannot carry, and CRLF as LF (as SheetJS reads them). */
function decodeEscapes(text: string): string {
  let out =
    text.indexOf('_x') >= 0
      ? text.replace(/_x([\da-fA-F]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
      : text;
  if (out.indexOf('\r\n') >= 0) out = out.replace(/\r\n/g, '\n');
  return out;
}

// ---- cells ----

const DAY_MS = 86_400_000;
const EPOCH_1899_12_30 = Date.UTC(1899, 11, 30);

/** Serial → Date as SheetJS does with cellDates (serial 60 is Excel's nonexistent 1900-02-29 and stays a number). */
function serialDate(serial: number): Date | number {
  if (serial >= 60 && serial < 61) return serial;
  return new Date((serial > 60 ? serial : serial + 1) * DAY_MS + EPOCH_1899_12_30);
}

/** ISO text of a t="d" cell (SheetJS's parseDate). */
function isoDate(text: string, date1904: boolean): Date {
  let m = /^(\d+):(\d+)(:\d+)?(\.\d+)?$/.exec(text);
  if (m) {
    const base = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 31);
    const seconds = (parseInt(m[1], 10) * 60 + parseInt(m[2], 10)) * 60 + (m[3] ? parseInt(m[3].slice(1), 10) : 0);
    return new Date(base + seconds * 1000 + (m[4] ? parseInt((m[4] + '000').slice(1, 4), 10) : 0));
  }
  m = /^(\d+)-(\d+)-(\d+)$/.exec(text);
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  m = /^(\d+)-(\d+)-(\d+)[T ](\d+):(\d+)(:\d+)?(\.\d+)?$/.exec(text);
  if (m) {
    return new Date(
      Date.UTC(
        +m[1],
        +m[2] - 1,
        +m[3],
        +m[4],
        +m[5],
        (m[6] && parseInt(m[6].slice(1), 10)) || 0,
        (m[7] && parseInt((m[7] + '0000').slice(1, 4), 10)) || 0,
      ),
    );
  }
  return new Date(text);
}

/** The error values SheetJS knows by code; others read as a formula without a result, or "#ERROR". */
const KNOWN_ERRORS = new Set(['#NULL!', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#N/A']);
const SHEETJS_ONLY_ERRORS = new Set(['#GETTING_DATA', '#WTF?']);

function columnIndex(ref: string): number {
  let idx = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) - 64;
    if (c < 1 || c > 26) break;
    idx = 26 * idx + c;
  }
  return idx - 1;
}

function cellName(col: number, row: number): string {
  let n = col + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return `${s}${row + 1}`;
}

/** A shared formula's text as seen from another cell: relative references move by the offset (SheetJS's rule). */
function shiftFormula(formula: string, from: { r: number; c: number }, to: { r: number; c: number }): string {
  const dr = to.r - from.r;
  const dc = to.c - from.c;
  return formula.replace(
    /(^|[^._A-Z0-9])(\$?)([A-Z]{1,2}|[A-W][A-Z]{2}|X[A-E][A-Z]|XF[A-D])(\$?)(\d{1,7})(?![_.(A-Za-z0-9])/g,
    (_m, pre: string, colAbs: string, col: string, rowAbs: string, row: string) => {
      const c = colAbs ? col : cellName(columnIndex(col) + dc, 0).replace(/\d+$/, '');
      const r = rowAbs ? row : String(parseInt(row, 10) + dr);
      return `${pre}${colAbs}${c}${rowAbs}${r}`;
    },
  );
}

const ROW_BATCH = 1000;

/** One pass over a worksheet's XML, from the top until the consumer stops or sheetData ends. */
async function parseSheet(
  reader: PackageReader,
  info: SheetInfo,
  ctx: SheetContext,
  strings: StringTable,
  onRows: (rows: StreamRow[]) => boolean | void,
  onProgress?: (p: ReadProgress) => void,
): Promise<void> {
  const { limits, fileName, dateStyles, date1904 } = ctx;
  const sharedFormulas = new Map<string, { formula: string; r: number; c: number }>();
  let batch: StreamRow[] = [];
  let stop = false;
  let inData = false;
  let rowIndex = -1;
  let lastRow = -1;
  let cells: CellValue[] = [];
  let cellCount = 0;
  let stored = false;
  let col = -1;
  let type: string | undefined;
  let style: string | undefined;
  // What the current element's text goes to: 0 nothing, 1 <v>, 2 <f>, 3 a <t> of an inline string.
  let collecting = 0;
  let text = '';
  let value: string | undefined;
  let formula: string | undefined;
  let sharedIndex: string | undefined;
  let sharedRef: string | undefined;
  let inline: string | undefined;
  let inInline = false;
  let phonetic = 0;

  const flush = () => {
    if (stop || batch.length === 0) return;
    const rows = batch;
    batch = [];
    if (onRows(rows) === false) stop = true;
  };

  const finishCell = () => {
    let v = value === '' ? undefined : value;
    let f = formula;
    if (f === undefined && sharedIndex !== undefined) {
      const master = sharedFormulas.get(sharedIndex);
      if (master) f = shiftFormula(master.formula, master, { r: rowIndex, c: col });
    } else if (f !== undefined && sharedIndex !== undefined && sharedRef !== undefined) {
      sharedFormulas.set(sharedIndex, { formula: f, r: rowIndex, c: col });
    }
    let out: CellValue;
    if (type === undefined && v === undefined) {
      // A formula cell with neither type nor value: SheetJS reads it as 0.
      if (!f) return;
      v = '0';
    }
    switch (type ?? 'n') {
      case 'n': {
        if (v === undefined) return;
        const num = parseFloat(v);
        out =
          dateStyles && style !== undefined && dateStyles[parseInt(style, 10)]
            ? serialDate(num + (date1904 ? 1462 : 0))
            : num;
        break;
      }
      case 's': {
        if (v === undefined) return;
        const s = strings.get(parseInt(v, 10));
        if (s === undefined) {
          throw new ImportFileError(
            'corrupt',
            `${fileName} could not be read: the file is damaged (cell ${cellName(col, rowIndex)} refers to text that is not in the file). Open it in Excel and save it again.`,
          );
        }
        out = s;
        break;
      }
      case 'str':
        out = v === undefined ? '' : decodeEscapes(v);
        break;
      case 'inlineStr':
        out = inline === undefined ? '' : decodeEscapes(inline);
        break;
      case 'b':
        out = v === '1' || v === 'true';
        break;
      case 'd':
        out = v === undefined ? null : isoDate(v, date1904);
        break;
      case 'e':
        if (v !== undefined && KNOWN_ERRORS.has(v)) out = { error: v };
        else if (f !== undefined && !(v !== undefined && SHEETJS_ONLY_ERRORS.has(v)))
          out = { formula: f.replace(/_xlfn\./g, '') };
        else out = { error: '#ERROR' };
        break;
      default:
        out = null;
    }
    while (cells.length < col) cells.push(null);
    cells[col] = out;
    stored = true;
  };

  const handler: StreamHandler = {
    open(tag, a, selfClosing) {
      if (stop) return;
      if (!inData) {
        if (tag === Tag.SHEET_DATA) inData = !selfClosing;
        return;
      }
      switch (tag) {
        case Tag.C: {
          const ref = a.get('r');
          col = ref ? columnIndex(ref) : col + 1;
          cellCount++;
          if (col >= limits.maxColumns || cellCount > limits.maxColumns)
            throw tooManyColumns(fileName, rowIndex + 1, limits);
          type = a.get('t');
          style = a.get('s');
          value = undefined;
          formula = undefined;
          sharedIndex = undefined;
          sharedRef = undefined;
          inline = undefined;
          return;
        }
        case Tag.V:
          collecting = selfClosing ? 0 : 1;
          text = '';
          if (selfClosing) value = '';
          return;
        case Tag.F:
          if (a.get('t') === 'shared') {
            sharedIndex = a.get('si');
            sharedRef = a.get('ref');
          }
          collecting = selfClosing ? 0 : 2;
          text = '';
          return;
        case Tag.IS:
          inInline = true;
          inline = '';
          return;
        case Tag.RPH:
          if (inInline) phonetic++;
          return;
        case Tag.T:
          if (inInline && !phonetic && !selfClosing) {
            collecting = 3;
            text = '';
          }
          return;
        case Tag.ROW: {
          const r = a.get('r');
          const index = r ? parseInt(r, 10) - 1 : lastRow + 1;
          if (!(index > lastRow)) throw new NotStreamable(`rows out of order at row ${index + 1}`);
          if (index >= limits.maxRows) throw tooManyRows(fileName, limits);
          rowIndex = index;
          cells = [];
          cellCount = 0;
          stored = false;
          col = -1;
          return;
        }
      }
    },
    text(raw, cdata) {
      if (collecting === 0) return;
      text += cdata ? raw : xmlText(raw);
      if (text.length > limits.maxCellChars)
        throw cellTooLong(fileName, `cell ${cellName(Math.max(col, 0), Math.max(rowIndex, 0))}`, limits);
    },
    close(tag) {
      if (!inData || stop) return;
      switch (tag) {
        case Tag.V:
          if (collecting === 1) value = text;
          collecting = 0;
          return;
        case Tag.F:
          if (collecting === 2 && text !== '') formula = text;
          collecting = 0;
          return;
        case Tag.T:
          if (collecting === 3) inline = (inline ?? '') + text;
          collecting = 0;
          return;
        case Tag.RPH:
          if (inInline) phonetic--;
          return;
        case Tag.IS:
          inInline = false;
          return;
        case Tag.C:
          finishCell();
          return;
        case Tag.ROW:
          lastRow = rowIndex;
          if (stored) {
            batch.push({ index: rowIndex, cells });
            if (batch.length >= ROW_BATCH) flush();
          }
          return;
        case Tag.SHEET_DATA:
          inData = false;
          flush();
          stop = true;
          return;
      }
    },
    stop: () => stop,
  };
  await reader.stream(info.part, handler, onProgress);
  if (!stop) flush();
}

// ---- the package ----

interface Relationship {
  id: string;
  type: string;
  target: string;
}

function resolvePath(dir: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const out: string[] = dir.split('/').filter(Boolean);
  for (const seg of target.split('/')) {
    if (seg === '..') out.pop();
    else if (seg !== '.' && seg !== '') out.push(seg);
  }
  return out.join('/');
}

function damaged(fileName: string, err: unknown): ImportFileError {
  if (err instanceof ImportFileError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ImportFileError(
    'corrupt',
    `${fileName} could not be read: the file is damaged or not a spreadsheet (${message}). Open it in Excel and save it again, or export it as CSV.`,
  );
}

/** Number formats that show a date or time, per cell style index (SheetJS's own test of a format). */
async function parseDateStyles(reader: PackageReader, part: Part): Promise<boolean[]> {
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  await reader.parseSmall(part, {
    open(tag, a, selfClosing) {
      if (tag === Tag.NUM_FMT) custom.set(parseInt(a.get('numFmtId') ?? '', 10), a.get('formatCode') ?? '');
      else if (tag === Tag.CELL_XFS) inCellXfs = !selfClosing;
      else if (tag === Tag.XF && inCellXfs) xfFormats.push(parseInt(a.get('numFmtId') ?? '0', 10) || 0);
    },
    close(tag) {
      if (tag === Tag.CELL_XFS) inCellXfs = false;
    },
  });
  const table = XLSX.SSF.get_table() as Record<number, string>;
  return xfFormats.map((id) => {
    const format = custom.get(id) ?? table[id];
    return format !== undefined && XLSX.SSF.is_date(format);
  });
}

interface StreamHandler extends Partial<XmlHandler> {
  /** Checked after each chunk: true ends the read. */
  stop?: () => boolean;
}

const noop = () => undefined;

/** Reads parts of the zip as streams of text through a SAX parser, within the read limits. */
class PackageReader {
  constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly buffer: Buffer,
    private readonly fileName: string,
    private readonly limits: ReadLimits,
  ) {}

  async relationships(partPath: string, parts: Map<string, Part>): Promise<Relationship[]> {
    const dir = partPath.replace(/[^/]*$/, '');
    const base = partPath.slice(dir.length);
    const part = parts.get(`${dir}_rels/${base}.rels`.toLowerCase());
    if (!part) return [];
    const rels: Relationship[] = [];
    await this.parseSmall(part, {
      open(tag, a) {
        if (tag !== Tag.RELATIONSHIP || a.get('TargetMode') === 'External') return;
        rels.push({ id: a.get('Id') ?? '', type: a.get('Type') ?? '', target: a.get('Target') ?? '' });
      },
    });
    // Targets are relative to the folder of the part that owns the relationships.
    return rels.map((r) => ({ ...r, target: partPath === '' ? resolvePath('', r.target) : r.target }));
  }

  /** The row count a worksheet declares in its <dimension>, read from its first bytes. */
  async dimensionRows(part: Part): Promise<number | null> {
    let rows: number | null = null;
    let done = false;
    const maxRows = this.limits.maxRows;
    await this.stream(part, {
      open(tag, a) {
        if (tag === Tag.DIMENSION) {
          const m = /(\d+)$/.exec(a.get('ref') ?? '');
          if (m) rows = Math.min(parseInt(m[1], 10), maxRows);
          done = true;
        } else if (tag === Tag.SHEET_DATA) done = true;
      },
      stop: () => done,
    });
    return rows;
  }

  /** Reads a small part (workbook, relationships, styles) whole. */
  async parseSmall(part: Part, handler: Partial<XmlHandler>): Promise<void> {
    if (part.entry.uncompressedSize > SMALL_PART_BYTES) {
      throw new ImportFileError(
        'corrupt',
        `${this.fileName} could not be read: its part ${part.path} is ${Math.round(part.entry.uncompressedSize / 1048576)} MB, far more than such a part ever holds. Open it in Excel and save it again.`,
      );
    }
    await this.stream(part, handler);
  }

  /**
   * Streams one part through the XML scanner into `handler`, whose stop() is checked after each chunk; a handler
   * may throw to abandon the read.
   */
  stream(part: Part, handler: StreamHandler, onProgress?: (p: ReadProgress) => void): Promise<void> {
    const { entry } = part;
    const budget = new ReadBudget(this.fileName, this.limits);
    budget.reserve(entry.uncompressedSize);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let stream: Readable | null = null;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        stream?.destroy();
        if (err === undefined) resolve();
        else reject(this.failure(part, err));
      };
      const scanner = new XmlScanner(
        { open: handler.open ?? noop, close: handler.close ?? noop, text: handler.text ?? noop },
        part.path,
      );
      const shouldStop = handler.stop ?? (() => false);
      let decoder: TextDecoder | null = null;
      // Characters since the last '<': a longer run is a cell (or an attribute) past the cell-length limit, refused
      // before the SAX parser buffers all of it.
      let run = 0;
      const maxRun = this.limits.maxCellChars * 6 + 65_536;
      let inflated = 0;
      this.open(part).then(
        (s) => {
          stream = s;
          if (settled) {
            s.destroy();
            return;
          }
          s.on('data', (chunk: Buffer) => {
            if (settled) return;
            try {
              inflated += chunk.length;
              if (inflated > entry.uncompressedSize) throw new Error('too many bytes in the stream');
              budget.take(chunk.length);
              decoder ??= new TextDecoder(xmlEncoding(chunk));
              const text = decoder.decode(chunk, { stream: true });
              const lt = text.lastIndexOf('<');
              run = lt < 0 ? run + text.length : text.length - lt;
              if (run > maxRun) throw cellTooLong(this.fileName, `part ${part.path}`, this.limits);
              scanner.write(text);
              // Progress in the file's own (compressed) bytes, scaled from the inflated bytes read.
              onProgress?.({
                done: Math.round((inflated / Math.max(1, entry.uncompressedSize)) * entry.compressedSize),
                total: entry.compressedSize,
              });
              if (shouldStop()) {
                scanner.stop();
                finish();
              }
            } catch (e) {
              finish(e);
            }
          });
          s.on('end', () => {
            if (settled) return;
            try {
              if (inflated !== entry.uncompressedSize) throw new Error('the part is cut short');
              if (decoder) scanner.write(decoder.decode());
              finish();
            } catch (e) {
              finish(e);
            }
          });
          s.on('error', (e) => finish(e));
        },
        (err: unknown) => finish(err),
      );
    });
  }

  /**
   * The inflated bytes of a part. The file is in memory, so its compressed bytes are sliced out and inflated here
   * with large output chunks (yauzl's own stream inflates 16 KB at a time, which leaves this thread idle).
   */
  private async open(part: Part): Promise<Readable> {
    const { entry } = part;
    if (entry.isEncrypted()) throw new Error(`${part.path} is encrypted`);
    const { fileDataStart } = await this.zip.readLocalFileHeaderPromise(entry, { minimal: true });
    const data = this.buffer.subarray(fileDataStart, fileDataStart + entry.compressedSize);
    if (data.byteLength !== entry.compressedSize) throw new Error(`${part.path} is cut short`);
    if (entry.compressionMethod === 0) return Readable.from(chunks(data, INFLATE_CHUNK), { objectMode: false });
    if (entry.compressionMethod !== 8)
      throw new Error(`${part.path} uses compression method ${entry.compressionMethod}, which spreadsheets never use`);
    const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK });
    inflate.end(data);
    return inflate;
  }

  /** Limits and NotStreamable pass through; a size lie is a zip bomb; bad XML is left to SheetJS to try. */
  private failure(part: Part, err: unknown): Error {
    if (err instanceof ImportFileError || err instanceof NotStreamable) return err;
    const message = err instanceof Error ? err.message : String(err);
    if (message === 'too many bytes in the stream') {
      return new ImportFileError(
        'corrupt',
        `${this.fileName} could not be read: the file is damaged or not a spreadsheet (its part ${part.path} unpacks to more than it declares, as a "zip bomb" does). Save it again from its spreadsheet.`,
      );
    }
    if (message.startsWith(`${part.path}: `)) return new NotStreamable(message);
    return damaged(this.fileName, err);
  }
}

function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.byteLength; i += size) yield data.subarray(i, i + size);
}

/** XML parts are UTF-8 unless they start with a UTF-16 byte order mark. */
function xmlEncoding(first: Buffer): string {
  if (first[0] === 0xff && first[1] === 0xfe) return 'utf-16le';
  if (first[0] === 0xfe && first[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}
