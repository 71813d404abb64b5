import type {
  ContactSelection,
  GridContact,
  ImportPreview,
  ImportResult,
  ImportSummary,
  RejectedRow,
} from '@shared/contract/contacts';
import type { ContactList } from '@shared/domain';
import type { EventBus } from '../bus';
import type { DncChange, DncService } from '../dnc/service';
import type { Platform } from '../platform';
import type { SettingsService } from '../settings/settings';
import type { Db } from '../store/db';
import { ContactExports, type ExportedFile, type ExportScope } from './export';
import { ContactGrid, type GridPage } from './grid';
import { ContactImports, type CliImportResult, type ImportOptions } from './imports';
import { ContactLists, type ListTarget } from './lists';
import { CallListWriteBack, type WriteBackResult } from './writeback';
import { ContactWriter, type ContactEdit, type ManualContact } from './writer';

export { ContactsError, type ContactsErrorCode } from './errors';
export type { ExportedFile, ExportScope } from './export';
export type { CliImportResult, ImportOptions } from './imports';

/**
 * The contacts capability under one name for the API layer and the CLI. Each part lives in its own file: lists.ts,
 * writer.ts (every contact write), imports.ts (file imports), grid.ts, export.ts, writeback.ts (the COD call_list.csv).
 */
export class ContactsService {
  readonly lists: ContactLists;
  readonly writer: ContactWriter;
  readonly imports: ContactImports;
  readonly grid: ContactGrid;
  readonly exports: ContactExports;
  readonly writeBack: CallListWriteBack;

  constructor(deps: { db: Db; bus: EventBus; platform: Platform; settings: SettingsService; dnc: DncService }) {
    const { db, bus, dnc } = deps;
    const clock = deps.platform.clock;
    const country = (override?: string) => (override ?? deps.settings.get('defaultCountry')).toUpperCase();
    this.lists = new ContactLists({ db, bus, clock });
    this.writer = new ContactWriter({ db, bus, clock, dnc, lists: this.lists, country });
    this.imports = new ContactImports({ db, bus, clock, lists: this.lists, writer: this.writer, country });
    this.grid = new ContactGrid({ db, bus, dnc });
    this.exports = new ContactExports(db);
    this.writeBack = new CallListWriteBack(db, country);
  }

  /** Files larger than this are refused before parsing. */
  get maxImportBytes(): number {
    return this.imports.maxImportBytes;
  }
  set maxImportBytes(bytes: number) {
    this.imports.maxImportBytes = bytes;
  }

  listLists(): ContactList[] {
    return this.lists.all();
  }
  createList(name: string): ContactList {
    return this.lists.create(name);
  }
  renameList(id: number, name: string): ContactList {
    return this.lists.rename(id, name);
  }
  deleteList(id: number): { deleted: number } {
    return this.lists.delete(id);
  }

  addContacts(input: ListTarget & { contacts: ManualContact[] }): {
    listId: number;
    accepted: number;
    duplicates: number;
    rejected: RejectedRow[];
  } {
    return this.writer.addManual(input);
  }
  updateContact(input: ContactEdit): GridContact {
    return this.writer.edit(input);
  }

  previewImport(
    fileName: string,
    bytes: Uint8Array,
    opts?: { country?: string; sourceRef?: string | null },
  ): Promise<ImportPreview> {
    return this.imports.previewImport(fileName, bytes, opts);
  }
  inspectImport(token: string, opts: { sheet?: string; headerRow?: number; country?: string }): Promise<ImportPreview> {
    return this.imports.inspectImport(token, opts);
  }
  commitImport(token: string, opts: ImportOptions): Promise<ImportResult> {
    return this.imports.commitImport(token, opts);
  }
  cancelImport(token: string): { cancelled: boolean } {
    return this.imports.cancelImport(token);
  }
  importFile(path: string, opts?: ImportOptions): Promise<CliImportResult> {
    return this.imports.importFile(path, opts);
  }
  listImports(listId: number | undefined, limit: number): ImportSummary[] {
    return this.imports.listImports(listId, limit);
  }
  getImport(id: number): ReturnType<ContactImports['getImport']> {
    return this.imports.getImport(id);
  }
  exportRejected(id: number, format: 'csv' | 'xlsx'): Promise<ExportedFile> {
    return this.imports.exportRejected(id, format);
  }

  page(input: GridPage): { rows: GridContact[]; total: number } {
    return this.grid.page(input);
  }
  variableColumns(filter: { listId?: number; campaignId?: number }): string[] {
    return this.grid.variableColumns(filter);
  }
  deleteContacts(selection: ContactSelection): { deleted: number } {
    return this.grid.delete(selection);
  }
  markDnc(selection: ContactSelection, reason: string | undefined): DncChange {
    return this.grid.markDnc(selection, reason);
  }
  unmarkDnc(selection: ContactSelection): DncChange {
    return this.grid.unmarkDnc(selection);
  }

  exportContacts(scope: ExportScope, format: 'csv' | 'xlsx'): Promise<ExportedFile> {
    return this.exports.create(scope, format);
  }
  exportToFile(opts: Parameters<ContactExports['toFile']>[0]): Promise<{ path: string; rows: number }> {
    return this.exports.toFile(opts);
  }
  writeBackCsv(input: { listId: number; campaignId?: number; path?: string }): WriteBackResult {
    return this.writeBack.write(input);
  }

  /** The campaign's outcomes into the original file of each of its lists (`path` only for a one-list campaign). */
  writeBackCampaign(
    campaign: { id: number; listIds: number[] },
    path?: string,
  ): (WriteBackResult & { listId: number })[] {
    return this.writeBack.writeCampaign(campaign, path);
  }

  /** Ends every open import worker (app shutdown). */
  dispose(): Promise<void> {
    return this.imports.dispose();
  }
}
