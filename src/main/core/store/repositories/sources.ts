import { prepareCached, type Db } from '../db';

// SQL for Google Sheets sources: credentials (metadata only; the secret is in `secrets`), connections, the
// contacts a sheet feeds, and the write-back outbox.

export interface CredentialRow {
  id: number;
  kind: 'service_account' | 'oauth';
  account: string;
  secret_name: string;
  created_at: number;
}

export interface ConnectionRow {
  id: number;
  list_id: number;
  credential_id: number;
  spreadsheet_id: string;
  spreadsheet_title: string;
  sheet_gid: number;
  sheet_title: string;
  mapping_json: string;
  key_kind: 'phone' | 'id';
  default_country: string;
  poll_interval_ms: number;
  write_interval_ms: number;
  paused: number;
  last_read_at: number | null;
  last_write_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  rows_seen: number;
  rejected_json: string;
  dropped_writes: number;
  time_zone: string | null;
  rules_json: string;
  created_at: number;
  updated_at: number;
}

export type NewConnection = Pick<
  ConnectionRow,
  | 'list_id'
  | 'credential_id'
  | 'spreadsheet_id'
  | 'spreadsheet_title'
  | 'sheet_gid'
  | 'sheet_title'
  | 'mapping_json'
  | 'key_kind'
  | 'default_country'
  | 'poll_interval_ms'
  | 'write_interval_ms'
  | 'time_zone'
  | 'rules_json'
>;

/** A contact as the sheet sync sees it. */
export interface SheetContactRow {
  id: number;
  source_key: string;
  name: string;
  phone: string | null;
  phone_raw: string;
  language: string | null;
  variables_json: string;
  source_row: number | null;
  callable: number;
  not_callable_reason: string | null;
  source_status: string | null;
  source_attempt_at: number | null;
}

export interface SheetContactValues {
  sourceKey: string;
  name: string;
  phone: string;
  phoneRaw: string;
  /**
   * BCP 47 tag from the sheet's language column (null: blank or not a language); undefined when the sheet has no
   * such column, so a language set by hand is kept.
   */
  language?: string | null;
  variablesJson: string;
  sourceRow: number;
}

export interface OutboxRow {
  id: number;
  connection_id: number;
  row_key: string;
  values_json: string;
  version: number;
  attempts: number;
}

/** Why a contact stopped being callable when its row left the sheet (and the mark to lift if it comes back). */
export const REMOVED_FROM_SHEET = 'removed from the Google Sheet';

