import type { ColumnInfo, Mapping } from './mapping';
import type { ReadLimits } from './read-limits';
import type { DeflatedRecords, DuplicateNote, PackedRecords, Rejection } from './records';
import type { FileErrorCode } from './workbook';
import type { XlsxCell } from './xlsx-writer';

// Messages between the import session (main thread) and the import worker. Both ends are ours and built together;
// the main side still checks the envelope before trusting a message.

export interface PreviewColumn extends ColumnInfo {
  target: string;
  samples: string[];
}

export interface PreviewData {
  fileName: string;
  sizeBytes: number;
  kind: string;
  sheets: { name: string; rows: number }[];
  sheet: string;
  /** 1-based row of the header as the user sees it; 0 = the sheet has no header row. */
  headerRow: number;
  columns: PreviewColumn[];
  /** The first rows of the sheet as displayed text (title and header rows included). */
  rows: { row: number; cells: string[] }[];
  mapping: Mapping;
  preset: { id: string; label: string } | null;
  notes: string[];
}

export interface ConvertSummary {
  sheet: string;
  headerRow: number;
  mapping: Mapping;
  rejected: Rejection[];
  duplicates: DuplicateNote[];
  blankRows: number;
  dataRows: number;
}

export type ToWorker =
  /** The session ended: drop the workbook, the worker waits for the next file. */
  | { type: 'reset' }
  | ({
      type: 'open';
      fileName: string;
      maxBytes: number;
      country: string;
      /** Read limits other than the defaults (tests use small ones). */
      limits?: Partial<ReadLimits>;
      /** The file's bytes, or the path of a file the worker reads itself. */
    } & ({ bytes: Uint8Array } | { path: string }))
  | { type: 'inspect'; sheet?: string; headerRow?: number; country: string }
  | { type: 'convert'; sheet?: string; headerRow?: number; mapping?: Mapping; country: string }
  /** An .xlsx export, streamed: begin, rows in batches (cells already neutralised), end. */
  | { type: 'xlsx-begin'; sheetName: string; header: string[] }
  | { type: 'xlsx-rows'; rows: XlsxCell[][] }
  | { type: 'xlsx-end' };

export type WorkerErrorCode = FileErrorCode | 'mapping' | 'no_rows' | 'internal';

export type FromWorker =
  | { type: 'preview'; preview: PreviewData }
  | { type: 'progress'; phase: 'reading' | 'converting'; done: number; total: number }
  /** Contacts in file order, sent while the file is still being read. */
  | { type: 'records'; packed: PackedRecords | DeflatedRecords; count: number }
  /** The end of a convert: the summary, and the later duplicate rows that fill blanks of earlier contacts. */
  | { type: 'converted'; summary: ConvertSummary; fills: { ordinals: number[]; packed: PackedRecords } }
  /** Rows of the export written so far (the header included). */
  | { type: 'xlsx-written'; rows: number }
  | { type: 'xlsx'; bytes: Uint8Array }
  | { type: 'error'; code: WorkerErrorCode; message: string };
