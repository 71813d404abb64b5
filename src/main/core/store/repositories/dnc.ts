import type { Db } from '../db';

/** Do-not-call numbers (E.164). Checked right before every dial. */
export class DncRepository {
  private readonly hasStmt;
  private readonly addStmt;
  constructor(private readonly db: Db) {
    this.hasStmt = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM dnc WHERE phone = ?');
    this.addStmt = db.prepare<[string, string, string | null, number]>(
      'INSERT OR IGNORE INTO dnc (phone, source, reason, created_at) VALUES (?, ?, ?, ?)',
    );
  }
  has(phone: string): boolean {
    return this.hasStmt.get(phone) !== undefined;
  }
  /** True when the number was not on the list before. */
  add(phone: string, source: string, reason: string | null, at: number): boolean {
    return this.addStmt.run(phone, source, reason, at).changes > 0;
  }
  remove(phone: string): boolean {
    return this.db.prepare<[string]>('DELETE FROM dnc WHERE phone = ?').run(phone).changes > 0;
  }
  list(limit: number): { phone: string; source: string; reason: string | null; createdAt: number }[] {
    return this.db
      .prepare<[number], { phone: string; source: string; reason: string | null; createdAt: number }>(
        'SELECT phone, source, reason, created_at AS createdAt FROM dnc ORDER BY created_at DESC LIMIT ?',
      )
      .all(limit);
  }
}
