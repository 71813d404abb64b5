import { randomUUID } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import type { ImportPreview, ImportResult, ImportSummary, RejectedRow } from '@shared/contract/contacts';
import type { EventBus } from '../bus';
import type { Clock, TimerHandle } from '../platform';
import { ApiError } from '../errors';
import type { Db } from '../store/db';
import { ImportsRepository, type ImportRow } from '../store/repositories/imports';
import { ContactsError, toContactsError } from './errors';
import { encodeTable, type ExportedFile, type ExportTable } from './export';
import type { ConvertSummary, PreviewData } from './import-protocol';
import { ImportSession, ImportWorkerError } from './import-session';
import type { ContactLists, ListTarget } from './lists';
import type { Mapping } from './mapping';
import type { ReadLimits } from './read-limits';
import {
  applyFills,
  RECORD_STRIDE,
  unpackRecords,
  type Fills,
  type DeflatedRecords,
  type PackedRecords,
  type Rejection,
  type RecordBatch,
} from './records';
import type { ContactWriter } from './writer';

// File imports, in two steps: preview (the worker parses the file and suggests a mapping; the user may re-map as
// often as they like, the file is parsed once) and commit (the worker converts every row, the contact writer saves
// them in one transaction). Every attempt, failed or cancelled too, is kept in the import history.

const DUPLICATE_RULE =
  'Rows with the same phone number (after normalisation to E.164) are one contact: the first row in the file wins, and ' +
  'later rows only fill fields and variables it left empty. A number already in the list keeps its contact; the file ' +
  "only fills that contact's empty fields.";

const RESULT_REJECTED_LIMIT = 1000;
const SESSION_IDLE_MS = 15 * 60_000;
const MAX_OPEN_IMPORTS = 3;

export interface ImportOptions extends ListTarget {
  sheet?: string;
  headerRow?: number;
  mapping?: Mapping;
  country?: string;
  /** Write the outcomes into the original file when a campaign on this list completes. */
  writeBackAtEnd?: boolean;
  /** That file, when the import came from uploaded bytes (default: the path the file was read from). */
  writeBackPath?: string;
}

/** The shape `callconsole import --json` prints (a stable interface, see the README). */
export interface CliImportResult {
  list_id: number;
  import_id: number;
  accepted: number;
  duplicates: number;
  dnc: number;
  rejected: { row: number; column: string; value: string; reason: string; fix: string }[];
}

interface OpenImport {
  session: ImportSession;
  /** Null until the worker has described the file. */
  preview: PreviewData | null;
  sourceRef: string | null;
  timer: TimerHandle | null;
}

const toRejectedRow = (r: Rejection): RejectedRow => ({
  row: r.row,
  column: r.column,
  value: r.value,
  reason: r.reason,
  fix: r.fix,
  cell: r.cell,
  code: r.code,
});

export class ContactImports {
  /** Files larger than this are refused before parsing (SheetJS needs ~15x the file size in memory). */
  maxImportBytes = 64 * 1024 * 1024;
  /** Read limits other than the defaults in read-limits.ts (rows, columns, cell length, unpacked size). */
  readLimits: Partial<ReadLimits> = {};
  private readonly imports: ImportsRepository;
  private readonly open = new Map<string, OpenImport>();

  constructor(
    private readonly deps: {
      db: Db;
      bus: EventBus;
      clock: Clock;
      lists: ContactLists;
      writer: ContactWriter;
      /** The country for numbers without a country code: the override, else the default setting. */
      country: (override?: string) => string;
    },
  ) {
    this.imports = new ImportsRepository(deps.db);
  }

  private now(): number {
    return this.deps.clock.now();
  }
  private country(override?: string): string {
    return this.deps.country(override);
  }

