import { SheetRules, type SheetMapping } from '@shared/contract/sources';
import type { Clock, Logger, TimerHandle } from '../platform';
import type { ConnectionRow, OutboxRow, SourcesRepository } from '../store/repositories/sources';
import { tabRange, toSheetsError, type CellValue, type SheetsClient } from './google-sheets';
import { formatSheetTime } from './sheet-rules';
import { rowKey } from './sheet-sync';
import type { SheetValues } from './write-back';

// Write-back through a SQLite outbox: updates are stored first (so a restart loses nothing), merged per sheet row,
// and flushed one batchUpdate at a time per sheet, no more often than the connection's write interval, backing off
// exponentially on 429/5xx. The target row is found by key at flush time, never remembered by position.

/** Sheets accepts large batches, but a request body over a few MB is slow and fragile; long transcripts add up. */
const MAX_BATCH_CHARS = 2_000_000;
const MAX_BATCH_ROWS = 500;
const BACKOFF_BASE_MS = 2_000;
/**
 * Sheets' write quota is counted per minute, so a burst of 429s clears within a minute: retrying at least every 30 s
 * keeps the sheet at most about 30 s behind once quota returns (instead of minutes of exponential silence).
 */
export const BACKOFF_MAX_MS = 30_000;

export interface OutboxDeps {
  repo: SourcesRepository;
  clock: Clock;
  logger: Logger;
  client(conn: ConnectionRow): SheetsClient;
  /** A 400 on a range usually means the tab was renamed: look it up again by gid. */
  refreshTab(conn: ConnectionRow): Promise<void>;
  changed(connectionId: number): void;
}

interface FlushState {
  timer: TimerHandle | null;
  busy: Promise<void> | null;
  /** Earliest time of the next write request (write interval, or backoff after a failure). */
  notBefore: number;
  failures: number;
  /** Since when writes fail (the sheet is behind the console); null after a write succeeds. */
  behindSince: number | null;
}

export class SheetOutbox {
  private readonly states = new Map<number, FlushState>();
  private running = false;

  constructor(private readonly deps: OutboxDeps) {}

