import { randomBytes } from 'node:crypto';
import {
  OUTPUT_FIELDS,
  SHEET_FIELD_HEADERS,
  SEED_SHEET_MAPPING,
  SheetRejectedRow,
  SheetRules,
  type GoogleCredential,
  type SheetConnection,
  type SheetField,
  type SheetMapping,
  type SheetSyncResult,
} from '@shared/contract/sources';
import type { Call } from '@shared/domain';
import type { EventBus } from '../bus';
import type { ContactWriter } from '../contacts/writer';
import { CampaignEnqueuer } from '../dialer/enqueue';
import type { Platform, TimerHandle } from '../platform';
import type { SecretStore, SettingsService } from '../settings/settings';
import type { Db } from '../store/db';
import { SourcesRepository, type ConnectionRow, type CredentialRow } from '../store/repositories/sources';
import {
  columnIndex,
  columnLetter,
  createAuthClient,
  parseJsonFile,
  parseSheetUrl,
  ServiceAccountKey,
  SheetsClient,
  SheetsInputError,
  sheetUrl,
  StoredCredential,
  tabRange,
  toSheetsError,
  type CellValue,
  type GoogleEndpoints,
  type TabInfo,
} from './google-sheets';
import { OAuthFlows } from './google-oauth';
import { SheetOutbox } from './outbox';
import { applySheet, missingColumns, parseSheet, widthNeeded } from './sheet-sync';
import { callValues, fitCell, transcriptText } from './write-back';

// Google Sheets as a live contact source: connect, read on a schedule and on demand, write call progress back.

export interface SourcesOptions {
  db: Db;
  bus: EventBus;
  platform: Platform;
  settings: SettingsService;
  secrets: SecretStore;
  /** Sheet rows become contacts through the one contact writer (normalised, checked against do-not-call). */
  writer: ContactWriter;
  endpoints?: GoogleEndpoints;
  /** Minimum gap between two write requests to one sheet (Sheets allows about 60 writes a minute per user). */
  writeIntervalMs?: number;
  /** Rows new to a campaign's queue arrived from a sheet (the dialer should look again). */
  onQueued?: () => void;
}

export interface ConnectInput {
  url: string;
  credentialId: number;
  gid?: number;
  listName?: string;
  mapping: SheetMapping;
  keyKind: 'phone' | 'id';
  addMissingColumns: boolean;
  defaultCountry?: string;
  pollIntervalMs: number;
  rules: SheetRules;
}

const HEADER_PATTERNS: [SheetField, RegExp][] = [
  ['id', /^console id$/i],
  ['phone', /phone|mobile|contact number|^number$/i],
  ['executionId', /execution|call id/i],
  ['lastAttempt', /attempt/i],
  ['name', /^(customer |full )?name$/i],
  ['status', /^status$/i],
  ['duration', /duration/i],
  ['notes', /^notes?$/i],
  ['transcript', /transcript/i],
  ['summary', /summary/i],
];

export class SheetSources {
  readonly repo: SourcesRepository;
  readonly outbox: SheetOutbox;
  /** New rows join their list's campaigns through the dialer's one enqueue path (same rules as every other door). */
  private readonly enqueuer: CampaignEnqueuer;
  private readonly oauth: OAuthFlows<GoogleCredential>;
  private readonly clients = new Map<number, SheetsClient>();
  private readonly polls = new Map<number, TimerHandle>();
  private readonly syncing = new Map<number, Promise<SheetSyncResult>>();
  private readonly endpoints: GoogleEndpoints;
  private unsubscribe: (() => void) | null = null;
  private running = false;

