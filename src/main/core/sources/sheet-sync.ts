import { randomBytes } from 'node:crypto';
import type { SheetMapping, SheetSyncResult } from '@shared/contract/sources';
import { languageTag } from '@shared/languages';
import { fieldOfHeader } from '../contacts/mapping';
import { normalizePhone } from '../contacts/phones';
import type { ContactWriter } from '../contacts/writer';
import type { CampaignEnqueuer } from '../dialer/enqueue';
import {
  REMOVED_FROM_SHEET,
  type ConnectionRow,
  type SheetContactValues,
  type SourcesRepository,
} from '../store/repositories/sources';
import { columnIndex, type CellValue } from './google-sheets';
import { judgeRow, normaliseStatus, parseSheetTime, type SheetVerdict } from './sheet-rules';
import { retryDelayAfter } from '../dialer/enqueue';
import { SheetRules } from '@shared/contract/sources';

// Sheet rows → contacts. Rows are matched to contacts by a stable key (the E.164 phone, or the console's id
// column), never by position: sorting or inserting rows in the sheet changes source_row, nothing else.

export interface SheetRow {
  /** Row number as the user sees it (header is row 1). */
  row: number;
  key: string;
  contact: SheetContactValues;
  /** The row's Status and Last Attempt Time, when the mapping has a status column. */
  state: { status: string; attemptAt: number | null } | null;
}

export type Rejected = SheetSyncResult['rejected'][number];

export interface ParsedSheet {
  rows: SheetRow[];
  rejected: Rejected[];
  /** id mode: rows that have no id yet, to be given one. */
  missingIds: { row: number; id: string }[];
}

function text(cell: CellValue | undefined): string {
  if (cell === undefined || cell === null) return '';
  if (typeof cell === 'number') return Number.isInteger(cell) && Math.abs(cell) < 1e21 ? cell.toFixed(0) : String(cell);
  return String(cell).trim();
}

/** Key of one key-column cell: E.164 for phones (so "+91 98765-43210" and 919876543210 match), trimmed text for ids. */
export function rowKey(cell: CellValue | undefined, keyKind: 'phone' | 'id', country: string): string | null {
  if (keyKind === 'id') return text(cell) || null;
  if (cell === undefined || text(cell) === '') return null;
  const phone = normalizePhone(cell, country);
  return phone.ok ? phone.e164 : null;
}

function newRowId(): string {
  return `c-${randomBytes(6).toString('hex')}`;
}

/** Reads the data rows under the header: contacts, per-row rejections, and (id mode) rows needing an id. */
export function parseSheet(
  values: CellValue[][],
  mapping: SheetMapping,
  keyKind: 'phone' | 'id',
  country: string,
  timeZone = 'UTC',
): ParsedSheet {
  const header = (values[0] ?? []).map((h) => text(h));
  const mapped = new Set(
    Object.values(mapping)
      .filter((c): c is string => !!c)
      .map(columnIndex),
  );
  const phoneCol = columnIndex(mapping.phone!);
  const nameCol = mapping.name ? columnIndex(mapping.name) : -1;
  const idCol = mapping.id ? columnIndex(mapping.id) : -1;
  const statusCol = mapping.status ? columnIndex(mapping.status) : -1;
  const attemptCol = mapping.lastAttempt ? columnIndex(mapping.lastAttempt) : -1;
  // The call language comes from an unmapped column headed like one (Language, Lang, भाषा), as in file imports.
  const languageCol = header.findIndex((h, c) => !!h && !mapped.has(c) && fieldOfHeader(h) === 'language');
  const out: ParsedSheet = { rows: [], rejected: [], missingIds: [] };
  const seen = new Map<string, number>();
  const phoneSeen = new Map<string, number>();

  for (let i = 1; i < values.length; i++) {
    const cells = values[i] ?? [];
    const row = i + 1;
    if (cells.every((c) => text(c) === '')) continue;
    const rawCell = cells[phoneCol];
    const phone = normalizePhone(rawCell === undefined || rawCell === '' ? null : rawCell, country);
    if (!phone.ok) {
      out.rejected.push({ row, column: mapping.phone!, value: phone.raw, reason: `${phone.reason}. ${phone.fix}` });
      continue;
    }
    const typedId = keyKind === 'id' ? text(cells[idCol]) : '';
    const key = keyKind === 'id' ? typedId || newRowId() : phone.e164;
    const sameId = keyKind === 'id' ? seen.get(key) : undefined;
    const samePhone = phoneSeen.get(phone.e164);
    if (sameId !== undefined || samePhone !== undefined) {
      const earlier = (sameId ?? samePhone)!;
      out.rejected.push({
        row,
        column: sameId !== undefined ? mapping.id! : mapping.phone!,
        value: sameId !== undefined ? key : phone.raw,
        reason: `same ${sameId !== undefined ? 'id' : 'number'} as row ${earlier}; only row ${earlier} is called and written to. Remove or correct one of the two rows.`,
      });
      continue;
    }
    seen.set(key, row);
    phoneSeen.set(phone.e164, row);
    if (keyKind === 'id' && !typedId) out.missingIds.push({ row, id: key });
    const variables: Record<string, string> = {};
    header.forEach((h, c) => {
      if (!h || mapped.has(c) || c === languageCol) return;
      const v = text(cells[c]);
      if (v) variables[h] = v;
    });
    out.rows.push({
      row,
      key,
      contact: {
        sourceKey: key,
        name: nameCol >= 0 ? text(cells[nameCol]) : '',
        phone: phone.e164,
        phoneRaw: phone.raw,
        language: languageCol >= 0 ? languageTag(text(cells[languageCol])) : undefined,
        variablesJson: JSON.stringify(variables),
        sourceRow: row,
      },
      state:
        statusCol >= 0
          ? {
              status: text(cells[statusCol]),
              attemptAt: attemptCol >= 0 ? parseSheetTime(cells[attemptCol], timeZone) : null,
            }
          : null,
    });
  }
  return out;
}