export class SourcesRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ── credentials ──
  insertCredential(kind: CredentialRow['kind'], account: string, secretName: string, now: number): CredentialRow {
    return prepareCached<[string, string, string, number], CredentialRow>(
      this.db,
      'INSERT INTO google_credentials (kind, account, secret_name, created_at) VALUES (?, ?, ?, ?) RETURNING *',
    ).get(kind, account, secretName, now)!;
  }
  credential(id: number): CredentialRow | undefined {
    return prepareCached<[number], CredentialRow>(this.db, 'SELECT * FROM google_credentials WHERE id = ?').get(id);
  }
  credentials(): CredentialRow[] {
    return prepareCached<[], CredentialRow>(this.db, 'SELECT * FROM google_credentials ORDER BY id').all();
  }

  // ── connections ──
  createList(name: string, sourceRef: string, now: number): number {
    return Number(
      prepareCached(
        this.db,
        "INSERT INTO lists (name, source_kind, source_ref, created_at) VALUES (?, 'google_sheet', ?, ?)",
      ).run(name, sourceRef, now).lastInsertRowid,
    );
  }
  insertConnection(c: NewConnection, now: number): ConnectionRow {
    return prepareCached<unknown[], ConnectionRow>(
      this.db,
      `INSERT INTO sheet_connections (list_id, credential_id, spreadsheet_id, spreadsheet_title, sheet_gid, sheet_title,
           mapping_json, key_kind, default_country, poll_interval_ms, write_interval_ms, time_zone, rules_json,
           created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ).get(
      c.list_id,
      c.credential_id,
      c.spreadsheet_id,
      c.spreadsheet_title,
      c.sheet_gid,
      c.sheet_title,
      c.mapping_json,
      c.key_kind,
      c.default_country,
      c.poll_interval_ms,
      c.write_interval_ms,
      c.time_zone,
      c.rules_json,
      now,
      now,
    )!;
  }
  connection(id: number): ConnectionRow | undefined {
    return prepareCached<[number], ConnectionRow>(this.db, 'SELECT * FROM sheet_connections WHERE id = ?').get(id);
  }
  connections(): ConnectionRow[] {
    return prepareCached<[], ConnectionRow>(this.db, 'SELECT * FROM sheet_connections ORDER BY id').all();
  }
  /** Undoes a connect whose first read failed: the connection and the list it created. */
  deleteConnectionAndList(id: number, listId: number): void {
    this.transaction(() => {
      this.deleteConnection(id);
      prepareCached(this.db, 'DELETE FROM lists WHERE id = ?').run(listId);
    });
  }
  deleteConnection(id: number): void {
    prepareCached(this.db, 'DELETE FROM sheet_connections WHERE id = ?').run(id);
  }
  setPaused(id: number, paused: boolean, now: number): void {
    prepareCached(this.db, 'UPDATE sheet_connections SET paused = ?, updated_at = ? WHERE id = ?').run(
      paused ? 1 : 0,
      now,
      id,
    );
  }
  setTab(id: number, spreadsheetTitle: string, sheetTitle: string, timeZone: string | null, now: number): void {
    prepareCached(
      this.db,
      'UPDATE sheet_connections SET spreadsheet_title = ?, sheet_title = ?, time_zone = COALESCE(?, time_zone), updated_at = ? WHERE id = ?',
    ).run(spreadsheetTitle, sheetTitle, timeZone, now, id);
  }
  recordRead(id: number, rowsSeen: number, rejectedJson: string, now: number): void {
    prepareCached(
      this.db,
      'UPDATE sheet_connections SET last_read_at = ?, rows_seen = ?, rejected_json = ?, last_error = NULL, last_error_at = NULL, updated_at = ? WHERE id = ?',
    ).run(now, rowsSeen, rejectedJson, now, id);
  }
  recordWrite(id: number, dropped: number, now: number): void {
    prepareCached(
      this.db,
      'UPDATE sheet_connections SET last_write_at = ?, dropped_writes = dropped_writes + ?, last_error = NULL, last_error_at = NULL, updated_at = ? WHERE id = ?',
    ).run(now, dropped, now, id);
  }
  recordError(id: number, message: string, now: number): void {
    prepareCached(
      this.db,
      'UPDATE sheet_connections SET last_error = ?, last_error_at = ?, updated_at = ? WHERE id = ?',
    ).run(message, now, now, id);
  }

  // ── contacts fed by a sheet ──
  sheetContacts(listId: number): SheetContactRow[] {
    return prepareCached<[number], SheetContactRow>(
      this.db,
      `SELECT id, source_key, name, phone, phone_raw, language, variables_json, source_row, callable, not_callable_reason,
              source_status, source_attempt_at
           FROM contacts WHERE list_id = ? AND source_key IS NOT NULL`,
    ).all(listId);
  }
  /** The Status and Last Attempt Time the contact's row shows (as read, or as the console wrote it). */
  setSourceState(contactId: number, status: string, attemptAt: number | null): void {
    prepareCached(this.db, 'UPDATE contacts SET source_status = ?, source_attempt_at = ? WHERE id = ?').run(
      status,
      attemptAt,
      contactId,
    );
  }
  /** Whether an update for the row still waits in the outbox (the sheet does not show the console's latest yet). */
  hasPendingWrite(connectionId: number, rowKey: string): boolean {
    return (
      prepareCached<[number, string], { n: number }>(
        this.db,
        'SELECT count(*) AS n FROM sheet_outbox WHERE connection_id = ? AND row_key = ?',
      ).get(connectionId, rowKey)!.n > 0
    );
  }
  /** Whether the contact has an attempt the provider has not ended (its row shows the console's own live call). */
  hasLiveCall(contactId: number): boolean {
    return (
      prepareCached<[number], { n: number }>(
        this.db,
        "SELECT count(*) AS n FROM calls WHERE contact_id = ? AND status <> 'ended'",
      ).get(contactId)!.n > 0
    );
  }
  markRemoved(id: number, now: number): void {
    prepareCached(
      this.db,
      'UPDATE contacts SET callable = 0, not_callable_reason = ?, source_row = NULL, updated_at = ? WHERE id = ?',
    ).run(REMOVED_FROM_SHEET, now, id);
  }

  /**
   * Keeps the dialer's queue in step with the sheet: rows taken out of the sheet leave the pending queue. (Rows put
   * back, and new rows, join campaigns through the dialer's enqueue path.)
   */
  excludeFromQueue(contactId: number, now: number): void {
    prepareCached(
      this.db,
      "UPDATE campaign_contacts SET state = 'excluded', excluded_reason = ?, updated_at = ? WHERE contact_id = ? AND state = 'pending'",
    ).run(REMOVED_FROM_SHEET, now, contactId);
  }
  /** The sheet connection and row key a contact writes back to, if its list is a connected sheet. */
  writeTarget(contactId: number): { connectionId: number; rowKey: string } | undefined {
    return prepareCached<[number], { connectionId: number; rowKey: string }>(
      this.db,
      `SELECT s.id AS connectionId, c.source_key AS rowKey
           FROM contacts c JOIN sheet_connections s ON s.list_id = c.list_id
          WHERE c.id = ? AND c.source_key IS NOT NULL`,
    ).get(contactId);
  }
  callContact(callId: number): number | null {
    return (
      prepareCached<[number], { contact_id: number | null }>(this.db, 'SELECT contact_id FROM calls WHERE id = ?').get(
        callId,
      )?.contact_id ?? null
    );
  }
  transcriptTurns(callId: number): { speaker: string; text: string }[] {
    return prepareCached<[number], { speaker: string; text: string }>(
      this.db,
      'SELECT speaker, text FROM transcript_turns WHERE call_id = ? ORDER BY seq',
    ).all(callId);
  }

  // ── outbox ──
  /** Merges values into the row's pending update (later values win field by field). */
  enqueue(connectionId: number, rowKey: string, valuesJson: string, now: number): void {
    prepareCached(
      this.db,
      `INSERT INTO sheet_outbox (connection_id, row_key, values_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (connection_id, row_key) DO UPDATE SET
           values_json = json_patch(sheet_outbox.values_json, excluded.values_json),
           version = sheet_outbox.version + 1,
           updated_at = excluded.updated_at`,
    ).run(connectionId, rowKey, valuesJson, now, now);
  }
  pending(connectionId: number, limit: number): OutboxRow[] {
    return prepareCached<[number, number], OutboxRow>(
      this.db,
      'SELECT id, connection_id, row_key, values_json, version, attempts FROM sheet_outbox WHERE connection_id = ? ORDER BY updated_at, id LIMIT ?',
    ).all(connectionId, limit);
  }
  pendingCount(connectionId: number): number {
    return prepareCached<[number], { n: number }>(
      this.db,
      'SELECT count(*) AS n FROM sheet_outbox WHERE connection_id = ?',
    ).get(connectionId)!.n;
  }
  /** Deletes an entry only if nothing was merged into it since it was read (otherwise it is written again). */
  removeWritten(id: number, version: number): void {
    prepareCached(this.db, 'DELETE FROM sheet_outbox WHERE id = ? AND version = ?').run(id, version);
  }
  markAttempt(ids: number[], error: string): void {
    const stmt = prepareCached(this.db, 'UPDATE sheet_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?');
    for (const id of ids) stmt.run(error, id);
  }
  connectionsWithPending(): number[] {
    return prepareCached<[], { id: number }>(this.db, 'SELECT DISTINCT connection_id AS id FROM sheet_outbox')
      .all()
      .map((r) => r.id);
  }
}
