import { prepareCached, type Db } from '../db';

export interface DncRow {
  phone: string;
  source: string;
  reason: string | null;
  createdAt: number;
}

/** Do-not-call numbers (E.164). Written only by the DNC service; read right before every dial. */
export class DncRepository {
  constructor(private readonly db: Db) {}
  has(phone: string): boolean {
    return (
      prepareCached<[string], { one: number }>(this.db, 'SELECT 1 AS one FROM dnc WHERE phone = ?').get(phone) !==
      undefined
    );
  }
  get(phone: string): Omit<DncRow, 'phone'> | undefined {
    return prepareCached<[string], Omit<DncRow, 'phone'>>(
      this.db,
      'SELECT source, reason, created_at AS createdAt FROM dnc WHERE phone = ?',
    ).get(phone);
  }
  count(): number {
    return prepareCached<[], { n: number }>(this.db, 'SELECT COUNT(*) AS n FROM dnc').get()!.n;
  }
  /** Every entry, iterated (imports check a whole file against the list in one scan). */
  all(): IterableIterator<DncRow> {
    return prepareCached<[], DncRow>(
      this.db,
      'SELECT phone, source, reason, created_at AS createdAt FROM dnc',
    ).iterate();
  }
  /** True when the number was not on the list before. */
  add(phone: string, source: string, reason: string | null, at: number): boolean {
    return (
      prepareCached<[string, string, string | null, number]>(
        this.db,
        'INSERT OR IGNORE INTO dnc (phone, source, reason, created_at) VALUES (?, ?, ?, ?)',
      ).run(phone, source, reason, at).changes > 0
    );
  }
  remove(phone: string): boolean {
    return prepareCached<[string]>(this.db, 'DELETE FROM dnc WHERE phone = ?').run(phone).changes > 0;
  }
  list(limit: number): DncRow[] {
    return prepareCached<[number], DncRow>(
      this.db,
      'SELECT phone, source, reason, created_at AS createdAt FROM dnc ORDER BY created_at DESC LIMIT ?',
    ).all(limit);
  }
}