/**
 * Applies one read of the sheet to the list, in one transaction, writing contacts through the contact writer (so a
 * number on the do-not-call list arrives not callable); `queued` counts contacts new to a campaign queue.
 */
export function applySheet(
  repo: SourcesRepository,
  writer: ContactWriter,
  enqueuer: CampaignEnqueuer,
  conn: ConnectionRow,
  parsed: ParsedSheet,
  now: number,
): SheetSyncResult & { queued: number; stale: SheetRow[] } {
  const rules = SheetRules.parse(JSON.parse(conn.rules_json));
  return repo.transaction(() => {
    const stale: SheetRow[] = [];
    /**
     * The sheet is the truth for a row whose Status a person (or another tool) set: unless the console's own call is
     * live or its own update is still on the way to the sheet, the row's Status and Last Attempt Time decide.
     */
    const follow = (contactId: number, r: SheetRow, previous: string | null) => {
      if (!r.state || repo.hasLiveCall(contactId) || repo.hasPendingWrite(conn.id, r.key)) return;
      const { status, attemptAt } = r.state;
      repo.setSourceState(contactId, status, attemptAt);
      const verdict = (settings: Parameters<typeof retryDelayAfter>[0], attempts: number): SheetVerdict =>
        judgeRow(r.state!, rules, retryDelayAfter(settings, attempts), now);
      const reopened = previous !== null && normaliseStatus(previous) !== normaliseStatus(status);
      enqueuer.sheetRow(conn.list_id, contactId, verdict, reopened, now);
      const v = judgeRow(r.state, rules, 0, now);
      if (v.kind === 'retry' && v.stale) stale.push(r);
    };
    const existing = new Map(repo.sheetContacts(conn.list_id).map((c) => [c.source_key, c]));
    const result = { added: 0, updated: 0, removed: 0, unchanged: 0, queued: 0, rejected: [...parsed.rejected] };
    const byPhone = new Map([...existing.values()].filter((c) => c.phone).map((c) => [c.phone!, c]));
    const present = new Set<string>();
    const parsedKeys = new Set(parsed.rows.map((r) => r.key));
    for (const r of parsed.rows) {
      let current = existing.get(r.key);
      // id mode only (in phone mode the key is the phone): the number is held by another contact of the list.
      const holder = byPhone.get(r.contact.phone);
      if (holder && holder.source_key !== r.key) {
        if (current || parsedKeys.has(holder.source_key)) {
          result.rejected.push({
            row: r.row,
            column: conn.key_kind === 'id' ? 'id' : 'phone',
            value: r.contact.phoneRaw,
            reason: 'another contact of this list already has this number. Remove or correct one of the two rows.',
          });
          continue;
        }
        // The number's old row left the sheet and came back without its id: the same person, so the same contact.
        current = holder;
        present.add(holder.source_key);
      }
      present.add(r.key);
      if (!current) {
        const id = writer.insertSheetRow(conn.list_id, r.contact, now);
        result.queued += enqueuer.newListContact(conn.list_id, id, now);
        follow(id, r, null);
        result.added++;
        continue;
      }
      follow(current.id, r, current.source_status);
      const wasRemoved = !current.callable && current.not_callable_reason === REMOVED_FROM_SHEET;
      const same =
        !wasRemoved &&
        current.name === r.contact.name &&
        current.phone === r.contact.phone &&
        current.source_key === r.key &&
        current.phone_raw === r.contact.phoneRaw &&
        (r.contact.language === undefined || current.language === r.contact.language) &&
        current.variables_json === r.contact.variablesJson &&
        current.source_row === r.contact.sourceRow;
      if (same) {
        result.unchanged++;
        continue;
      }
      writer.updateSheetRow(current, r.contact, now);
      if (wasRemoved) result.queued += enqueuer.returnedSheetRow(current.id, REMOVED_FROM_SHEET, now);
      result.updated++;
    }
    for (const [key, c] of existing) {
      if (present.has(key) || (!c.callable && c.not_callable_reason === REMOVED_FROM_SHEET)) continue;
      repo.markRemoved(c.id, now);
      repo.excludeFromQueue(c.id, now);
      result.removed++;
    }
    return { ...result, stale };
  });
}

/** Output/id columns of a mapping whose header cell is empty. */
export function missingColumns(
  header: CellValue[],
  mapping: SheetMapping,
  fields: readonly (keyof SheetMapping)[],
): { field: keyof SheetMapping; column: string }[] {
  return fields
    .filter((f) => mapping[f] !== undefined && text(header[columnIndex(mapping[f]!)]) === '')
    .map((f) => ({ field: f, column: mapping[f]! }));
}

/** The column count a mapping needs. */
export function widthNeeded(mapping: SheetMapping): number {
  return (
    Math.max(
      ...Object.values(mapping)
        .filter((c): c is string => !!c)
        .map(columnIndex),
    ) + 1
  );
}
