import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import type {
  ContactFilter,
  ContactSelection,
  GridContact,
  ImportPreview,
  ImportResult,
  ImportSummary,
  RejectedRow,
} from '../../../shared/contract/contacts';
import type { ContactList } from '../../../shared/domain';
import type { EventBus } from '../bus';
import type { DncService } from '../dnc/service';
import type { Platform, TimerHandle } from '../platform';
import type { SettingsService } from '../settings/settings';
import type { Db } from '../store/db';
import { ContactsRepository, SortColumnError, toGridContact } from '../store/repositories/contacts';
import { ImportsRepository, type ImportRow } from '../store/repositories/imports';
import { ListsRepository } from '../store/repositories/lists';
import { buildExportTable, neutralizeTable, tableToCsv, type ExportTable } from './export';
import type { ConvertSummary, PreviewData } from './import-protocol';
import { ImportSession, ImportWorkerError } from './import-session';
import type { Mapping } from './mapping';
import { normalizePhone } from './phones';
import { mergeInto, packRecords, RECORD_STRIDE, type ParsedRecord, type RecordBatch, type Rejection } from './records';
import { writeAtomically, writeBackCallList, type CodUpdate, type WriteBackResult } from './writeback';

export type ContactsErrorCode = 'not_found' | 'conflict' | 'invalid_input' | 'unavailable';

/** An error the user can act on; the API layer passes code and message through unchanged. */
export class ContactsError extends Error {
  constructor(
    readonly code: ContactsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContactsError';
  }
}

export const DUPLICATE_RULE =
  'Rows with the same phone number (after normalisation to E.164) are one contact: the first row in the file wins, and ' +
  'later rows only fill fields and variables it left empty. A number already in the list keeps its contact; the file ' +
  "only fills that contact's empty fields.";

const RESULT_REJECTED_LIMIT = 1000;
const SESSION_IDLE_MS = 15 * 60_000;
const MAX_OPEN_IMPORTS = 3;

export interface ImportOptions {
  sheet?: string;
  headerRow?: number;
  mapping?: Mapping;
  country?: string;
  listId?: number;
  listName?: string;
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

export type ExportScope = { listId: number } | { campaignId: number } | { selection: ContactSelection };
export interface ExportedFile {
  fileName: string;
  mimeType: string;
  bytes: Buffer;
  rows: number;
}

interface OpenImport {
  session: ImportSession;
  preview: PreviewData;
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

/** Lists, contacts, imports, exports, write-back. */
export class ContactsService {
  /** Files larger than this are refused before parsing (SheetJS needs ~15x the file size in memory). */
  maxImportBytes = 64 * 1024 * 1024;
  private readonly contacts: ContactsRepository;
  private readonly lists: ListsRepository;
  private readonly imports: ImportsRepository;
  private readonly open = new Map<string, OpenImport>();

  constructor(
    readonly deps: { db: Db; bus: EventBus; platform: Platform; settings: SettingsService; dnc: DncService },
  ) {
    this.contacts = new ContactsRepository(deps.db);
    this.lists = new ListsRepository(deps.db);
    this.imports = new ImportsRepository(deps.db);
  }

  private now(): number {
    return this.deps.platform.clock.now();
  }
  private country(override?: string): string {
    return (override ?? this.deps.settings.get('defaultCountry')).toUpperCase();
  }

  // ---- lists ----

  listLists(): ContactList[] {
    return this.lists.all();
  }
  createList(name: string): ContactList {
    return this.lists.get(this.lists.create(name, 'manual', null, this.now()))!;
  }
  renameList(id: number, name: string): ContactList {
    if (!this.lists.rename(id, name)) throw new ContactsError('not_found', `List ${id} does not exist.`);
    return this.lists.get(id)!;
  }
  deleteList(id: number): { deleted: number } {
    if (!this.lists.get(id)) throw new ContactsError('not_found', `List ${id} does not exist.`);
    const live = this.contacts.withLiveCalls(this.contacts.selectIds({ filter: { listId: id } }));
    if (live.length)
      throw new ContactsError(
        'conflict',
        `${live.length} contact(s) of this list are on a call right now. Wait for the calls to end, then delete the list.`,
      );
    const deleted = this.deps.db.transaction(() => this.lists.delete(id))();
    this.deps.bus.publish('lists.changed', { listId: id });
    return { deleted };
  }