  /** Step 1: parse the bytes in a worker and describe the file (sheets, header row, preview, suggested mapping). */
  async previewImport(
    fileName: string,
    bytes: Uint8Array,
    opts: { country?: string; sourceRef?: string | null } = {},
  ): Promise<ImportPreview> {
    if (bytes.byteLength > this.maxImportBytes) {
      throw new ContactsError(
        'invalid_input',
        `${fileName} is ${(bytes.byteLength / 1048576).toFixed(1)} MB; the import limit is ${(this.maxImportBytes / 1048576).toFixed(0)} MB. Split the file into smaller ones, or remove unused sheets and columns.`,
      );
    }
    // The bytes are copied into a transferable buffer so the worker gets them without another copy.
    return this.openFile(fileName, { bytes: new Uint8Array(bytes) }, opts);
  }

  /** Opens a file in a new worker: bytes handed over, or a path the worker reads itself (none pass through here). */
  private async openFile(
    fileName: string,
    source: { bytes: Uint8Array } | { path: string },
    opts: { country?: string; sourceRef?: string | null },
  ): Promise<ImportPreview> {
    const token = randomUUID();
    // Files dropped and never committed hold a worker and their workbook; keep only the newest few open.
    for (const stale of [...this.open.keys()].slice(0, Math.max(0, this.open.size - (MAX_OPEN_IMPORTS - 1))))
      this.closeImport(stale);
    const session = new ImportSession((p) =>
      this.deps.bus.publish('import.progress', { token, phase: p.phase, done: p.done, total: p.total }),
    );
    const entry: OpenImport = {
      session,
      preview: null,
      sourceRef: opts.sourceRef ?? null,
      timer: null,
    };
    this.open.set(token, entry);
    try {
      await session.request(
        {
          type: 'open',
          fileName,
          ...source,
          maxBytes: this.maxImportBytes,
          country: this.country(opts.country),
          limits: this.readLimits,
        },
        (m) => {
          if (m.type === 'preview') entry.preview = m.preview;
          return 'done';
        },
        'bytes' in source ? [source.bytes.buffer as ArrayBuffer] : [],
      );
    } catch (err) {
      this.closeImport(token);
      throw toContactsError(err);
    }
    if (!entry.preview) {
      this.closeImport(token);
      throw new ContactsError(
        'unavailable',
        'The import worker did not describe the file; nothing was imported. Try again.',
      );
    }
    this.touch(token);
    return { token, ...entry.preview };
  }

  async inspectImport(
    token: string,
    opts: { sheet?: string; headerRow?: number; country?: string },
  ): Promise<ImportPreview> {
    const entry = this.session(token);
    try {
      await entry.session.request(
        { type: 'inspect', sheet: opts.sheet, headerRow: opts.headerRow, country: this.country(opts.country) },
        (m) => {
          if (m.type === 'preview') entry.preview = m.preview;
          return 'done';
        },
      );
    } catch (err) {
      throw toContactsError(err);
    }
    this.touch(token);
    return { token, ...entry.preview };
  }

