import type { GridContact, RejectedRow } from '@shared/contract/contacts';
import type { EventBus } from '../bus';
import { DNC_REASON_PREFIX, type DncService } from '../dnc/service';
import type { Clock } from '../platform';
import type { Db } from '../store/db';
import { ContactsRepository, toGridContact, type ContactRow } from '../store/repositories/contacts';
import { REMOVED_FROM_SHEET, type SheetContactRow, type SheetContactValues } from '../store/repositories/sources';
import { ContactsError } from './errors';
import type { ContactLists, ListTarget } from './lists';
import { normalizePhone } from './phones';
import { languageTag } from '@shared/languages';
import { mergeInto, packRecords, RECORD_STRIDE, validTimezone, type ParsedRecord, type RecordBatch } from './records';

// Every contact is written here, whichever door it comes through (a file import, a manual add, a Google Sheet row,
// an edit in the grid): phones normalised to E.164, one contact per number in a list, and a number on the
// do-not-call list never arrives callable.

const LANGUAGE_FIX = 'Use a BCP 47 tag such as hi-IN or ta-IN, or a language name such as Hindi or தமிழ்.';

export interface ManualContact {
  name: string;
  phone: string;
  timezone?: string;
  /** A BCP 47 tag or a language's name. */
  language?: string;
  email?: string;
  variables: Record<string, string>;
}

export interface ContactEdit {
  id: number;
  name?: string;
  phone?: string;
  email?: string | null;
  timezone?: string | null;
  /** A BCP 47 tag or a language's name; null clears it. */
  language?: string | null;
  /** Replaces all variables. */
  variables?: Record<string, string>;
  /** Sets (or, with null, removes) single variables. */
  setVariables?: Record<string, string | null>;
}

export interface SavedRecords {
  accepted: number;
  /** Numbers already in the list: merged into their contact instead. */
  duplicatesInList: number;
  /** Saved, but not callable because the number is on the do-not-call list. */
  dnc: number;
}

const MANUAL_LIST = 'My contacts';

export class ContactWriter {
  private readonly contacts: ContactsRepository;

  constructor(
    private readonly deps: {
      db: Db;
      bus: EventBus;
      clock: Clock;
      dnc: DncService;
      lists: ContactLists;
      /** The default country for numbers typed without a country code. */
      country: () => string;
    },
  ) {
    this.contacts = new ContactsRepository(deps.db);
  }

  /**
   * Saves records into a list inside the caller's transaction: numbers already in the list are merged into their
   * contact (existing values win, blanks are filled), numbers on the do-not-call list arrive not callable.
   */
  saveRecords(listId: number, batches: Iterable<RecordBatch>, listIsNew: boolean): SavedRecords {
    const at = this.deps.clock.now();
    const saved: SavedRecords = { accepted: 0, duplicatesInList: 0, dnc: 0 };
    const blockReason = this.deps.dnc.blockReasons();
    for (const batch of batches) {
      for (let i = 0; i < batch.length; i += RECORD_STRIDE) {
        const phone = batch[i + 2] as string;
        const variablesJson = batch[i + 6] as string;
        const incoming = {
          name: batch[i + 1] as string,
          email: batch[i + 4] as string | null,
          timezone: batch[i + 5] as string | null,
          language: batch[i + 7] as string | null,
        };
        const existing = listIsNew ? undefined : this.contacts.findInList(listId, phone);
        if (existing) {
          saved.duplicatesInList++;
          this.merge(existing, { ...incoming, variables: JSON.parse(variablesJson) as Record<string, string> }, at);
          continue;
        }
        const blocked = blockReason(phone);
        if (blocked) saved.dnc++;
        this.contacts.insert({
          listId,
          ...incoming,
          phone,
          phoneRaw: batch[i + 3] as string,
          variablesJson,
          sourceRow: batch[i] as number,
          sourceKey: phone,
          callable: blocked === null,
          notCallableReason: blocked,
          at,
        });
        saved.accepted++;
      }
    }
    return saved;
  }

