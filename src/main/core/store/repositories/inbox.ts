import type { Db } from '../db';

export type InboxState = 'pending' | 'processed' | 'rejected' | 'unknown_call' | 'error';

export interface InboxDelivery {
  provider: string;
  receivedAt: number;
  method: string;
  /** Route without the path secret (/hooks/<provider>): the secret never lands in the database. */
  path: string;
  query: string | null;
  headers: Record<string, string>;
  body: Buffer;
}

export interface InboxRow extends InboxDelivery {
  id: number;
  state: InboxState;
  error: string | null;
  processedAt: number | null;
}

interface RawRow {
  id: number;
  provider: string;
  received_at: number;
  method: string;
  path: string;
  query: string | null;
  headers_json: string;
  body: Buffer;
  state: InboxState;
  error: string | null;
  processed_at: number | null;
}

const COLUMNS = 'id, provider, received_at, method, path, query, headers_json, body, state, error, processed_at';

function toRow(r: RawRow): InboxRow {
  return {
    id: r.id,
    provider: r.provider,
    receivedAt: r.received_at,
    method: r.method,
    path: r.path,
    query: r.query,
    headers: JSON.parse(r.headers_json) as Record<string, string>,
    body: r.body,
    state: r.state,
    error: r.error,
    processedAt: r.processed_at,
  };
}

/** webhook_inbox: every delivery as received, written before the provider gets its 2xx. */
export class InboxRepository {
  private readonly insertStmt;
  private readonly markStmt;
  private readonly byStateStmt;
  private readonly unknownSinceStmt;
  private readonly countsStmt;
  private readonly lastStmt;
  private readonly getStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare<
      [string, number, string, string, string | null, string, Buffer, InboxState, string | null]
    >(
      `INSERT INTO webhook_inbox (provider, received_at, method, path, query, headers_json, body, state, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.markStmt = db.prepare<[InboxState, string | null, number, number]>(
      'UPDATE webhook_inbox SET state = ?, error = ?, processed_at = ? WHERE id = ?',
    );
    this.byStateStmt = db.prepare<[InboxState, number, number], RawRow>(
      `SELECT ${COLUMNS} FROM webhook_inbox WHERE state = ? AND id > ? ORDER BY id LIMIT ?`,
    );
    this.unknownSinceStmt = db.prepare<[number, number, number], RawRow>(
      `SELECT ${COLUMNS} FROM webhook_inbox WHERE state = 'unknown_call' AND id > ? AND received_at >= ? ORDER BY id LIMIT ?`,
    );
    this.countsStmt = db.prepare<[], { state: InboxState; n: number }>(
      'SELECT state, count(*) AS n FROM webhook_inbox GROUP BY state',
    );
    this.lastStmt = db.prepare<[], { received_at: number }>(
      'SELECT received_at FROM webhook_inbox ORDER BY id DESC LIMIT 1',
    );
    this.getStmt = db.prepare<[number], RawRow>(`SELECT ${COLUMNS} FROM webhook_inbox WHERE id = ?`);
  }

  /** Returns the new row id. `state` is 'pending' for deliveries still to apply. */
  insert(d: InboxDelivery, state: InboxState = 'pending', error: string | null = null): number {
    const info = this.insertStmt.run(
      d.provider,
      d.receivedAt,
      d.method,
      d.path,
      d.query,
      JSON.stringify(d.headers),
      d.body,
      state,
      error,
    );
    return Number(info.lastInsertRowid);
  }

  mark(id: number, state: InboxState, error: string | null, at: number): void {
    this.markStmt.run(state, error, at, id);
  }

  /** Oldest first (paged by id), so deliveries are re-applied in the order they arrived. */
  withState(state: InboxState, afterId: number, limit: number): InboxRow[] {
    return this.byStateStmt.all(state, afterId, limit).map(toRow);
  }

  /** 'unknown_call' rows received at or after `since`, oldest first, paged by id. */
  unknownSince(since: number, afterId: number, limit: number): InboxRow[] {
    return this.unknownSinceStmt.all(afterId, since, limit).map(toRow);
  }

  countsByState(): Partial<Record<InboxState, number>> {
    const out: Partial<Record<InboxState, number>> = {};
    for (const r of this.countsStmt.all()) out[r.state] = r.n;
    return out;
  }

  lastReceivedAt(): number | null {
    return this.lastStmt.get()?.received_at ?? null;
  }

  get(id: number): InboxRow | undefined {
    const row = this.getStmt.get(id);
    return row ? toRow(row) : undefined;
  }
}