  /** Step 2: convert every row in the worker, then save all of it in one transaction (or nothing). */
  async commitImport(token: string, opts: ImportOptions): Promise<ImportResult> {
    const entry = this.session(token);
    const writeBackPath = opts.writeBackAtEnd ? writeBackTarget(opts.writeBackPath, entry.sourceRef) : null;
    if (entry.timer) this.deps.clock.clearTimeout(entry.timer);
    const country = this.country(opts.country);
    const fileName = entry.preview.fileName;
    const batches: (PackedRecords | DeflatedRecords)[] = [];
    let received = 0;
    let summary: ConvertSummary | null = null;
    let fills: Fills = new Map();
    try {
      await entry.session.request(
        { type: 'convert', sheet: opts.sheet, headerRow: opts.headerRow, mapping: opts.mapping, country },
        (m) => {
          if (m.type === 'records') {
            batches.push(m.packed);
            received += m.count;
            return 'more';
          }
          if (m.type === 'converted') {
            summary = m.summary;
            fills = unpackFills(m.fills.ordinals, m.fills.packed);
          }
          return 'done';
        },
      );
    } catch (err) {
      const e = toContactsError(err);
      const cancelled = err instanceof ImportWorkerError && err.code === 'cancelled';
      this.deps.bus.publish('import.progress', {
        token,
        phase: cancelled ? 'cancelled' : 'failed',
        done: 0,
        total: 0,
        message: e.message,
      });
      if (e.code === 'invalid_input' && !cancelled) {
        // A mapping or sheet problem: the file stays open so the user can fix the mapping and commit again.
        this.touch(token);
      } else {
        this.recordFailure(
          fileName,
          opts.sheet ?? entry.preview.sheet,
          opts.mapping ?? {},
          country,
          cancelled ? 'cancelled' : 'failed',
          e.message,
        );
        this.closeImport(token);
      }
      throw e;
    }
    const s = summary as ConvertSummary | null;
    if (!s)
      throw new ContactsError(
        'unavailable',
        'The import worker ended without a result; nothing was imported. Try again.',
      );
    this.deps.bus.publish('import.progress', { token, phase: 'saving', done: 0, total: received });
    let result: ImportResult;
    try {
      result = this.deps.db.transaction(() => {
        const { listId, created } = this.deps.lists.resolve(
          opts,
          defaultListName(fileName, s.sheet, entry.preview.sheets.length),
          'file',
          entry.sourceRef ?? fileName,
        );
        const saved = this.deps.writer.saveRecords(listId, unpackAll(batches, fills), created);
        if (writeBackPath) this.deps.lists.setWriteBackPath(listId, writeBackPath);
        const duplicates = s.duplicates.length + saved.duplicatesInList;
        const importId = this.imports.insert({
          listId,
          fileName,
          sheet: s.sheet,
          mapping: s.mapping,
          defaultCountry: country,
          accepted: saved.accepted,
          duplicates,
          rejected: s.rejected,
          rejectedCount: s.rejected.length,
          state: 'completed',
          error: null,
          at: this.now(),
        });
        return {
          importId,
          listId,
          accepted: saved.accepted,
          duplicates,
          duplicatesInFile: s.duplicates.length,
          duplicatesInList: saved.duplicatesInList,
          dnc: saved.dnc,
          blankRows: s.blankRows,
          rejectedCount: s.rejected.length,
          rejected: s.rejected.slice(0, RESULT_REJECTED_LIMIT).map(toRejectedRow),
          sheet: s.sheet,
          headerRow: s.headerRow,
          mapping: s.mapping,
          duplicateRule: DUPLICATE_RULE,
        } satisfies ImportResult;
      })();
    } catch (err) {
      const message = `Nothing was imported: saving failed (${err instanceof Error ? err.message : String(err)}).`;
      this.recordFailure(fileName, s.sheet, s.mapping, country, 'failed', message);
      this.deps.bus.publish('import.progress', { token, phase: 'failed', done: 0, total: received, message });
      this.closeImport(token);
      throw new ContactsError('unavailable', message);
    }
    this.closeImport(token);
    this.deps.bus.publish('import.progress', { token, phase: 'done', done: received, total: received });
    this.deps.bus.publish('lists.changed', { listId: result.listId });
    return result;
  }

  cancelImport(token: string): { cancelled: boolean } {
    const entry = this.open.get(token);
    if (!entry) return { cancelled: false };
    if (entry.timer) this.deps.clock.clearTimeout(entry.timer);
    // A commit in flight sees its request fail with 'cancelled' and records the cancelled import.
    this.open.delete(token);
    entry.session.cancel();
    this.deps.bus.publish('import.progress', {
      token,
      phase: 'cancelled',
      done: 0,
      total: 0,
      message: 'Import cancelled; nothing was imported.',
    });
    return { cancelled: true };
  }

