import type { ContactList } from '@shared/domain';
import type { Db } from '../db';

interface ListRow {
  id: number;
  name: string;
  source_kind: 'manual' | 'file' | 'google_sheet';
  source_ref: string | null;
  created_at: number;
  contact_count: number;
}

const SELECT = `SELECT l.*, (SELECT COUNT(*) FROM contacts c WHERE c.list_id = l.id) AS contact_count FROM lists l`;

const toList = (r: ListRow): ContactList => ({
  id: r.id,
  name: r.name,
  sourceKind: r.source_kind,
  sourceRef: r.source_ref,
  contactCount: r.contact_count,
  createdAt: r.created_at,
});

export class ListsRepository {
  constructor(private readonly db: Db) {}
  all(): ContactList[] {
    return this.db.prepare<[], ListRow>(`${SELECT} ORDER BY l.created_at DESC, l.id DESC`).all().map(toList);
  }
  get(id: number): ContactList | undefined {
    const row = this.db.prepare<[number], ListRow>(`${SELECT} WHERE l.id = ?`).get(id);
    return row ? toList(row) : undefined;
  }
  /** The newest list with this name. */
  byName(name: string): ContactList | undefined {
    const row = this.db
      .prepare<[string], ListRow>(`${SELECT} WHERE l.name = ? ORDER BY l.created_at DESC, l.id DESC LIMIT 1`)
      .get(name);
    return row ? toList(row) : undefined;
  }
  create(name: string, sourceKind: ListRow['source_kind'], sourceRef: string | null, at: number): number {
    return Number(
      this.db
        .prepare('INSERT INTO lists (name, source_kind, source_ref, created_at) VALUES (?, ?, ?, ?)')
        .run(name, sourceKind, sourceRef, at).lastInsertRowid,
    );
  }
  /** The original file a list's outcomes are written into when a campaign on it completes (null: not asked). */
  writeBackPath(id: number): string | null {
    return (
      this.db.prepare<[number], { p: string | null }>('SELECT write_back_path AS p FROM lists WHERE id = ?').get(id)
        ?.p ?? null
    );
  }
  setWriteBackPath(id: number, path: string | null): void {
    this.db.prepare('UPDATE lists SET write_back_path = ? WHERE id = ?').run(path, id);
  }
  rename(id: number, name: string): boolean {
    return this.db.prepare('UPDATE lists SET name = ? WHERE id = ?').run(name, id).changes > 0;
  }
  delete(id: number): number {
    const count =
      this.db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM contacts WHERE list_id = ?').get(id)?.n ?? 0;
    this.db.prepare('DELETE FROM lists WHERE id = ?').run(id);
    return count;
  }
}
