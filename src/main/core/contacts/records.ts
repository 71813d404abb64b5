import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { cellText, CONTACT_FIELDS, isBlankRow, SKIP, type ColumnInfo } from './mapping';
import { languageTag } from '@shared/languages';
import { normalizePhone, type PhoneRejectCode } from './phones';
import { dateToIso, serialToIso, type CellValue } from './workbook';

// Rows → contacts: phone normalisation, per-row rejections and the in-file duplicate merge. Runs in the worker.

export interface ParsedRecord {
  /** Row number as the user sees it in the file. */
  row: number;
  name: string;
  phone: string;
  phoneRaw: string;
  email: string | null;
  timezone: string | null;
  /** BCP 47 tag. */
  language: string | null;
  variables: Record<string, string>;
}

export type RejectCode = PhoneRejectCode;

/**
 * Records as they cross from the worker to the main thread: RECORD_STRIDE flat values each (row, name, phone,
 * phoneRaw, email, timezone, variables JSON, language). Flat primitives clone several times faster than 100k small objects,
 * and the JSON is built off the main thread.
 */
export type RecordBatch = (string | number | null)[];
export const RECORD_STRIDE = 8;

/**
 * A batch as one string: the RECORD_STRIDE fields of every record joined by NUL (which no cell can hold: XML cannot
 * carry it and the CSV reader refuses it). One long string clones to the main thread far faster than a million
 * short ones and keeps a waiting import compact; unpackRecords() splits it back into a RecordBatch.
 */
export type PackedRecords = string;

const FIELD_SEPARATOR = '\u0000';
const stripSeparator = (s: string) => (s.indexOf(FIELD_SEPARATOR) >= 0 ? s.replaceAll(FIELD_SEPARATOR, '') : s);

export function packRecordText(records: ParsedRecord[]): PackedRecords {
  const parts: string[] = new Array(records.length * RECORD_STRIDE);
  let i = 0;
  for (const r of records) {
    parts[i++] = String(r.row);
    parts[i++] = stripSeparator(r.name);
    parts[i++] = r.phone;
    parts[i++] = stripSeparator(r.phoneRaw);
    parts[i++] = r.email === null ? '' : stripSeparator(r.email);
    parts[i++] = r.timezone ?? '';
    parts[i++] = stripSeparator(JSON.stringify(r.variables));
    parts[i++] = r.language ?? '';
  }
  return parts.join(FIELD_SEPARATOR);
}

/** A packed batch deflated (its UTF-8 bytes), for an import large enough that waiting batches must stay small. */
export type DeflatedRecords = Uint8Array;

