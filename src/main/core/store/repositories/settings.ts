import type { Db } from '../db';

/** Key → JSON value store for app settings. */
export class SettingsRepository {
  private readonly getStmt;
  private readonly setStmt;
  constructor(db: Db) {
    this.getStmt = db.prepare<[string], { value_json: string }>('SELECT value_json FROM settings WHERE key = ?');
    this.setStmt = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json',
    );
  }
  get(key: string): unknown {
    const row = this.getStmt.get(key);
    return row ? (JSON.parse(row.value_json) as unknown) : undefined;
  }
  set(key: string, value: unknown): void {
    this.setStmt.run(key, JSON.stringify(value));
  }
}

export class SecretsRepository {
  constructor(private readonly db: Db) {}
  get(name: string): Buffer | undefined {
    const row = this.db.prepare<[string], { cipher: Buffer }>('SELECT cipher FROM secrets WHERE name = ?').get(name);
    return row?.cipher;
  }
  set(name: string, cipher: Buffer, at: number): void {
    this.db
      .prepare(
        'INSERT INTO secrets (name, cipher, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET cipher = excluded.cipher, updated_at = excluded.updated_at',
      )
      .run(name, cipher, at);
  }
  delete(name: string): void {
    this.db.prepare('DELETE FROM secrets WHERE name = ?').run(name);
  }
  names(): string[] {
    return this.db
      .prepare<[], { name: string }>('SELECT name FROM secrets ORDER BY name')
      .all()
      .map((r) => r.name);
  }
}
