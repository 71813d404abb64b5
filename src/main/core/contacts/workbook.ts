import * as XLSX from '@e965/xlsx';

// Cell values, file checks and SheetJS's reading of a whole workbook. Runs inside the import worker.

export type CellValue = string | number | boolean | Date | null | { formula: string } | { error: string };

export interface SheetSource {
  name: string;
  /** Number of rows including blank ones; row(i) is the row the user sees as i + 1. */
  rowCount: number;
  row(i: number): CellValue[];
}

export interface Workbook {
  kind: 'xlsx' | 'xls' | 'ods';
  sheets: SheetSource[];
  /** Notes for the user about how the file was read (encoding, separator). */
  notes: string[];
}

export type FileErrorCode = 'empty' | 'too_large' | 'corrupt' | 'password' | 'unsupported';

export class ImportFileError extends Error {
  constructor(
    readonly code: FileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}

const SUPPORTED_EXTENSIONS = ['xlsx', 'xlsm', 'xls', 'csv', 'tsv', 'txt', 'ods'];

function extensionOf(fileName: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(fileName);
  return m ? m[1].toLowerCase() : '';
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const CFB = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const startsWith = (b: Uint8Array, sig: number[]) => sig.every((v, i) => b[i] === v);

/** An encrypted OOXML file is an OLE container holding an "EncryptedPackage" stream (names are UTF-16LE). */
function isEncryptedOoxml(bytes: Uint8Array): boolean {
  const needle = Buffer.from('EncryptedPackage', 'utf16le');
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1 << 20)).includes(needle);
}

/**
 * Refuses what is not an importable file before any parsing: empty, too large, an unknown extension, an Excel
 * workbook renamed to .csv, a password-protected or non-zip .xlsx. Returns the extension.
 */
export function checkFile(bytes: Uint8Array, fileName: string, maxBytes: number): string {
  const ext = extensionOf(fileName);
  if (bytes.byteLength === 0)
    throw new ImportFileError(
      'empty',
      `${fileName} is empty (0 bytes). Choose the file again, or export it again from its spreadsheet.`,
    );
  if (bytes.byteLength > maxBytes) {
    throw new ImportFileError(
      'too_large',
      `${fileName} is ${(bytes.byteLength / 1048576).toFixed(1)} MB; the import limit is ${(maxBytes / 1048576).toFixed(0)} MB. Split the file into smaller ones, or remove unused sheets and columns.`,
    );
  }
  if (!SUPPORTED_EXTENSIONS.includes(ext)) {
    throw new ImportFileError(
      'unsupported',
      `${fileName}: .${ext || '(no extension)'} files cannot be imported. Save it as .xlsx, .xls, .csv or .tsv.`,
    );
  }
  if (isDelimitedExtension(ext)) {
    if (startsWith(bytes, ZIP) || startsWith(bytes, CFB)) {
      throw new ImportFileError(
        'corrupt',
        `${fileName} is an Excel workbook with a .${ext} name. Rename it to .xlsx (or .xls) and import it again.`,
      );
    }
    return ext;
  }
  if (startsWith(bytes, CFB) && isEncryptedOoxml(bytes)) {
    throw new ImportFileError(
      'password',
      `${fileName} is password-protected. Open it in Excel, remove the password (File › Info › Protect Workbook), save, and import again.`,
    );
  }
  if ((ext === 'xlsx' || ext === 'xlsm' || ext === 'ods') && !startsWith(bytes, ZIP)) {
    throw new ImportFileError(
      'corrupt',
      `${fileName} is not a valid ${ext === 'ods' ? 'OpenDocument' : 'Excel .xlsx'} file (it may be damaged, renamed, or not a spreadsheet at all). Open it in its spreadsheet app and save it again as .xlsx, or export it as CSV.`,
    );
  }
  return ext;
}

export const isDelimitedExtension = (ext: string) => ext === 'csv' || ext === 'tsv' || ext === 'txt';