export function deflateRecords(packed: PackedRecords): DeflatedRecords {
  const out = deflateRawSync(Buffer.from(packed, 'utf8'), { level: 1 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** A packed batch as a RecordBatch again (an empty email, timezone or language is null: the converter never sets ''). */
export function unpackRecords(batch: PackedRecords | DeflatedRecords): RecordBatch {
  const packed = typeof batch === 'string' ? batch : inflateRawSync(batch).toString('utf8');
  if (packed === '') return [];
  const out: RecordBatch = packed.split(FIELD_SEPARATOR);
  for (let i = 0; i < out.length; i += RECORD_STRIDE) {
    out[i] = Number(out[i]);
    if (out[i + 4] === '') out[i + 4] = null;
    if (out[i + 5] === '') out[i + 5] = null;
    if (out[i + 7] === '') out[i + 7] = null;
  }
  return out;
}

/**
 * Later rows of the file with an earlier contact's number, merged per contact (by its ordinal in the file):
 * applied to that contact before it is saved, they fill only what it left blank.
 */
export type Fills = Map<number, Pick<ParsedRecord, 'name' | 'email' | 'timezone' | 'language' | 'variables'>>;

/** Applies the fills of the records in `batch`, whose first record has ordinal `firstOrdinal`. */
export function applyFills(batch: RecordBatch, firstOrdinal: number, fills: Fills): void {
  if (fills.size === 0) return;
  const count = batch.length / RECORD_STRIDE;
  for (let k = 0; k < count; k++) {
    const fill = fills.get(firstOrdinal + k);
    if (!fill) continue;
    const i = k * RECORD_STRIDE;
    const kept = {
      name: batch[i + 1] as string,
      email: batch[i + 4] as string | null,
      timezone: batch[i + 5] as string | null,
      language: batch[i + 7] as string | null,
      variables: JSON.parse(batch[i + 6] as string) as Record<string, string>,
    };
    if (!mergeInto(kept, fill)) continue;
    batch[i + 1] = kept.name;
    batch[i + 4] = kept.email;
    batch[i + 5] = kept.timezone;
    batch[i + 6] = JSON.stringify(kept.variables);
    batch[i + 7] = kept.language;
  }
}

export function packRecords(records: ParsedRecord[]): RecordBatch {
  const out: RecordBatch = new Array(records.length * RECORD_STRIDE);
  let i = 0;
  for (const r of records) {
    out[i++] = r.row;
    out[i++] = r.name;
    out[i++] = r.phone;
    out[i++] = r.phoneRaw;
    out[i++] = r.email;
    out[i++] = r.timezone;
    out[i++] = JSON.stringify(r.variables);
    out[i++] = r.language;
  }
  return out;
}

export interface Rejection {
  row: number;
  column: string;
  /** Cell reference, e.g. "B7". */
  cell: string;
  value: string;
  code: RejectCode;
  reason: string;
  fix: string;
  /** The whole row as typed, so the rejected rows can be exported, fixed and imported again. */
  values: Record<string, string>;
}

export interface DuplicateNote {
  row: number;
  phone: string;
  /** The earlier row it was merged into. */
  keptRow: number;
}

/** Where the converter hands its contacts, in file order. */
export interface RecordSink {
  /** A new contact; the n-th one added has ordinal n (from 0). */
  add(record: ParsedRecord): void;
  /** A later row with the number of contact `ordinal`: it fills what that contact left blank. */
  fill(ordinal: number, record: ParsedRecord): void;
}

export interface ConvertResult {
  /** Contacts handed to the sink. */
  accepted: number;
  rejected: Rejection[];
  duplicates: DuplicateNote[];
  blankRows: number;
  dataRows: number;
}

const DATE_HEADER = /date|dob|birthday|\bon$|दिनांक|तारीख/i;
const TIME_HEADER = /time|समय/i;

type ColumnKind = 'date' | 'time' | 'plain';
const columnKind = (header: string): ColumnKind =>
  DATE_HEADER.test(header) ? 'date' : TIME_HEADER.test(header) ? 'time' : 'plain';
// Only text outside ASCII can have several Unicode forms; skipping normalize() for the rest saves ~20% of a 100k import.
// Any UTF-16 code unit above U+007F (surrogate halves included), i.e. [^\x00-\x7f] without a control-character range.
const NON_ASCII = /[\u0080-\uffff]/;
const nfc = (s: string) => (NON_ASCII.test(s) ? s.normalize('NFC') : s);

/** Variable text for a cell: dates as ISO, Excel serials in date/time columns converted, numbers without exponent. */
function variableText(v: CellValue, kind: ColumnKind): string {
  if (typeof v === 'string') {
    const t = v.trim();
    if (kind === 'date' && /^\d{5}(?:\.\d+)?$/.test(t)) {
      const n = Number(t);
      if (n > 20000 && n < 80000) return serialToIso(n, Number.isInteger(n) ? 'date' : 'datetime') ?? t;
    }
    return nfc(t);
  }
  if (typeof v === 'number') {
    if (kind === 'date' && v > 20000 && v < 80000)
      return serialToIso(v, Number.isInteger(v) ? 'date' : 'datetime') ?? String(v);
    if (kind === 'time' && v >= 0 && v < 1) return serialToIso(v, 'time') ?? String(v);
    return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
  }
  if (v instanceof Date) return dateToIso(v);
  return cellText(v);
}

/** A time zone name Intl knows (Asia/Kolkata, America/New_York). */
export function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Turns the rows of a sheet into contacts as they stream by: push() each row (in order, blank rows may be left
 * out), then finish(). Rows above the data (the header and whatever is over it) are ignored.
 */
export class RowConverter {
  private readonly rejected: Rejection[] = [];
  private readonly duplicates: DuplicateNote[] = [];
  /** E.164 → ordinal of the contact that has it; the rows of the contacts by ordinal. */
  private readonly byPhone = new PhoneIndex();
  private rows = new Int32Array(1024);
  private accepted = 0;
  private readonly phoneCol: ColumnInfo;
  private readonly nameCols: ColumnInfo[];
  private readonly emailCol: ColumnInfo | undefined;
  private readonly tzCol: ColumnInfo | undefined;
  private readonly languageCol: ColumnInfo | undefined;
  private readonly varCols: { index: number; name: string; kind: ColumnKind }[];
  private readonly headerTexts: string[];
  private nextIndex: number;
  private blankRows = 0;
  private dataRows = 0;

  constructor(
    headerCells: CellValue[] | null,
    headerRow: number,
    private readonly columns: ColumnInfo[],
    targets: string[],
    private readonly country: string,
    private readonly sink: RecordSink,
  ) {
    const phoneCol = columns.find((c) => targets[c.index] === 'phone');
    if (!phoneCol) throw new Error('mapping has no phone column');
    this.phoneCol = phoneCol;
    this.nameCols = columns.filter((c) => targets[c.index] === 'name');
    this.emailCol = columns.find((c) => targets[c.index] === 'email');
    this.tzCol = columns.find((c) => targets[c.index] === 'timezone');
    this.languageCol = columns.find((c) => targets[c.index] === 'language');
    this.varCols = columns
      .filter((c) => !(CONTACT_FIELDS as readonly string[]).includes(targets[c.index]) && targets[c.index] !== SKIP)
      .map((c) => ({ index: c.index, name: targets[c.index], kind: columnKind(c.header) }));
    this.headerTexts = headerRow > 0 && headerCells ? headerCells.map((v) => cellText(v)) : [];
    this.nextIndex = Math.max(headerRow, 0);
  }

  /** Rows handled so far (blank ones included). */
  get rowsSeen(): number {
    return this.nextIndex;
  }

  /** One row; `index` is 0-based (the row the user sees as index + 1). */
  push(index: number, cells: CellValue[]): void {
    if (index < this.nextIndex) return;
    // Rows skipped since the previous one were blank.
    this.blankRows += index - this.nextIndex;
    this.nextIndex = index + 1;
    const { columns, phoneCol } = this;
    if (isBlankRow(cells)) {
      this.blankRows++;
      return;
    }
    // A repeated header (files concatenated from several exports) is not a contact.
    const headerTexts = this.headerTexts;
    if (
      headerTexts.length &&
      cellText(cells[phoneCol.index] ?? null) === (headerTexts[phoneCol.index] ?? '') &&
      columns.every((c) => cellText(cells[c.index] ?? null) === (headerTexts[c.index] ?? ''))
    )
      return;
    this.dataRows++;
    const rowNo = index + 1;
    const phone = normalizePhone(cells[phoneCol.index] ?? null, this.country);
    if (!phone.ok) {
      this.rejected.push({
        row: rowNo,
        column: phoneCol.key,
        cell: `${phoneCol.letter}${rowNo}`,
        value: phone.raw,
        code: phone.code,
        reason: phone.reason,
        fix: phone.fix,
        values: rowValues(columns, cells),
      });
      return;
    }
    const nameCols = this.nameCols;
    const name = nfc(
      nameCols.length === 1
        ? cellText(cells[nameCols[0].index] ?? null)
        : nameCols
            .map((c) => cellText(cells[c.index] ?? null))
            .filter(Boolean)
            .join(' '),
    ).replace(/\s{2,}|[\t\r\n]/g, ' ');
    const email = this.emailCol ? cellText(cells[this.emailCol.index] ?? null).toLowerCase() || null : null;
    let timezone = this.tzCol ? cellText(cells[this.tzCol.index] ?? null) || null : null;
    const variables: Record<string, string> = {};
    for (const c of this.varCols) {
      const text = variableText(cells[c.index] ?? null, c.kind);
      if (text !== '') variables[c.name] = text;
    }
    if (phone.ext) variables.phone_ext = phone.ext;
    if (timezone && !validTimezone(timezone)) {
      // Not fatal: the dialer falls back to the number's region. Kept as a variable so nothing is lost.
      variables.timezone_as_typed = timezone;
      timezone = null;
    }
    const languageTyped = this.languageCol ? cellText(cells[this.languageCol.index] ?? null) : '';
    const language = languageTyped ? languageTag(languageTyped) : null;
    // Not fatal either: the campaign's default language applies, and what was typed is kept.
    if (languageTyped && !language) variables.language_as_typed = languageTyped;
    const record: ParsedRecord = {
      row: rowNo,
      name,
      phone: phone.e164,
      phoneRaw: phone.raw,
      email,
      timezone,
      language,
      variables,
    };
    const first = this.byPhone.get(phone.e164);
    if (first !== undefined) {
      this.sink.fill(first, record);
      this.duplicates.push({ row: rowNo, phone: phone.e164, keptRow: this.rows[first] });
      return;
    }
    const ordinal = this.accepted++;
    if (ordinal === this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[ordinal] = rowNo;
    this.byPhone.set(phone.e164, ordinal);
    this.sink.add(record);
  }

  finish(): ConvertResult {
    return {
      accepted: this.accepted,
      rejected: this.rejected,
      duplicates: this.duplicates,
      blankRows: this.blankRows,
      dataRows: this.dataRows,
    };
  }
}

/**
 * E.164 numbers → ordinals in typed arrays (open addressing): a million numbers in 24 MB and nothing for the
 * garbage collector to trace, where a Map of strings made every major collection of a large import slower.
 */
class PhoneIndex {
  private keys = new Float64Array(1 << 12);
  private values = new Int32Array(1 << 12);
  private size = 0;

  /** Anything that is not a plain run of up to 15 digits (never from normalizePhone, but not assumed). */
  private readonly odd = new Map<string, number>();

  get(e164: string): number | undefined {
    const key = PhoneIndex.key(e164);
    if (key === null) return this.odd.get(e164);
    const mask = this.keys.length - 1;
    for (let i = PhoneIndex.hash(key) & mask; ; i = (i + 1) & mask) {
      const k = this.keys[i];
      if (k === 0) return undefined;
      if (k === key) return this.values[i];
    }
  }

  set(e164: string, value: number): void {
    const key = PhoneIndex.key(e164);
    if (key === null) {
      this.odd.set(e164, value);
      return;
    }
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    this.insert(key, value);
  }

  private insert(key: number, value: number): void {
    const mask = this.keys.length - 1;
    for (let i = PhoneIndex.hash(key) & mask; ; i = (i + 1) & mask) {
      if (this.keys[i] === 0 || this.keys[i] === key) {
        if (this.keys[i] === 0) this.size++;
        this.keys[i] = key;
        this.values[i] = value;
        return;
      }
    }
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.values = new Int32Array(keys.length * 2);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.insert(keys[i], values[i]);
  }

  /** "+919876543210" → 919876543210: E.164 has at most 15 digits, exact in a double, never 0. */
  private static key(e164: string): number | null {
    return /^\+[1-9]\d{0,14}$/.test(e164) ? Number(e164.slice(1)) : null;
  }

  private static hash(key: number): number {
    const lo = key % 0x100000000;
    return Math.imul((lo ^ Math.floor(key / 0x100000000)) | 0, 0x9e3779b1) >>> 0;
  }
}

/** The merge rule: the first row wins; a later row only fills fields and variables the first left blank. */
export function mergeInto(
  kept: Pick<ParsedRecord, 'name' | 'email' | 'timezone' | 'language' | 'variables'>,
  later: Pick<ParsedRecord, 'name' | 'email' | 'timezone' | 'language' | 'variables'>,
): boolean {
  let changed = false;
  if (!kept.name && later.name) {
    kept.name = later.name;
    changed = true;
  }
  if (!kept.email && later.email) {
    kept.email = later.email;
    changed = true;
  }
  if (!kept.timezone && later.timezone) {
    kept.timezone = later.timezone;
    changed = true;
  }
  if (!kept.language && later.language) {
    kept.language = later.language;
    changed = true;
  }
  for (const [k, v] of Object.entries(later.variables)) {
    if (v !== '' && !kept.variables[k]) {
      kept.variables[k] = v;
      changed = true;
    }
  }
  return changed;
}

function rowValues(columns: ColumnInfo[], cells: CellValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of columns) {
    const v = cells[c.index] ?? null;
    out[c.key] =
      typeof v === 'number'
        ? String(v)
        : v !== null && typeof v === 'object' && 'formula' in v
          ? `=${v.formula}`
          : cellText(v);
  }
  return out;
}