  /** Existing list by id; or by name (reused when one has that name, created otherwise). */
  private resolveList(
    target: { listId?: number; listName?: string },
    fallbackName: string,
    sourceKind: 'manual' | 'file',
    sourceRef: string | null,
  ): number {
    if (target.listId !== undefined) {
      if (!this.lists.get(target.listId))
        throw new ContactsError(
          'not_found',
          `List ${target.listId} does not exist. Pick another list or give a name for a new one.`,
        );
      return target.listId;
    }
    const name = target.listName?.trim() || fallbackName;
    const existing = this.lists.all().find((l) => l.name === name);
    return existing ? existing.id : this.lists.create(name, sourceKind, sourceRef, this.now());
  }

  // ---- saving contacts (imports and manual adds share the rules) ----

  /**
   * Inserts records into a list inside the caller's transaction: DNC numbers become not callable, numbers already in
   * the list are merged into their contact (existing values win, blanks are filled).
   */
  private saveRecords(
    listId: number,
    batches: RecordBatch[],
    listIsNew: boolean,
  ): { accepted: number; duplicatesInList: number; dnc: number } {
    const at = this.now();
    let accepted = 0;
    let duplicatesInList = 0;
    let dnc = 0;
    const blockReason = this.deps.dnc.blockReasons();
    for (const batch of batches) {
      for (let i = 0; i < batch.length; i += RECORD_STRIDE) {
        const phone = batch[i + 2] as string;
        const variablesJson = batch[i + 6] as string;
        if (!listIsNew) {
          const existing = this.contacts.findInList(listId, phone);
          if (existing) {
            duplicatesInList++;
            const kept = {
              name: existing.name,
              email: existing.email,
              timezone: existing.timezone,
              variables: JSON.parse(existing.variables_json) as Record<string, string>,
            };
            const incoming = {
              name: batch[i + 1] as string,
              email: batch[i + 4] as string | null,
              timezone: batch[i + 5] as string | null,
              variables: JSON.parse(variablesJson) as Record<string, string>,
            };
            if (mergeInto(kept, incoming))
              this.contacts.saveMerged(existing.id, kept.name, kept.email, kept.timezone, kept.variables, at);
            continue;
          }
        }
        const blocked = blockReason(phone);
        if (blocked) dnc++;
        this.contacts.insert({
          listId,
          name: batch[i + 1] as string,
          phone,
          phoneRaw: batch[i + 3] as string,
          email: batch[i + 4] as string | null,
          timezone: batch[i + 5] as string | null,
          variablesJson,
          sourceRow: batch[i] as number,
          sourceKey: phone,
          callable: !blocked,
          notCallableReason: blocked,
          at,
        });
        accepted++;
      }
    }
    return { accepted, duplicatesInList, dnc };
  }

