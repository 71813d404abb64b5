import { ImportFileError } from './workbook';

// Limits the import readers check while they stream, so a hostile or broken file is refused after reading a little
// of it, not after minutes and gigabytes. Excel's own sheet limits are the defaults where it has one.

export interface ReadLimits {
  /** Bytes of XML (or text) read out of the file, all parts together. */
  maxUncompressedBytes: number;
  /** Cells in one row (and the last column a cell may sit in). */
  maxColumns: number;
  /** Characters in one cell (Excel's own limit is 32,767). */
  maxCellChars: number;
  /** Rows in a sheet, blank ones included (Excel's own limit is 1,048,576). */
  maxRows: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxUncompressedBytes: 2 * 1024 ** 3,
  maxColumns: 2_000,
  maxCellChars: 32_767,
  maxRows: 1_048_576,
};

export function readLimits(overrides: Partial<ReadLimits> | undefined): ReadLimits {
  return { ...DEFAULT_READ_LIMITS, ...overrides };
}

const n = (v: number) => v.toLocaleString('en-US');

export function tooManyRows(fileName: string, limits: ReadLimits): ImportFileError {
  return new ImportFileError(
    'too_large',
    `${fileName} has more than ${n(limits.maxRows)} rows, the most one import takes. Split it into several files.`,
  );
}

export function tooManyColumns(fileName: string, row: number, limits: ReadLimits): ImportFileError {
  return new ImportFileError(
    'too_large',
    `${fileName}: row ${n(row)} has more than ${n(limits.maxColumns)} columns, the most one import takes. Delete the unused columns (or save only the columns you need) and import again.`,
  );
}

export function cellTooLong(fileName: string, where: string, limits: ReadLimits): ImportFileError {
  return new ImportFileError(
    'too_large',
    `${fileName}: ${where} holds more than ${n(limits.maxCellChars)} characters, the most one cell may hold. Shorten that cell (or check the file is really a spreadsheet) and import again.`,
  );
}

export function tooMuchData(fileName: string, limits: ReadLimits): ImportFileError {
  return new ImportFileError(
    'too_large',
    `${fileName} unpacks to more than ${n(Math.round(limits.maxUncompressedBytes / 1048576))} MB of data, the most one import reads (a file that small cannot hold that much real data unless it is a "zip bomb"). Split the file, or save it again from its spreadsheet.`,
  );
}

/** Counts the bytes read out of a file against the uncompressed-size limit. */
export class ReadBudget {
  used = 0;
  constructor(
    private readonly fileName: string,
    private readonly limits: ReadLimits,
  ) {}

  /** Refuses up front a part whose declared size alone is past the limit. */
  reserve(declaredBytes: number): void {
    if (this.used + declaredBytes > this.limits.maxUncompressedBytes) throw tooMuchData(this.fileName, this.limits);
  }

  take(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limits.maxUncompressedBytes) throw tooMuchData(this.fileName, this.limits);
  }
}