  constructor(private readonly o: SourcesOptions) {
    this.repo = new SourcesRepository(o.db);
    this.enqueuer = new CampaignEnqueuer(o.db);
    this.endpoints = o.endpoints ?? {};
    this.outbox = new SheetOutbox({
      repo: this.repo,
      clock: o.platform.clock,
      logger: o.platform.logger,
      client: (conn) => this.client(conn.credential_id),
      refreshTab: (conn) => this.refreshTab(conn).then(() => undefined),
      changed: (id) => this.publish(id),
    });
    this.oauth = new OAuthFlows({
      endpoints: this.endpoints,
      clock: o.platform.clock,
      onGrant: (g) => this.saveCredential({ kind: 'oauth', ...g }, g.clientId),
    });
    // Write-back is recorded from the first call event, started or not; only the flushing waits for start().
    this.unsubscribe = o.bus.subscribe((event) => {
      if (event.type === 'call.updated') this.onCall(event.payload);
      else if (event.type === 'call.transcript') this.onTranscript(event.payload.callId);
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.outbox.start();
    for (const c of this.repo.connections()) if (!c.paused) this.schedulePoll(c.id, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const t of this.polls.values()) this.o.platform.clock.clearTimeout(t);
    this.polls.clear();
    await this.oauth.stop();
    await this.outbox.stop();
    await this.idle();
  }

  /** Resolves when no read or write is in flight. */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.syncing.values()];
      if (busy.length === 0) break;
      await Promise.allSettled(busy);
    }
    await this.outbox.idle();
  }

  // ── credentials ──
  addServiceAccount(content: string): GoogleCredential {
    const key = parseJsonFile(content, ServiceAccountKey, 'service-account key file');
    return this.saveCredential({ kind: 'service_account', key }, key.client_email);
  }

  oauthStart(clientJson: string): Promise<{ flowId: string; authUrl: string; redirectUri: string }> {
    return this.oauth.start(clientJson);
  }

  oauthStatus(flowId: string): {
    state: 'waiting' | 'done' | 'failed';
    credential: GoogleCredential | null;
    error: string | null;
  } {
    const s = this.oauth.status(flowId);
    if (!s) throw new SheetsInputError('That sign-in is unknown or has expired; start again.');
    return { state: s.state, credential: s.result, error: s.error };
  }

  credentials(): GoogleCredential[] {
    return this.repo.credentials().map(credentialView);
  }

  // ── connections ──
  async inspect(url: string, credentialId: number, gid?: number) {
    const { spreadsheetId, gid: urlGid } = parseSheetUrl(url);
    const client = this.client(credentialId);
    const sheet = await client.describe(spreadsheetId);
    const tab = pickTab(sheet.tabs, gid ?? urlGid);
    const header = (await client.read(spreadsheetId, headerRange(tab)))[0] ?? [];
    const suggestedMapping = suggestMapping(header.map(String));
    return {
      spreadsheetId,
      title: sheet.title,
      tabs: sheet.tabs,
      gid: tab.gid,
      header: header.map(String),
      suggestedMapping,
      missingColumns: missingColumns(header, suggestedMapping, OUTPUT_FIELDS).map((m) => ({
        ...m,
        header: SHEET_FIELD_HEADERS[m.field],
      })),
    };
  }

  async connect(input: ConnectInput): Promise<{ connection: SheetConnection; sync: SheetSyncResult }> {
    const { spreadsheetId, gid: urlGid } = parseSheetUrl(input.url);
    const client = this.client(input.credentialId);
    const sheet = await client.describe(spreadsheetId);
    const tab = pickTab(sheet.tabs, input.gid ?? urlGid);
    const mapping: SheetMapping = { ...input.mapping };
    if (input.keyKind === 'id' && !mapping.id) mapping.id = columnLetter(widthNeeded(mapping));
    const header = (await client.read(spreadsheetId, headerRange(tab)))[0] ?? [];
    const missing = missingColumns(header, mapping, input.keyKind === 'id' ? [...OUTPUT_FIELDS, 'id'] : OUTPUT_FIELDS);
    if (missing.length > 0 && input.addMissingColumns) {
      const width = widthNeeded(mapping);
      if (tab.columnCount < width) await client.appendColumns(spreadsheetId, tab.gid, width - tab.columnCount);
      await client.write(
        spreadsheetId,
        missing.map((m) => ({ range: tabRange(tab.title, `${m.column}1`), values: [[SHEET_FIELD_HEADERS[m.field]]] })),
      );
    } else if (missing.length > 0) {
      if (missing.some((m) => m.field === 'id')) {
        throw new SheetsInputError(
          `Matching rows by id needs an id column (${mapping.id}), which the sheet does not have yet. Allow the console to add it, or match rows by phone.`,
        );
      }
      // Without consent the console writes only into columns the sheet already has.
      for (const m of missing) delete mapping[m.field];
    }

    const now = this.o.platform.clock.now();
    const row = this.repo.transaction(() => {
      const listId = this.repo.createList(
        input.listName ?? `${sheet.title} – ${tab.title}`,
        sheetUrl(spreadsheetId, tab.gid),
        now,
      );
      return this.repo.insertConnection(
        {
          list_id: listId,
          credential_id: input.credentialId,
          spreadsheet_id: spreadsheetId,
          spreadsheet_title: sheet.title,
          sheet_gid: tab.gid,
          sheet_title: tab.title,
          mapping_json: JSON.stringify(mapping),
          key_kind: input.keyKind,
          default_country: (input.defaultCountry ?? this.o.settings.get('defaultCountry')).toUpperCase(),
          poll_interval_ms: input.pollIntervalMs,
          write_interval_ms: this.o.writeIntervalMs ?? 2_000,
          time_zone: sheet.timeZone,
          rules_json: JSON.stringify(input.rules),
        },
        now,
      );
    });
    let sync: SheetSyncResult;
    try {
      sync = await this.sync(row.id);
    } catch (err) {
      this.repo.deleteConnectionAndList(row.id, row.list_id);
      throw err;
    }
    if (this.running) this.schedulePoll(row.id, row.poll_interval_ms);
    return { connection: this.view(this.repo.connection(row.id)!), sync };
  }

  list(): SheetConnection[] {
    return this.repo.connections().map((c) => this.view(c));
  }

  get(id: number): SheetConnection {
    return this.view(this.connection(id));
  }

  /** Reads the sheet now (waits for a read already in flight, then reads again so edits made meanwhile count). */
  sync(id: number): Promise<SheetSyncResult> {
    const previous = this.syncing.get(id) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => this.readAndApply(id))
      .finally(() => {
        if (this.syncing.get(id) === run) this.syncing.delete(id);
      });
    this.syncing.set(id, run);
    return run;
  }

  flush(id: number): Promise<{ written: number; pending: number }> {
    this.connection(id);
    return this.outbox.flushNow(id);
  }

  setPaused(id: number, paused: boolean): SheetConnection {
    this.connection(id);
    this.repo.setPaused(id, paused, this.o.platform.clock.now());
    const timer = this.polls.get(id);
    if (timer) this.o.platform.clock.clearTimeout(timer);
    this.polls.delete(id);
    if (!paused && this.running) {
      this.schedulePoll(id, 0);
      this.outbox.schedule(id);
    }
    this.publish(id);
    return this.get(id);
  }

  async disconnect(id: number): Promise<void> {
    this.connection(id);
    const timer = this.polls.get(id);
    if (timer) this.o.platform.clock.clearTimeout(timer);
    this.polls.delete(id);
    await this.syncing.get(id)?.catch(() => undefined);
    await this.outbox.idle();
    this.outbox.forget(id);
    this.repo.deleteConnection(id);
  }

  // ── internals ──
  private connection(id: number): ConnectionRow {
    const row = this.repo.connection(id);
    if (!row) throw new SheetsInputError(`Sheet connection ${id} does not exist (it may have been disconnected).`);
    return row;
  }

  private saveCredential(credential: StoredCredential, account: string): GoogleCredential {
    const secretName = `google.credential.${randomBytes(9).toString('base64url')}`;
    this.o.secrets.set(secretName, JSON.stringify(credential));
    return credentialView(
      this.repo.insertCredential(credential.kind, account, secretName, this.o.platform.clock.now()),
    );
  }

  private client(credentialId: number): SheetsClient {
    const cached = this.clients.get(credentialId);
    if (cached) return cached;
    const row = this.repo.credential(credentialId);
    const secret = row ? this.o.secrets.get(row.secret_name) : undefined;
    if (!secret)
      throw new SheetsInputError(`Google credential ${credentialId} is missing; add the key file or sign in again.`);
    const credential = StoredCredential.parse(JSON.parse(secret));
    const client = new SheetsClient(() => createAuthClient(credential, this.endpoints), this.endpoints);
    this.clients.set(credentialId, client);
    return client;
  }

  /** Finds the tab by gid (it may have been renamed) and stores its current title. */
  private async refreshTab(conn: ConnectionRow): Promise<TabInfo> {
    const sheet = await this.client(conn.credential_id).describe(conn.spreadsheet_id);
    const tab = sheet.tabs.find((t) => t.gid === conn.sheet_gid);
    if (!tab)
      throw new SheetsInputError(
        `The tab "${conn.sheet_title}" was deleted from "${sheet.title}". Reconnect the sheet and pick a tab.`,
      );
    if (tab.title !== conn.sheet_title || sheet.title !== conn.spreadsheet_title || sheet.timeZone !== conn.time_zone) {
      this.repo.setTab(conn.id, sheet.title, tab.title, sheet.timeZone, this.o.platform.clock.now());
    }
    return tab;
  }

  private async readAndApply(id: number): Promise<SheetSyncResult> {
    let conn = this.connection(id);
    try {
      const client = this.client(conn.credential_id);
      await this.refreshTab(conn);
      conn = this.connection(id);
      const mapping = JSON.parse(conn.mapping_json) as SheetMapping;
      const values = await client.read(conn.spreadsheet_id, tabRange(conn.sheet_title));
      const parsed = parseSheet(values, mapping, conn.key_kind, conn.default_country, conn.time_zone ?? 'UTC');
      // New rows get their id in the sheet before they become contacts, so a failed write cannot orphan them.
      if (parsed.missingIds.length > 0) {
        await client.write(
          conn.spreadsheet_id,
          parsed.missingIds.map((m) => ({
            range: tabRange(conn.sheet_title, `${mapping.id}${m.row}`),
            values: [[m.id] as CellValue[]],
          })),
        );
      }
      const now = this.o.platform.clock.now();
      const { queued, stale, ...result } = applySheet(this.repo, this.o.writer, this.enqueuer, conn, parsed, now);
      // A row left initiating … answered with no news for longer than a live call lasts is cleaned up in the sheet.
      for (const r of stale) {
        this.outbox.enqueue(conn.id, r.key, {
          status: 'failed',
          notes: `no update since the attempt at the Last Attempt Time; marked failed by the console so it can be retried`,
        });
      }
      this.repo.recordRead(id, parsed.rows.length, JSON.stringify(result.rejected.slice(0, 200)), now);
      if (result.added + result.updated + result.removed > 0)
        this.o.bus.publish('lists.changed', { listId: conn.list_id });
      if (queued > 0) this.o.onQueued?.();
      this.publish(id);
      return result;
    } catch (err) {
      const message =
        err instanceof SheetsInputError ? err.message : `Reading the sheet failed: ${toSheetsError(err).message}`;
      if (this.repo.connection(id)) {
        this.repo.recordError(id, message, this.o.platform.clock.now());
        this.publish(id);
      }
      throw err instanceof SheetsInputError ? err : toSheetsError(err);
    }
  }

  private schedulePoll(id: number, delay: number): void {
    const clock = this.o.platform.clock;
    const existing = this.polls.get(id);
    if (existing) clock.clearTimeout(existing);
    const timer = clock.setTimeout(() => {
      this.polls.delete(id);
      const conn = this.repo.connection(id);
      if (!conn || conn.paused || !this.running) return;
      this.sync(id)
        .catch((err: unknown) =>
          this.o.platform.logger.log('warn', 'sources', 'scheduled sheet read failed', { id, error: String(err) }),
        )
        .finally(() => {
          const still = this.repo.connection(id);
          if (still && !still.paused && this.running && !this.polls.has(id))
            this.schedulePoll(id, still.poll_interval_ms);
        });
    }, delay);
    timer.unref?.();
    this.polls.set(id, timer);
  }

  private onCall(call: Call): void {
    if (call.contactId === null) return;
    const target = this.repo.writeTarget(call.contactId);
    if (!target) return;
    const transcript = call.status === 'ended' ? transcriptText(this.repo.transcriptTurns(call.id)) : '';
    const values = callValues(call, transcript || null);
    // What the row will show once written: the dialer's check before the next dial reads this, not a stale read.
    this.repo.setSourceState(call.contactId, String(values.status), call.startedAt ?? call.createdAt);
    this.outbox.enqueue(target.connectionId, target.rowKey, values);
  }

  private onTranscript(callId: number): void {
    const contactId = this.repo.callContact(callId);
    const target = contactId === null ? undefined : this.repo.writeTarget(contactId);
    if (!target) return;
    const transcript = transcriptText(this.repo.transcriptTurns(callId));
    if (transcript) this.outbox.enqueue(target.connectionId, target.rowKey, { transcript: fitCell(transcript) });
  }

  private publish(id: number): void {
    const row = this.repo.connection(id);
    if (row) this.o.bus.publish('source.updated', this.view(row));
  }

  private view(c: ConnectionRow): SheetConnection {
    return {
      id: c.id,
      listId: c.list_id,
      credentialId: c.credential_id,
      spreadsheetId: c.spreadsheet_id,
      spreadsheetTitle: c.spreadsheet_title,
      sheetGid: c.sheet_gid,
      sheetTitle: c.sheet_title,
      url: sheetUrl(c.spreadsheet_id, c.sheet_gid),
      mapping: JSON.parse(c.mapping_json) as SheetMapping,
      keyKind: c.key_kind,
      defaultCountry: c.default_country,
      pollIntervalMs: c.poll_interval_ms,
      paused: c.paused === 1,
      rules: SheetRules.parse(JSON.parse(c.rules_json)),
      timeZone: c.time_zone,
      health: {
        lastReadAt: c.last_read_at,
        lastWriteAt: c.last_write_at,
        pendingWrites: this.repo.pendingCount(c.id),
        lastError: c.last_error,
        lastErrorAt: c.last_error_at,
        rowsSeen: c.rows_seen,
        rejected: SheetRejectedRow.array().parse(JSON.parse(c.rejected_json)),
        droppedWrites: c.dropped_writes,
        behindSince: this.outbox.behindSince(c.id),
      },
    };
  }
}