  /** Starts flushing whatever a previous run left pending. */
  start(): void {
    this.running = true;
    for (const id of this.deps.repo.connectionsWithPending()) this.schedule(id);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const s of this.states.values()) {
      if (s.timer) this.deps.clock.clearTimeout(s.timer);
      s.timer = null;
    }
    await this.idle();
  }

  enqueue(connectionId: number, key: string, values: SheetValues): void {
    this.deps.repo.enqueue(connectionId, key, JSON.stringify(values), this.deps.clock.now());
    this.schedule(connectionId);
    this.deps.changed(connectionId);
  }

  /** Writes now, ignoring the interval and any backoff (the user asked); one request at a time still. */
  async flushNow(connectionId: number): Promise<{ written: number; pending: number }> {
    const s = this.state(connectionId);
    if (s.busy) await s.busy;
    if (s.timer) this.deps.clock.clearTimeout(s.timer);
    s.timer = null;
    let written = 0;
    let failure: unknown = null;
    s.busy = this.flushOnce(connectionId).then(
      (n) => {
        written = n;
        this.succeeded(connectionId, s);
      },
      (err: unknown) => {
        failure = err;
        this.failed(connectionId, s, err);
      },
    );
    await s.busy;
    s.busy = null;
    if (this.running && this.deps.repo.pendingCount(connectionId) > 0) this.schedule(connectionId);
    if (failure) throw toSheetsError(failure);
    return { written, pending: this.deps.repo.pendingCount(connectionId) };
  }

  /** Resolves when no flush is in flight (tests and shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.states.values()].map((s) => s.busy).filter((b): b is Promise<void> => b !== null);
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }

  forget(connectionId: number): void {
    const s = this.states.get(connectionId);
    if (s?.timer) this.deps.clock.clearTimeout(s.timer);
    this.states.delete(connectionId);
  }

  schedule(connectionId: number): void {
    if (!this.running || this.deps.repo.connection(connectionId)?.paused !== 0) return;
    const s = this.state(connectionId);
    if (s.timer || s.busy) return; // the running or queued flush will see the new entries
    const delay = Math.max(0, s.notBefore - this.deps.clock.now());
    s.timer = this.deps.clock.setTimeout(() => {
      s.timer = null;
      s.busy = this.flushOnce(connectionId)
        .then(
          () => this.succeeded(connectionId, s),
          (err: unknown) => this.failed(connectionId, s, err),
        )
        .finally(() => {
          s.busy = null;
          if (this.running && this.deps.repo.pendingCount(connectionId) > 0) this.schedule(connectionId);
        });
    }, delay);
    s.timer.unref?.();
  }

  private state(connectionId: number): FlushState {
    let s = this.states.get(connectionId);
    if (!s) {
      s = { timer: null, busy: null, notBefore: 0, failures: 0, behindSince: null };
      this.states.set(connectionId, s);
    }
    return s;
  }

  /** Since when call progress waits because Google refuses the writes, while it does and something is pending. */
  behindSince(connectionId: number): number | null {
    const since = this.states.get(connectionId)?.behindSince ?? null;
    return since !== null && this.deps.repo.pendingCount(connectionId) > 0 ? since : null;
  }

  private succeeded(connectionId: number, s: FlushState): void {
    s.failures = 0;
    s.behindSince = null;
    const conn = this.deps.repo.connection(connectionId);
    s.notBefore = this.deps.clock.now() + (conn?.write_interval_ms ?? 1000);
    this.deps.changed(connectionId);
  }

  private failed(connectionId: number, s: FlushState, err: unknown): void {
    const error = toSheetsError(err);
    s.failures++;
    s.behindSince ??= this.deps.clock.now();
    // Permanent errors (403 not shared, 404 deleted) will not fix themselves quickly: wait at least a minute.
    const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (s.failures - 1));
    s.notBefore = this.deps.clock.now() + (error.transient ? backoff : Math.max(backoff, 60_000));
    const now = this.deps.clock.now();
    this.deps.repo.recordError(connectionId, `Writing to the sheet failed: ${error.message}`, now);
    this.deps.logger.log('warn', 'sources', 'sheet write failed', {
      connectionId,
      status: error.status,
      failures: s.failures,
    });
    this.deps.changed(connectionId);
  }

  /** One batchUpdate for up to MAX_BATCH_ROWS pending rows. Returns how many rows were written. */
  private async flushOnce(connectionId: number): Promise<number> {
    const { repo, clock } = this.deps;
    const conn = repo.connection(connectionId);
    if (!conn || conn.paused) return 0;
    const entries = takeBatch(repo.pending(connectionId, MAX_BATCH_ROWS));
    if (entries.length === 0) return 0;
    const client = this.deps.client(conn);
    const mapping = JSON.parse(conn.mapping_json) as SheetMapping;
    const rules = SheetRules.parse(JSON.parse(conn.rules_json));
    const keyColumn = (conn.key_kind === 'id' ? mapping.id : mapping.phone)!;
    let keys: CellValue[][];
    try {
      keys = await client.read(conn.spreadsheet_id, tabRange(conn.sheet_title, `${keyColumn}:${keyColumn}`));
    } catch (err) {
      const e = toSheetsError(err);
      if (e.status === 400) await this.deps.refreshTab(conn).catch(() => undefined);
      throw e;
    }
    const rowOf = new Map<string, number>();
    keys.forEach((cells, i) => {
      if (i === 0) return; // header
      const key = rowKey(cells[0], conn.key_kind, conn.default_country);
      if (key && !rowOf.has(key)) rowOf.set(key, i + 1);
    });

    const data: { range: string; values: CellValue[][] }[] = [];
    const written: OutboxRow[] = [];
    const dropped: OutboxRow[] = [];
    for (const entry of entries) {
      const row = rowOf.get(entry.row_key);
      if (!row) {
        dropped.push(entry);
        continue;
      }
      const values = JSON.parse(entry.values_json) as SheetValues;
      for (const [field, value] of Object.entries(values) as [keyof SheetValues, CellValue][]) {
        const column = mapping[field];
        // Times are kept as instants until now, so they are written in the sheet's zone as it is set today.
        const cell =
          field === 'lastAttempt' && typeof value === 'number'
            ? formatSheetTime(value, conn.time_zone ?? 'UTC', rules.timeFormat)
            : value;
        if (column) data.push({ range: tabRange(conn.sheet_title, `${column}${row}`), values: [[cell]] });
      }
      written.push(entry);
    }
    try {
      if (data.length > 0) await client.write(conn.spreadsheet_id, data);
    } catch (err) {
      const e = toSheetsError(err);
      repo.markAttempt(
        entries.map((x) => x.id),
        e.message,
      );
      if (e.status === 400) await this.deps.refreshTab(conn).catch(() => undefined);
      throw e;
    }
    const now = clock.now();
    repo.transaction(() => {
      for (const entry of [...written, ...dropped]) repo.removeWritten(entry.id, entry.version);
      repo.recordWrite(connectionId, dropped.length, now);
    });
    if (dropped.length > 0) {
      this.deps.logger.log('warn', 'sources', 'updates for rows no longer in the sheet were dropped', {
        connectionId,
        count: dropped.length,
      });
    }
    return written.length;
  }
}

function takeBatch(rows: OutboxRow[]): OutboxRow[] {
  const out: OutboxRow[] = [];
  let chars = 0;
  for (const row of rows) {
    if (out.length > 0 && chars + row.values_json.length > MAX_BATCH_CHARS) break;
    out.push(row);
    chars += row.values_json.length;
  }
  return out;
}