  /** Contacts typed in by hand: each checked like a file row, duplicates merged, saved in one transaction. */
  addManual(input: ListTarget & { contacts: ManualContact[] }): {
    listId: number;
    accepted: number;
    duplicates: number;
    rejected: RejectedRow[];
  } {
    const country = this.deps.country();
    const rejected: RejectedRow[] = [];
    const byPhone = new Map<string, ParsedRecord>();
    let duplicatesInInput = 0;
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
      const timezone = c.timezone?.trim();
      const languageTyped = c.language?.trim();
      const language = languageTyped ? languageTag(languageTyped) : null;
      if (languageTyped && !language) {
        rejected.push({
          row: i + 1,
          column: 'language',
          value: languageTyped,
          reason: 'not a language',
          fix: LANGUAGE_FIX,
          code: 'language_unknown',
        });
        return;
      }
      const record: ParsedRecord = {
        row: i + 1,
        name: c.name.trim(),
        phone: phone.e164,
        phoneRaw: phone.raw,
        email: c.email?.trim() || null,
        timezone: timezone && validTimezone(timezone) ? timezone : null,
        language,
        variables: { ...c.variables, ...(phone.ext ? { phone_ext: phone.ext } : {}) },
      };
      const first = byPhone.get(record.phone);
      if (first) {
        mergeInto(first, record);
        duplicatesInInput++;
      } else byPhone.set(record.phone, record);
    });
    const { listId, saved } = this.deps.db.transaction(() => {
      const { listId, created } = this.deps.lists.resolve(input, MANUAL_LIST, 'manual', null);
      return { listId, saved: this.saveRecords(listId, [packRecords([...byPhone.values()])], created) };
    })();
    this.deps.bus.publish('lists.changed', { listId });
    return { listId, accepted: saved.accepted, duplicates: duplicatesInInput + saved.duplicatesInList, rejected };
  }

  /** An edit in the grid; a new number is normalised, must be unique in the list, and is checked against DNC. */
  edit(input: ContactEdit): GridContact {
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
      const p = normalizePhone(input.phone, this.deps.country());
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
    let language = row.language;
    if (input.language !== undefined) {
      const typed = input.language?.trim() ?? '';
      language = typed ? languageTag(typed) : null;
      if (typed && !language)
        throw new ContactsError('invalid_input', `language: "${typed}" is not a language. ${LANGUAGE_FIX}`);
    }
    const name = input.name === undefined ? row.name : input.name.trim().normalize('NFC');
    this.contacts.update(
      row.id,
      {
        name,
        phone,
        phoneRaw,
        email,
        timezone,
        language,
        variablesJson: JSON.stringify(variables),
        callable,
        notCallableReason: reason,
        // A contact keyed by its number (files, sheets matched by phone) follows the new number; an id key stays.
        sourceKey: row.source_key === row.phone ? phone : row.source_key,
      },
      this.deps.clock.now(),
    );
    this.deps.bus.publish('lists.changed', { listId: row.list_id });
    return toGridContact(this.contacts.getGrid(row.id)!);
  }

  /** A row new to a connected sheet (inside the sync's transaction). */
  insertSheetRow(listId: number, row: SheetContactValues, at: number): number {
    const blocked = this.deps.dnc.blockReason(row.phone);
    return this.contacts.insert({
      listId,
      name: row.name,
      phone: row.phone,
      phoneRaw: row.phoneRaw,
      email: null,
      timezone: null,
      language: row.language ?? null,
      variablesJson: row.variablesJson,
      sourceRow: row.sourceRow,
      sourceKey: row.sourceKey,
      callable: blocked === null,
      notCallableReason: blocked,
      at,
    });
  }

  /**
   * A sheet row that changed (inside the sync's transaction). A number on the do-not-call list makes the contact
   * not callable; a row back in the sheet, or a number no longer on the list, lifts the mark it had for that.
   */
  updateSheetRow(current: SheetContactRow, row: SheetContactValues, at: number): void {
    let callable = current.callable === 1;
    let reason = current.not_callable_reason;
    const blocked = this.deps.dnc.blockReason(row.phone);
    if (blocked) {
      callable = false;
      reason = blocked;
    } else if (!callable && (reason === REMOVED_FROM_SHEET || reason?.startsWith(DNC_REASON_PREFIX))) {
      callable = true;
      reason = null;
    }
    this.contacts.update(
      current.id,
      {
        name: row.name,
        phone: row.phone,
        phoneRaw: row.phoneRaw,
        ...(row.language !== undefined ? { language: row.language } : {}),
        variablesJson: row.variablesJson,
        sourceRow: row.sourceRow,
        sourceKey: row.sourceKey,
        callable,
        notCallableReason: reason,
      },
      at,
    );
  }

  private merge(
    existing: ContactRow,
    incoming: {
      name: string;
      email: string | null;
      timezone: string | null;
      language: string | null;
      variables: Record<string, string>;
    },
    at: number,
  ): void {
    const kept = {
      name: existing.name,
      email: existing.email,
      timezone: existing.timezone,
      language: existing.language,
      variables: JSON.parse(existing.variables_json) as Record<string, string>,
    };
    if (mergeInto(kept, incoming))
      this.contacts.update(
        existing.id,
        {
          name: kept.name,
          email: kept.email,
          timezone: kept.timezone,
          language: kept.language,
          variablesJson: JSON.stringify(kept.variables),
        },
        at,
      );
  }
}