  /** The CLI's one-shot import: file on disk → list, with every rejected row. */
  async importFile(path: string, opts: ImportOptions = {}): Promise<CliImportResult> {
    const full = resolve(path);
    try {
      const size = statSync(full).size;
      if (size > this.maxImportBytes) {
        throw new ContactsError(
          'invalid_input',
          `${basename(full)} is ${(size / 1048576).toFixed(1)} MB; the import limit is ${(this.maxImportBytes / 1048576).toFixed(0)} MB. Split the file into smaller ones.`,
        );
      }
      accessSync(full, constants.R_OK);
    } catch (err) {
      if (err instanceof ContactsError) throw err;
      throw new ContactsError(
        'not_found',
        `Cannot read ${full}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`,
      );
    }
    let preview: ImportPreview;
    try {
      preview = await this.openFile(basename(full), { path: full }, { country: opts.country, sourceRef: full });
    } catch (err) {
      const e = toContactsError(err);
      this.recordFailure(
        basename(full),
        opts.sheet ?? null,
        opts.mapping ?? {},
        this.country(opts.country),
        'failed',
        e.message,
      );
      throw e;
    }
    try {
      if (opts.sheet !== undefined || opts.headerRow !== undefined) await this.inspectImport(preview.token, opts);
      const r = await this.commitImport(preview.token, opts);
      const full_rejected = this.imports.get(r.importId);
      const all = full_rejected ? (JSON.parse(full_rejected.rejected_json) as Rejection[]) : [];
      return {
        list_id: r.listId,
        import_id: r.importId,
        accepted: r.accepted,
        duplicates: r.duplicates,
        dnc: r.dnc,
        rejected: all.map((x) => ({ row: x.row, column: x.column, value: x.value, reason: x.reason, fix: x.fix })),
      };
    } finally {
      this.closeImport(preview.token);
    }
  }

  listImports(listId: number | undefined, limit: number): ImportSummary[] {
    return this.imports.list(listId, limit).map(toImportSummary);
  }

  getImport(
    id: number,
  ): ImportSummary & { mapping: Record<string, string>; defaultCountry: string | null; rejected: RejectedRow[] } {
    const row = this.imports.get(id);
    if (!row) throw new ContactsError('not_found', `Import ${id} does not exist.`);
    return {
      ...toImportSummary(row),
      mapping: JSON.parse(row.mapping_json) as Record<string, string>,
      defaultCountry: row.default_country,
      rejected: (JSON.parse(row.rejected_json) as Rejection[]).map(toRejectedRow),
    };
  }

  /** Rejected rows as typed, with where and why, so the user can fix them and import that file. */
  async exportRejected(id: number, format: 'csv' | 'xlsx'): Promise<ExportedFile> {
    const row = this.imports.get(id);
    if (!row) throw new ContactsError('not_found', `Import ${id} does not exist.`);
    const rejected = JSON.parse(row.rejected_json) as Rejection[];
    const columns: string[] = [];
    for (const r of rejected) for (const k of Object.keys(r.values ?? {})) if (!columns.includes(k)) columns.push(k);
    const table: ExportTable = {
      header: ['row', 'column', 'value', 'reason', 'fix', ...columns],
      rows: rejected.map((r) => [
        r.row,
        r.column,
        r.value,
        r.reason,
        r.fix,
        ...columns.map((c) => r.values?.[c] ?? ''),
      ]),
    };
    const stem = row.file_name.replace(/\.[^.]+$/, '');
    return encodeTable(table, `${stem} - rejected rows`, format);
  }

  /** Ends every open import worker (app shutdown). */
  async dispose(): Promise<void> {
    for (const token of [...this.open.keys()]) this.closeImport(token);
  }

  private session(token: string): OpenImport & { preview: PreviewData } {
    const entry = this.open.get(token);
    if (!entry || entry.session.isClosed) {
      throw new ContactsError(
        'not_found',
        'This import is no longer open (it finished, was cancelled, or sat idle for 15 minutes). Drop the file again.',
      );
    }
    const { preview } = entry;
    if (!preview)
      throw new ContactsError('conflict', 'This file is still being read; wait for its preview, then try again.');
    return Object.assign(entry, { preview });
  }