  addContacts(input: {
    listId?: number;
    listName?: string;
    contacts: { name: string; phone: string; timezone?: string; email?: string; variables: Record<string, string> }[];
  }): { listId: number; accepted: number; duplicates: number; rejected: RejectedRow[] } {
    const country = this.country();
    const rejected: RejectedRow[] = [];
    const byPhone = new Map<string, ParsedRecord>();
    let duplicatesInFile = 0;
    input.contacts.forEach((c, i) => {
      const phone = normalizePhone(c.phone, country);
      if (!phone.ok) {
        rejected.push({
          row: i + 1,
          column: 'phone',
          value: phone.raw,
          reason: phone.reason,
          fix: phone.fix,
          code: phone.code,
        });
        return;
      }
      const rec: ParsedRecord = {
        row: i + 1,
        name: c.name.trim(),
        phone: phone.e164,
        phoneRaw: phone.raw,
        email: c.email?.trim() || null,
        timezone: c.timezone?.trim() && validTimezone(c.timezone.trim()) ? c.timezone.trim() : null,
        variables: { ...c.variables, ...(phone.ext ? { phone_ext: phone.ext } : {}) },
      };
      const first = byPhone.get(rec.phone);
      if (first) {
        mergeInto(first, rec);
        duplicatesInFile++;
      } else byPhone.set(rec.phone, rec);
    });
    const { listId, saved } = this.deps.db.transaction(() => {
      const before =
        input.listId !== undefined ||
        this.lists.all().some((l) => l.name === (input.listName?.trim() || 'My contacts'));
      const listId = this.resolveList(input, 'My contacts', 'manual', null);
      return { listId, saved: this.saveRecords(listId, [packRecords([...byPhone.values()])], !before) };
    })();
    this.deps.bus.publish('lists.changed', { listId });
    return { listId, accepted: saved.accepted, duplicates: duplicatesInFile + saved.duplicatesInList, rejected };
  }

  // ---- imports ----

