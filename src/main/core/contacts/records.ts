import { cellText, CONTACT_FIELDS, isBlankRow, SKIP, type ColumnInfo } from './mapping';
import { normalizePhone, type PhoneRejectCode } from './phones';
import { dateToIso, serialToIso, type CellValue, type SheetSource } from './workbook';

// Rows → contacts: phone normalisation, per-row rejections and the in-file duplicate merge. Runs in the worker.

export interface ParsedRecord {
  /** Row number as the user sees it in the file. */
  row: number;
  name: string;
  phone: string;
  phoneRaw: string;
  email: string | null;
  timezone: string | null;
  variables: Record<string, string>;
}

export type RejectCode = PhoneRejectCode;

/**
 * Records as they cross from the worker to the main thread: RECORD_STRIDE flat values each (row, name, phone,
 * phoneRaw, email, timezone, variables JSON). Flat primitives clone several times faster than 100k small objects,
 * and the JSON is built off the main thread.
 */
export type RecordBatch = (string | number | null)[];
export const RECORD_STRIDE = 7;

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

export interface ConvertResult {
  records: ParsedRecord[];
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

export function convertRows(
  sheet: SheetSource,
  headerRow: number,
  columns: ColumnInfo[],
  targets: string[],
  country: string,
  onProgress?: (done: number, total: number) => void,
): ConvertResult {
  const records: ParsedRecord[] = [];
  const rejected: Rejection[] = [];
  const duplicates: DuplicateNote[] = [];
  const byPhone = new Map<string, ParsedRecord>();
  const phoneCol = columns.find((c) => targets[c.index] === 'phone');
  if (!phoneCol) throw new Error('mapping has no phone column');
  const nameCols = columns.filter((c) => targets[c.index] === 'name');
  const emailCol = columns.find((c) => targets[c.index] === 'email');
  const tzCol = columns.find((c) => targets[c.index] === 'timezone');
  const varCols = columns
    .filter((c) => !(CONTACT_FIELDS as readonly string[]).includes(targets[c.index]) && targets[c.index] !== SKIP)
    .map((c) => ({ index: c.index, name: targets[c.index], kind: columnKind(c.header) }));
  const headerTexts = headerRow > 0 ? sheet.row(headerRow - 1).map((v) => cellText(v)) : [];
  let blankRows = 0;
  let dataRows = 0;
  const total = sheet.rowCount;
  onProgress?.(0, total);
  for (let r = Math.max(headerRow, 0); r < total; r++) {
    if (onProgress && r % 5000 === 0) onProgress(r, total);
    const cells = sheet.row(r);
    if (isBlankRow(cells)) {
      blankRows++;
      continue;
    }
    // A repeated header (files concatenated from several exports) is not a contact.
    if (headerTexts.length && columns.every((c) => cellText(cells[c.index] ?? null) === (headerTexts[c.index] ?? '')))
      continue;
    dataRows++;
    const rowNo = r + 1;
    const phone = normalizePhone(cells[phoneCol.index] ?? null, country);
    if (!phone.ok) {
      rejected.push({
        row: rowNo,
        column: phoneCol.key,
        cell: `${phoneCol.letter}${rowNo}`,
        value: phone.raw,
        code: phone.code,
        reason: phone.reason,
        fix: phone.fix,
        values: rowValues(columns, cells),
      });
      continue;
    }
    const name = nfc(
      nameCols.length === 1
        ? cellText(cells[nameCols[0].index] ?? null)
        : nameCols
            .map((c) => cellText(cells[c.index] ?? null))
            .filter(Boolean)
            .join(' '),
    ).replace(/\s{2,}|[\t\r\n]/g, ' ');
    const email = emailCol ? cellText(cells[emailCol.index] ?? null).toLowerCase() || null : null;
    let timezone = tzCol ? cellText(cells[tzCol.index] ?? null) || null : null;
    const variables: Record<string, string> = {};
    for (const c of varCols) {
      const text = variableText(cells[c.index] ?? null, c.kind);
      if (text !== '') variables[c.name] = text;
    }
    if (phone.ext) variables.phone_ext = phone.ext;
    if (timezone && !validTimezone(timezone)) {
      // Not fatal: the dialer falls back to the number's region. Kept as a variable so nothing is lost.
      variables.timezone_as_typed = timezone;
      timezone = null;
    }
    const record: ParsedRecord = {
      row: rowNo,
      name,
      phone: phone.e164,
      phoneRaw: phone.raw,
      email,
      timezone,
      variables,
    };
    const first = byPhone.get(phone.e164);
    if (first) {
      mergeInto(first, record);
      duplicates.push({ row: rowNo, phone: phone.e164, keptRow: first.row });
      continue;
    }
    byPhone.set(phone.e164, record);
    records.push(record);
  }
  onProgress?.(total, total);
  return { records, rejected, duplicates, blankRows, dataRows };
}

/** The merge rule: the first row wins; a later row only fills fields and variables the first left blank. */
export function mergeInto(
  kept: Pick<ParsedRecord, 'name' | 'email' | 'timezone' | 'variables'>,
  later: Pick<ParsedRecord, 'name' | 'email' | 'timezone' | 'variables'>,
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
