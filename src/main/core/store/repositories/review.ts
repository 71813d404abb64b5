import { prepareCached, type Db } from '../db';

export type ReviewState = 'open' | 'attached' | 'dismissed';

export interface ReviewItemRow {
  id: number;
  provider: string;
  inboxId: number | null;
  kind: string;
  reason: string;
  receivedAt: number;
  raw: string;
  eventJson: string;
  state: ReviewState;
  callId: number | null;
  resolvedAt: number | null;
}

const COLUMNS = `id, provider, inbox_id AS inboxId, kind, reason, received_at AS receivedAt, raw, event_json AS eventJson,
  state, call_id AS callId, resolved_at AS resolvedAt`;

/** review_items: provider events no call could be found for with certainty, waiting for a person. */
export class ReviewRepository {
  constructor(private readonly db: Db) {}

  /** Once per inbox delivery: a delivery applied again (after a restart) keeps its one item. Returns the item id. */
  file(item: {
    provider: string;
    inboxId: number | null;
    kind: string;
    reason: string;
    receivedAt: number;
    raw: string;
    eventJson: string;
  }): { id: number; created: boolean } {
    if (item.inboxId !== null) {
      const existing = prepareCached<[number], { id: number }>(
        this.db,
        'SELECT id FROM review_items WHERE inbox_id = ?',
      ).get(item.inboxId);
      if (existing) return { id: existing.id, created: false };
    }
    const id = prepareCached(
      this.db,
      `INSERT INTO review_items (provider, inbox_id, kind, reason, received_at, raw, event_json)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(item.provider, item.inboxId, item.kind, item.reason, item.receivedAt, item.raw, item.eventJson)
      .lastInsertRowid as number;
    return { id: Number(id), created: true };
  }

  get(id: number): ReviewItemRow | undefined {
    return prepareCached<[number], ReviewItemRow>(this.db, `SELECT ${COLUMNS} FROM review_items WHERE id = ?`).get(id);
  }

  list(states: ReviewState[], limit: number): ReviewItemRow[] {
    return prepareCached<[string, number], ReviewItemRow>(
      this.db,
      `SELECT ${COLUMNS} FROM review_items WHERE state IN (SELECT value FROM json_each(?))
        ORDER BY received_at DESC, id DESC LIMIT ?`,
    ).all(JSON.stringify(states), limit);
  }

  countOpen(): number {
    return prepareCached<[], { n: number }>(
      this.db,
      "SELECT COUNT(*) AS n FROM review_items WHERE state = 'open'",
    ).get()!.n;
  }

  /** Moves an open item to attached or dismissed; false when it was no longer open. */
  resolve(id: number, state: 'attached' | 'dismissed', callId: number | null, at: number): boolean {
    return (
      prepareCached<[string, number | null, number, number]>(
        this.db,
        "UPDATE review_items SET state = ?, call_id = ?, resolved_at = ? WHERE id = ? AND state = 'open'",
      ).run(state, callId, at, id).changes > 0
    );
  }
}