  private touch(token: string): void {
    const entry = this.open.get(token);
    if (!entry) return;
    if (entry.timer) this.deps.clock.clearTimeout(entry.timer);
    entry.timer = this.deps.clock.setTimeout(() => this.closeImport(token), SESSION_IDLE_MS);
    entry.timer.unref?.();
  }

  private closeImport(token: string): void {
    const entry = this.open.get(token);
    if (!entry) return;
    this.open.delete(token);
    if (entry.timer) this.deps.clock.clearTimeout(entry.timer);
    void entry.session.close();
  }

  private recordFailure(
    fileName: string,
    sheet: string | null,
    mapping: Mapping,
    country: string,
    state: 'failed' | 'cancelled',
    error: string,
  ): void {
    this.imports.insert({
      listId: null,
      fileName,
      sheet,
      mapping,
      defaultCountry: country,
      accepted: 0,
      duplicates: 0,
      rejected: [],
      rejectedCount: 0,
      state,
      error,
      at: this.now(),
    });
  }
}

function toImportSummary(
  r: Pick<
    ImportRow,
    | 'id'
    | 'list_id'
    | 'file_name'
    | 'sheet'
    | 'state'
    | 'accepted'
    | 'duplicates'
    | 'rejected_count'
    | 'error'
    | 'created_at'
  >,
): ImportSummary {
  return {
    id: r.id,
    listId: r.list_id,
    fileName: r.file_name,
    sheet: r.sheet,
    state: r.state,
    accepted: r.accepted,
    duplicates: r.duplicates,
    rejectedCount: r.rejected_count,
    error: r.error,
    createdAt: r.created_at,
  };
}

function defaultListName(fileName: string, sheet: string, sheetCount: number): string {
  const stem = fileName.replace(/\.[^.]+$/, '');
  return sheetCount > 1 ? `${stem} – ${sheet}` : stem;
}

/** The packed batches as record batches, one at a time, each freed once handed out; fills applied on the way. */
function* unpackAll(batches: (PackedRecords | DeflatedRecords)[], fills: Fills): Generator<RecordBatch> {
  let ordinal = 0;
  for (let i = 0; i < batches.length; i++) {
    const batch = unpackRecords(batches[i]);
    batches[i] = '';
    applyFills(batch, ordinal, fills);
    ordinal += batch.length / RECORD_STRIDE;
    yield batch;
  }
}

function unpackFills(ordinals: number[], packed: PackedRecords): Fills {
  const fills: Fills = new Map();
  const flat = unpackRecords(packed);
  ordinals.forEach((ordinal, k) => {
    const i = k * RECORD_STRIDE;
    fills.set(ordinal, {
      name: flat[i + 1] as string,
      email: flat[i + 4] as string | null,
      timezone: flat[i + 5] as string | null,
      language: flat[i + 7] as string | null,
      variables: JSON.parse(flat[i + 6] as string) as Record<string, string>,
    });
  });
  return fills;
}

/** The file "write back at the end" will rewrite: checked before anything is imported, so a wrong path costs nothing. */
function writeBackTarget(given: string | undefined, sourceRef: string | null): string {
  const path = given?.trim() || (sourceRef && isAbsolute(sourceRef) ? sourceRef : null);
  const issue = (message: string, fix: string) =>
    new ApiError('invalid_input', message, [{ path: 'writeBackPath', message, fix }]);
  if (!path)
    throw issue(
      'The file was uploaded, so the console does not know where the original call_list.csv is.',
      'give the path of the file to write the outcomes into',
    );
  if (!isAbsolute(path))
    throw issue(`"${path}" is not a full path.`, 'give the full path, e.g. /home/me/call_list.csv');
  if (!/\.(csv|tsv|txt)$/i.test(path))
    throw issue(`"${path}" is not a .csv file; write-back only rewrites CSV files.`, 'give the path of the .csv file');
  return path;
}
