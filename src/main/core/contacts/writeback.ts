import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { EventBus } from '../bus';
import type { Clock, Logger } from '../platform';
import type { Db } from '../store/db';
import { ContactsRepository } from '../store/repositories/contacts';
import { ListsRepository } from '../store/repositories/lists';
import { decodeText, detectSeparator, encodeCsvField, neutralizeCell, parseCsv, splitRawFields } from './csv';
import { ApiError } from '../errors';
import { ContactsError } from './errors';
import { headerKey } from './mapping';
import { normalizePhone } from './phones';

// CSV write-back for the COD flow: status, reschedule_date and reschedule_time of a call_list.csv are updated in
// place. Rows are matched by normalised phone, never by position; every other byte of the file stays as it was.

const COD_COLUMNS = ['status', 'reschedule_date', 'reschedule_time'] as const;
/**
 * The only values the file's `status` column takes: the COD outcomes. A call result ("completed", "no_answer")
 * is not an outcome and is never written there; a row without one of these outcomes keeps its cells as they are.
 */
export const COD_STATUSES: ReadonlySet<string> = new Set(['confirmed', 'cancelled', 'rescheduled', 'wrong_person']);
export type CodColumn = (typeof COD_COLUMNS)[number];
export type CodUpdate = Partial<Record<CodColumn, string>>;

export interface WriteBackResult {
  path: string;
  updated: number;
  unchanged: number;
  unmatched: number;
}

class WriteBackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteBackError';
  }
}

const PHONE_HEADERS = ['recipientphonenumber', 'phonenumber', 'phone', 'mobile', 'mobilenumber', 'number'];

/** Rewrites the file atomically (temp file in the same folder, fsync, rename). `updates` is keyed by E.164. */
export function writeBackCallList(path: string, updates: Map<string, CodUpdate>, country: string): WriteBackResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new WriteBackError(
      `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Check that the file still exists.`,
    );
  }
  const decoded = decodeText(bytes);
  if (decoded.encoding === 'windows-1252' || decoded.encoding === 'utf-16be') {
    throw new WriteBackError(
      `${basename(path)} is not UTF-8 (${decoded.encoding}); save it as "CSV UTF-8" and try again, so no character is changed by the rewrite.`,
    );
  }
  const text = decoded.text;
  const { sep, skipFirstLine } = detectSeparator(text, /\.tsv$/i.test(path));
  const from = skipFirstLine ? text.indexOf('\n') + 1 : 0;
  const records = parseCsv(text, sep, from);
  const headerIdx = records.findIndex((r) => r.values.some((v) => v.trim() !== ''));
  if (headerIdx < 0) throw new WriteBackError(`${basename(path)} is empty; there is nothing to write back to.`);
  const header = records[headerIdx].values.map((v) => headerKey(v));
  const phoneIdx = PHONE_HEADERS.map((h) => header.indexOf(h)).find((i) => i >= 0);
  if (phoneIdx === undefined) {
    throw new WriteBackError(
      `${basename(path)} has no recipient_phone_number (or phone) column, so its rows cannot be matched to contacts.`,
    );
  }
  const colIdx = new Map<CodColumn, number>();
  const appended: CodColumn[] = [];
  for (const col of COD_COLUMNS) {
    const i = header.indexOf(headerKey(col));
    if (i >= 0) colIdx.set(col, i);
    else appended.push(col);
  }
  // Missing write-back columns are added at the end, so existing columns keep their positions.
  let width = records[headerIdx].values.length;
  for (const col of appended) colIdx.set(col, width++);

  const pieces: string[] = [decoded.bom, text.slice(0, from)];
  let updated = 0;
  let unchanged = 0;
  let unmatched = 0;
  records.forEach((rec, i) => {
    const original = text.slice(rec.start, rec.end);
    if (i < headerIdx || (i > headerIdx && rec.values.every((v) => v.trim() === ''))) {
      pieces.push(original, rec.eol);
      return;
    }
    const raw = splitRawFields(original, sep);
    if (i === headerIdx) {
      for (const col of appended) raw.push(col);
      pieces.push(appended.length ? raw.join(sep) : original, rec.eol);
      return;
    }
    const phone = normalizePhone(rec.values[phoneIdx] ?? '', country);
    const update = phone.ok ? updates.get(phone.e164) : undefined;
    if (!update) {
      unmatched++;
      while (raw.length < width && appended.length) raw.push('');
      pieces.push(appended.length ? raw.join(sep) : original, rec.eol);
      return;
    }
    while (raw.length < width) raw.push('');
    let changed = false;
    for (const col of COD_COLUMNS) {
      const value = update[col];
      if (value === undefined) continue;
      const idx = colIdx.get(col)!;
      if ((rec.values[idx] ?? '') === value && idx < rec.values.length) continue;
      raw[idx] = encodeCsvField(neutralizeCell(value), sep);
      changed = true;
    }
    if (changed) updated++;
    else unchanged++;
    pieces.push(changed || appended.length ? raw.join(sep) : original, rec.eol);
  });
  const out = pieces.join('');
  writeAtomically(path, decoded.encoding === 'utf-16le' ? Buffer.from(out, 'utf16le') : Buffer.from(out, 'utf8'));
  return { path, updated, unchanged, unmatched };
}