  /** Step 1: parse the bytes in a worker and describe the file (sheets, header row, preview, suggested mapping). */
  async previewImport(
    fileName: string,
    bytes: Uint8Array,
    opts: { country?: string; sourceRef?: string | null } = {},
  ): Promise<ImportPreview> {
    const token = randomUUID();
    if (bytes.byteLength > this.maxImportBytes) {
      throw new ContactsError(
        'invalid_input',
        `${fileName} is ${(bytes.byteLength / 1048576).toFixed(1)} MB; the import limit is ${(this.maxImportBytes / 1048576).toFixed(0)} MB. Split the file into smaller ones, or remove unused sheets and columns.`,
      );
    }
    // Files dropped and never committed hold a worker and their workbook; keep only the newest few open.
    for (const stale of [...this.open.keys()].slice(0, Math.max(0, this.open.size - (MAX_OPEN_IMPORTS - 1))))
      this.closeImport(stale);
    const session = new ImportSession((p) =>
      this.deps.bus.publish('import.progress', { token, phase: p.phase, done: p.done, total: p.total }),
    );
    const entry: OpenImport = {
      session,
      preview: undefined as unknown as PreviewData,
      sourceRef: opts.sourceRef ?? null,
      timer: null,
    };
    this.open.set(token, entry);
    try {
      // The bytes are copied into a transferable buffer so the worker gets them without another copy.
      const copy = new Uint8Array(bytes);
      await session.request(
        { type: 'open', fileName, bytes: copy, maxBytes: this.maxImportBytes, country: this.country(opts.country) },
        (m) => {
          if (m.type === 'preview') entry.preview = m.preview;
          return 'done';
        },
        [copy.buffer as ArrayBuffer],
      );
    } catch (err) {
      this.closeImport(token);
      throw toContactsError(err);
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
    if (entry.timer) this.deps.platform.clock.clearTimeout(entry.timer);
    const country = this.country(opts.country);
    const fileName = entry.preview.fileName;
    const batches: RecordBatch[] = [];
    let received = 0;
    let summary: ConvertSummary | null = null;
    try {
      await entry.session.request(
        { type: 'convert', sheet: opts.sheet, headerRow: opts.headerRow, mapping: opts.mapping, country },
        (m) => {
          if (m.type === 'records') {
            batches.push(m.batch);
            received += m.count;
            return 'more';
          }
          if (m.type === 'converted') summary = m.summary;
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
        const existedBefore =
          opts.listId !== undefined ||
          this.lists
            .all()
            .some(
              (l) =>
                l.name === (opts.listName?.trim() || defaultListName(fileName, s.sheet, entry.preview.sheets.length)),
            );
        const listId = this.resolveList(
          opts,
          defaultListName(fileName, s.sheet, entry.preview.sheets.length),
          'file',
          entry.sourceRef ?? fileName,
        );
        const saved = this.saveRecords(listId, batches, !existedBefore);
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
    if (entry.timer) this.deps.platform.clock.clearTimeout(entry.timer);
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
    let bytes: Buffer;
    try {
      const size = statSync(full).size;
      if (size > this.maxImportBytes) {
        throw new ContactsError(
          'invalid_input',
          `${basename(full)} is ${(size / 1048576).toFixed(1)} MB; the import limit is ${(this.maxImportBytes / 1048576).toFixed(0)} MB. Split the file into smaller ones.`,
        );
      }
      bytes = readFileSync(full);
    } catch (err) {
      if (err instanceof ContactsError) throw err;
      throw new ContactsError(
        'not_found',
        `Cannot read ${full}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`,
      );
    }
    let preview: ImportPreview;
    try {
      preview = await this.previewImport(basename(full), bytes, { country: opts.country, sourceRef: full });
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
    return this.encode(table, `${stem} - rejected rows`, format);
  }

  // ---- grid ----

  page(
    input: ContactFilter & { offset: number; limit: number; sort?: { column: string; direction: 'asc' | 'desc' } },
  ): { rows: GridContact[]; total: number } {
    const { offset, limit, sort, ...filter } = input;
    try {
      const r = this.contacts.page(filter, sort, offset, limit);
      return { rows: r.rows.map(toGridContact), total: r.total };
    } catch (err) {
      if (err instanceof SortColumnError) throw new ContactsError('invalid_input', `sort.column: ${err.message}`);
      throw err;
    }
  }

  variableColumns(filter: { listId?: number; campaignId?: number }): string[] {
    return this.contacts.variableKeys(filter);
  }

  updateContact(input: {
    id: number;
    name?: string;
    phone?: string;
    email?: string | null;
    timezone?: string | null;
    variables?: Record<string, string>;
    setVariables?: Record<string, string | null>;
  }): GridContact {
    const row = this.contacts.get(input.id);
    if (!row) throw new ContactsError('not_found', `Contact ${input.id} does not exist (it may have been deleted).`);
    let phone = row.phone;
    let phoneRaw = row.phone_raw;
    let callable = row.callable === 1;
    let reason = row.not_callable_reason;
    const variables: Record<string, string> = input.variables
      ? { ...input.variables }
      : (JSON.parse(row.variables_json) as Record<string, string>);
    for (const [k, v] of Object.entries(input.setVariables ?? {})) {
      if (v === null) delete variables[k];
      else variables[k] = v;
    }
    for (const k of Object.keys(variables)) {
      if (!k.trim() || k.length > 100)
        throw new ContactsError('invalid_input', `variables: "${k}" is not a usable variable name (1–100 characters).`);
    }
    if (input.phone !== undefined) {
      const p = normalizePhone(input.phone, this.country());
      if (!p.ok) throw new ContactsError('invalid_input', `phone: "${input.phone}" — ${p.reason}. ${p.fix}`);
      const clash = this.contacts.findInList(row.list_id, p.e164);
      if (clash && clash.id !== row.id) {
        throw new ContactsError(
          'conflict',
          `phone: ${p.e164} already belongs to ${clash.name ? `"${clash.name}"` : 'another contact'} (#${clash.id}) in this list. Edit or delete that contact instead.`,
        );
      }
      phone = p.e164;
      phoneRaw = p.raw;
      if (p.ext) variables.phone_ext = p.ext;
      reason = this.deps.dnc.blockReason(p.e164);
      callable = reason === null;
    }
    const email = input.email === undefined ? row.email : input.email?.trim() || null;
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      throw new ContactsError('invalid_input', `email: "${email}" is not an email address (name@example.com).`);
    const timezone = input.timezone === undefined ? row.timezone : input.timezone?.trim() || null;
    if (timezone && !validTimezone(timezone))
      throw new ContactsError(
        'invalid_input',
        `timezone: "${timezone}" is not a time zone name; use one like Asia/Kolkata or America/New_York.`,
      );
    const name = input.name === undefined ? row.name : input.name.trim().normalize('NFC');
    this.contacts.update(row.id, {
      name,
      phone,
      phoneRaw,
      email,
      timezone,
      variables,
      callable,
      notCallableReason: reason,
      sourceKey: phone,
      at: this.now(),
    });
    this.deps.bus.publish('lists.changed', { listId: row.list_id });
    return toGridContact(this.contacts.getGrid(row.id)!);
  }

  deleteContacts(selection: ContactSelection): { deleted: number } {
    const ids = this.contacts.selectIds(selection);
    const live = this.contacts.withLiveCalls(ids);
    if (live.length) {
      throw new ContactsError(
        'conflict',
        `${live.length} of the selected contacts are on a call right now (e.g. #${live[0]}). Wait for those calls to end, or leave them out of the selection.`,
      );
    }
    const lists = new Set(ids.map((id) => this.contacts.get(id)?.list_id).filter((x): x is number => x !== undefined));
    const deleted = this.deps.db.transaction(() => this.contacts.deleteIds(ids))();
    for (const listId of lists) this.deps.bus.publish('lists.changed', { listId });
    return { deleted };
  }

  markDnc(selection: ContactSelection, reason: string | undefined): { numbers: number; contacts: number } {
    return this.deps.dnc.add(this.contacts.phonesOf(this.contacts.selectIds(selection)), {
      source: 'manual',
      reason: reason ?? null,
    });
  }

  unmarkDnc(selection: ContactSelection): { numbers: number; contacts: number } {
    return this.deps.dnc.remove(this.contacts.phonesOf(this.contacts.selectIds(selection)));
  }

  // ---- exports and write-back ----

  async exportContacts(scope: ExportScope, format: 'csv' | 'xlsx'): Promise<ExportedFile> {
    let filter: ContactFilter & { ids?: number[] };
    let stem: string;
    if ('listId' in scope) {
      const list = this.lists.get(scope.listId);
      if (!list) throw new ContactsError('not_found', `List ${scope.listId} does not exist.`);
      filter = { listId: scope.listId };
      stem = list.name;
    } else if ('campaignId' in scope) {
      const c = this.deps.db
        .prepare<[number], { name: string }>('SELECT name FROM campaigns WHERE id = ?')
        .get(scope.campaignId);
      if (!c) throw new ContactsError('not_found', `Campaign ${scope.campaignId} does not exist.`);
      filter = { campaignId: scope.campaignId };
      stem = `${c.name} results`;
    } else if ('ids' in scope.selection) {
      filter = { ids: scope.selection.ids };
      stem = 'selected contacts';
    } else {
      filter = scope.selection.filter;
      stem = 'contacts';
    }
    const table = buildExportTable(
      this.contacts.exportRows(filter),
      this.contacts.variableKeys({ listId: filter.listId, campaignId: filter.campaignId }),
      'campaignId' in scope,
    );
    return this.encode(table, stem, format);
  }

  /** The CLI's `export`: exactly one of listId, campaignId or selection; written atomically to `path`. */
  async exportToFile(opts: {
    listId?: number;
    campaignId?: number;
    selection?: ContactSelection;
    format: 'csv' | 'xlsx';
    path: string;
  }): Promise<{ path: string; rows: number }> {
    const scope: ExportScope | null =
      opts.listId !== undefined
        ? { listId: opts.listId }
        : opts.campaignId !== undefined
          ? { campaignId: opts.campaignId }
          : opts.selection
            ? { selection: opts.selection }
            : null;
    if (!scope)
      throw new ContactsError('invalid_input', 'Say what to export: a list id, a campaign id or a selection.');
    const file = await this.exportContacts(scope, opts.format);
    const path = resolve(opts.path);
    writeAtomically(path, file.bytes);
    return { path, rows: file.rows };
  }

  private async encode(table: ExportTable, stem: string, format: 'csv' | 'xlsx'): Promise<ExportedFile> {
    const safeStem = stem.replace(/[\\/:*?"<>|\r\n]+/g, ' ').trim() || 'export';
    if (format === 'csv')
      return { fileName: `${safeStem}.csv`, mimeType: 'text/csv', bytes: tableToCsv(table), rows: table.rows.length };
    const safe = neutralizeTable(table);
    const session = new ImportSession();
    try {
      let bytes: Uint8Array | null = null;
      await session.request({ type: 'xlsx', sheetName: safeStem, header: safe.header, rows: safe.rows }, (m) => {
        if (m.type === 'xlsx') bytes = m.bytes;
        return 'done';
      });
      const out = bytes as Uint8Array | null;
      if (!out) throw new ContactsError('unavailable', 'The spreadsheet writer returned nothing; try CSV instead.');
      return {
        fileName: `${safeStem}.xlsx`,
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        bytes: Buffer.from(out.buffer, out.byteOffset, out.byteLength),
        rows: table.rows.length,
      };
    } catch (err) {
      throw toContactsError(err);
    } finally {
      await session.close();
    }
  }

  /** COD write-back from the contacts' latest outcomes into the list's call_list.csv (or `path`). */
  writeBackCsv(input: { listId: number; campaignId?: number; path?: string }): WriteBackResult {
    const list = this.lists.get(input.listId);
    if (!list) throw new ContactsError('not_found', `List ${input.listId} does not exist.`);
    const path = input.path ?? (list.sourceRef && isAbsolute(list.sourceRef) ? list.sourceRef : null);
    if (!path) {
      throw new ContactsError(
        'invalid_input',
        `List "${list.name}" was imported from an uploaded copy, so the console does not know where the original file is. Give the path of the call_list.csv to update.`,
      );
    }
    if (!/\.(csv|tsv|txt)$/i.test(path))
      throw new ContactsError(
        'invalid_input',
        `path: write-back only rewrites .csv files; "${basename(path)}" is not one.`,
      );
    const updates = new Map<string, CodUpdate>();
    for (const r of this.contacts.exportRows({ listId: input.listId, campaignId: input.campaignId })) {
      if (!r.phone) continue;
      const status = r.outcome ?? r.last_result ?? undefined;
      if (!status) continue;
      const u: CodUpdate = { status };
      const extracted = r.extracted_json ? (JSON.parse(r.extracted_json) as Record<string, unknown>) : {};
      for (const col of ['reschedule_date', 'reschedule_time'] as const) {
        const v = extracted[col];
        if (typeof v === 'string' || typeof v === 'number') u[col] = String(v);
      }
      updates.set(r.phone, u);
    }
    try {
      return writeBackCallList(path, updates, this.country());
    } catch (err) {
      throw new ContactsError('invalid_input', err instanceof Error ? err.message : String(err));
    }
  }

  /** Ends every open import worker (app shutdown). */
  async dispose(): Promise<void> {
    for (const token of [...this.open.keys()]) this.closeImport(token);
  }

  // ---- internals ----

  private session(token: string): OpenImport {
    const entry = this.open.get(token);
    if (!entry || entry.session.isClosed) {
      throw new ContactsError(
        'not_found',
        'This import is no longer open (it finished, was cancelled, or sat idle for 15 minutes). Drop the file again.',
      );
    }
    return entry;
  }

  private touch(token: string): void {
    const entry = this.open.get(token);
    if (!entry) return;
    if (entry.timer) this.deps.platform.clock.clearTimeout(entry.timer);
    entry.timer = this.deps.platform.clock.setTimeout(() => this.closeImport(token), SESSION_IDLE_MS);
    entry.timer.unref?.();
  }

  private closeImport(token: string): void {
    const entry = this.open.get(token);
    if (!entry) return;
    this.open.delete(token);
    if (entry.timer) this.deps.platform.clock.clearTimeout(entry.timer);
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

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function toContactsError(err: unknown): ContactsError {
  if (err instanceof ContactsError) return err;
  if (err instanceof ImportWorkerError) {
    switch (err.code) {
      case 'cancelled':
        return new ContactsError('conflict', err.message);
      case 'internal':
        return new ContactsError('unavailable', err.message);
      default:
        return new ContactsError('invalid_input', err.message);
    }
  }
  return new ContactsError('unavailable', err instanceof Error ? err.message : String(err));
}
