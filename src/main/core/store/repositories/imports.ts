import type { Db } from '../db';

export interface ImportRecordInput {
  listId: number | null;
  fileName: string;
  sheet: string | null;
  mapping: Record<string, string>;
  defaultCountry: string | null;
  accepted: number;
  duplicates: number;
  rejected: unknown[];
  rejectedCount: number;
  state: 'completed' | 'failed' | 'cancelled';
  error: string | null;
  at: number;
}

export interface ImportRow {
  id: number;
  list_id: number | null;
  file_name: string;
  sheet: string | null;
  mapping_json: string;
  default_country: string | null;
  accepted: number;
  duplicates: number;
  rejected_count: number;
  rejected_json: string;
  state: 'completed' | 'failed' | 'cancelled';
  error: string | null;
  created_at: number;
}

export type ImportListRow = Omit<ImportRow, 'mapping_json' | 'rejected_json' | 'default_country'>;

/** The import history: one row per attempted import, with its mapping, counts and every rejected row. */
export class ImportsRepository {
  constructor(private readonly db: Db) {}
  insert(r: ImportRecordInput): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO imports (list_id, file_name, sheet, mapping_json, default_country, accepted, duplicates, rejected_count,
             rejected_json, state, error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.listId,
          r.fileName,
          r.sheet,
          JSON.stringify(r.mapping),
          r.defaultCountry,
          r.accepted,
          r.duplicates,
          r.rejectedCount,
          JSON.stringify(r.rejected),
          r.state,
          r.error,
          r.at,
        ).lastInsertRowid,
    );
  }
  list(listId: number | undefined, limit: number): ImportListRow[] {
    const cols = 'id, list_id, file_name, sheet, accepted, duplicates, rejected_count, state, error, created_at';
    return listId === undefined
      ? this.db.prepare<[number], ImportListRow>(`SELECT ${cols} FROM imports ORDER BY id DESC LIMIT ?`).all(limit)
      : this.db
          .prepare<[number, number], ImportListRow>(
            `SELECT ${cols} FROM imports WHERE list_id = ? ORDER BY id DESC LIMIT ?`,
          )
          .all(listId, limit);
  }
  get(id: number): ImportRow | undefined {
    return this.db.prepare<[number], ImportRow>('SELECT * FROM imports WHERE id = ?').get(id);
  }
}