/** A spreadsheet (not delimited text) read whole by SheetJS: .xls, .ods, and .xlsx the streaming reader declines. */
export function readWorkbook(bytes: Uint8Array, fileName: string): Workbook {
  const ext = extensionOf(fileName);
  let wb: XLSX.WorkBook;
  try {
    wb = XLSX.read(bytes, {
      type: 'buffer',
      dense: true,
      cellDates: true,
      UTC: true,
      cellText: false,
      cellHTML: false,
      WTF: false,
    } as XLSX.ParsingOptions);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/password|encrypt/i.test(message) && !/zip/i.test(message)) {
      throw new ImportFileError(
        'password',
        `${fileName} is password-protected. Remove the password in Excel, save, and import again.`,
      );
    }
    throw new ImportFileError(
      'corrupt',
      `${fileName} could not be read: the file is damaged or not a spreadsheet (${message}). Open it in Excel and save it again, or export it as CSV.`,
    );
  }
  const sheets: SheetSource[] = [];
  for (const name of wb.SheetNames) {
    const ws = wb.Sheets[name] as XLSX.WorkSheet & { '!data'?: XLSX.CellObject[][] };
    const data = ws?.['!data'];
    if (!data) continue;
    sheets.push({ name, rowCount: data.length, row: (i) => (data[i] ? data[i].map(cellValue) : []) });
  }
  if (sheets.length === 0)
    throw new ImportFileError(
      'corrupt',
      `${fileName} has no worksheets that can be read. Open it in Excel and save it again as .xlsx.`,
    );
  return { kind: ext === 'xls' ? 'xls' : ext === 'ods' ? 'ods' : 'xlsx', sheets, notes: [] };
}

function cellValue(cell: XLSX.CellObject | undefined): CellValue {
  if (!cell) return null;
  // A formula never calculated (written by a script, or saved with manual calculation) has no value to import.
  if (cell.f !== undefined && cell.v === undefined) return { formula: cell.f };
  switch (cell.t) {
    case 's':
      return typeof cell.v === 'string' ? cell.v : String(cell.v ?? '');
    case 'n':
      return cell.v === undefined ? null : (cell.v as number);
    case 'b':
      return cell.v as boolean;
    case 'd':
      return cell.v instanceof Date ? cell.v : new Date(String(cell.v));
    case 'e':
      return { error: typeof cell.w === 'string' ? cell.w : errorText(cell.v) };
    default:
      return null;
  }
}

const ERRORS: Record<number, string> = {
  0: '#NULL!',
  7: '#DIV/0!',
  15: '#VALUE!',
  23: '#REF!',
  29: '#NAME?',
  36: '#NUM!',
  42: '#N/A',
};
const errorText = (v: unknown) => (typeof v === 'number' && ERRORS[v]) || '#ERROR';

const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/**
 * Excel serial day number → ISO text. Serials count days from 1899-12-30 (right for every date after 1900-02-28,
 * where Excel's 1900 leap-year bug no longer matters); the fraction is the time of day.
 */
export function serialToIso(serial: number, kind: 'date' | 'time' | 'datetime'): string | null {
  if (!Number.isFinite(serial) || serial < 0 || serial > 2958465) return null;
  // A date column repeats a few hundred days over 100k rows; formatting a Date each time was a tenth of converting.
  const cache = ISO_CACHE[kind];
  const hit = cache.get(serial);
  if (hit !== undefined) return hit;
  if (cache.size >= 4096) cache.clear();
  const iso = serialToIsoUncached(serial, kind);
  cache.set(serial, iso);
  return iso;
}

const ISO_CACHE = {
  date: new Map<number, string>(),
  time: new Map<number, string>(),
  datetime: new Map<number, string>(),
};

function serialToIsoUncached(serial: number, kind: 'date' | 'time' | 'datetime'): string {
  const ms = Math.round((serial * 86400) % (kind === 'time' ? 86400 : Infinity)) * 1000;
  const iso = new Date(EXCEL_EPOCH_MS + ms).toISOString();
  if (kind === 'date') return iso.slice(0, 10);
  const time = iso.slice(11, iso.slice(17, 19) === '00' ? 16 : 19);
  return kind === 'time' ? time : `${iso.slice(0, 10)}T${time}`;
}

export function dateToIso(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  // Excel times live on day 0 (1899-12-30 or -31 depending on the reader); show just the time.
  if (d.getUTCFullYear() < 1900) return iso.slice(11, d.getUTCSeconds() ? 19 : 16);
  return iso.slice(0, d.getUTCSeconds() ? 19 : 16);
}