function credentialView(r: CredentialRow): GoogleCredential {
  return { id: r.id, kind: r.kind, account: r.account, createdAt: r.created_at };
}

function pickTab(tabs: TabInfo[], gid: number | null | undefined): TabInfo {
  if (tabs.length === 0) throw new SheetsInputError('The spreadsheet has no tabs.');
  if (gid === null || gid === undefined) return tabs[0];
  const tab = tabs.find((t) => t.gid === gid);
  if (!tab)
    throw new SheetsInputError(
      `The spreadsheet has no tab with gid ${gid}; pick one of: ${tabs.map((t) => t.title).join(', ')}.`,
    );
  return tab;
}

function headerRange(tab: TabInfo): string {
  return tabRange(tab.title, `A1:${columnLetter(Math.max(tab.columnCount, 1) - 1)}1`);
}

/** Mapping from header names; the default A–I layout when the phone column cannot be recognised. */
export function suggestMapping(header: string[]): SheetMapping {
  const found: SheetMapping = {};
  header.forEach((h, i) => {
    const match = HEADER_PATTERNS.find(([field, re]) => found[field] === undefined && re.test(h.trim()));
    if (match) found[match[0]] = columnLetter(i);
  });
  if (!found.phone) return { ...SEED_SHEET_MAPPING };
  let next = Math.max(header.length, ...Object.values(found).map((c) => columnIndex(c!) + 1));
  for (const f of OUTPUT_FIELDS) if (!found[f]) found[f] = columnLetter(next++);
  return found;
}