/** The COD write-back from the contacts' latest outcomes into the list's call_list.csv (or another path). */
export class CallListWriteBack {
  private readonly contacts: ContactsRepository;
  private readonly lists: ListsRepository;

  constructor(
    db: Db,
    private readonly country: () => string,
  ) {
    this.contacts = new ContactsRepository(db);
    this.lists = new ListsRepository(db);
  }

  writeCampaign(campaign: { id: number; listIds: number[] }, path?: string): (WriteBackResult & { listId: number })[] {
    if (path !== undefined && campaign.listIds.length > 1) {
      const message = `Campaign ${campaign.id} calls ${campaign.listIds.length} lists, so one file cannot hold its outcomes.`;
      throw new ApiError('invalid_input', message, [
        { path: 'path', message, fix: 'leave the path out to write each list back to the file it was imported from' },
      ]);
    }
    return campaign.listIds.map((listId) => ({
      listId,
      ...this.write({ listId, campaignId: campaign.id, path }),
    }));
  }

  write(input: { listId: number; campaignId?: number; path?: string }): WriteBackResult {
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
      if (!r.phone || !r.outcome || !COD_STATUSES.has(r.outcome)) continue;
      const u: CodUpdate = { status: r.outcome };
      if (r.outcome === 'rescheduled') {
        const extracted = r.extracted_json ? (JSON.parse(r.extracted_json) as Record<string, unknown>) : {};
        for (const col of ['reschedule_date', 'reschedule_time'] as const) {
          const v = extracted[col];
          if (typeof v === 'string' || typeof v === 'number') u[col] = String(v);
        }
      }
      updates.set(r.phone, u);
    }
    try {
      return writeBackCallList(path, updates, this.country());
    } catch (err) {
      throw new ContactsError('invalid_input', err instanceof Error ? err.message : String(err));
    }
  }
}

/**
 * "Write the outcomes back at the end", chosen at import: when a campaign completes, each of its lists that asked
 * for it gets the outcomes written into its file, and again whenever an outcome arrives after that (self-hosted
 * Bolna posts its extraction after the call has ended, so the last call's outcome can follow the completion, and
 * a person may attach one from the review list). Writing again is harmless: unchanged outcomes leave the file as
 * it is. The first result of each completion, and every failure, is a notice for the user.
 */
export class WriteBackAtEnd {
  private readonly lists: ListsRepository;
  private readonly campaigns = new Map<number, { name: string; state: string; listIds: number[] }>();
  private readonly due = new Set<number>();
  private flushScheduled = false;
  private disposed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly deps: { db: Db; bus: EventBus; clock: Clock; logger: Logger; writeBack: CallListWriteBack },
  ) {
    this.lists = new ListsRepository(deps.db);
    this.unsubscribe = deps.bus.subscribe((event) => {
      if (event.type === 'campaign.updated') this.campaignUpdated(event.payload);
      else if (event.type === 'call.updated' && event.payload.outcome && event.payload.campaignId !== null) {
        if (this.campaigns.get(event.payload.campaignId)?.state === 'completed')
          this.write(event.payload.campaignId, false);
      }
    });
  }

  dispose(): void {
    this.disposed = true;
    this.unsubscribe();
  }

  private campaignUpdated(campaign: { id: number; name: string; state: string; listIds: number[] }): void {
    const before = this.campaigns.get(campaign.id)?.state;
    this.campaigns.set(campaign.id, { name: campaign.name, state: campaign.state, listIds: campaign.listIds });
    if (campaign.state === 'completed' && before !== 'completed') this.write(campaign.id, true);
  }

  /** Writes now (a completion) or once the current burst of outcome updates is over. */
  private write(campaignId: number, announce: boolean): void {
    if (announce) {
      this.flush(campaignId, true);
      return;
    }
    this.due.add(campaignId);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      // The core closed meanwhile (the database with it): the campaign action writes the file later.
      if (this.disposed) return;
      for (const id of [...this.due]) {
        this.due.delete(id);
        this.flush(id, false);
      }
    });
  }

  private flush(campaignId: number, announce: boolean): void {
    const campaign = this.campaigns.get(campaignId);
    if (!campaign) return;
    for (const listId of campaign.listIds) {
      const path = this.lists.writeBackPath(listId);
      if (!path) continue;
      try {
        const r = this.deps.writeBack.write({ listId, campaignId, path });
        const message = `Campaign "${campaign.name}": outcomes written to ${r.path} (${r.updated} rows updated, ${r.unchanged} already up to date).`;
        this.deps.logger.log('info', 'contacts', message);
        if (announce) this.deps.bus.publish('notice', { level: 'info', message, at: this.deps.clock.now() });
      } catch (err) {
        const message = `Campaign "${campaign.name}": its outcomes could not be written to ${path}: ${err instanceof Error ? err.message : String(err)} Use "Write outcomes to the original file" once it is fixed.`;
        this.deps.logger.log('error', 'contacts', message);
        this.deps.bus.publish('notice', { level: 'error', message, at: this.deps.clock.now() });
      }
    }
  }
}

export function writeAtomically(path: string, data: Buffer): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let mode: number | undefined;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    mode = undefined;
  }
  const fd = openSync(tmp, 'w', mode ?? 0o644);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}
