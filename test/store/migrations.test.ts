import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError, openDatabase, schemaVersion } from '../../src/main/core/store/db';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from '../../src/main/core/store/migrations';
import { tempDir } from '../support/core';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));
function dbFile(): string {
  const { dir, cleanup } = tempDir('console-migrate-');
  dirs.push(cleanup);
  return join(dir, 'console.db');
}
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('store migrations', () => {
  it('creates the latest schema in WAL mode on a new file', () => {
    const file = dbFile();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name")
      .all()
      .map((r) => r.name);
    for (const t of [
      'lists',
      'contacts',
      'campaigns',
      'calls',
      'call_events',
      'transcript_turns',
      'call_search',
      'agents',
      'dnc',
      'settings',
      'audit_log',
    ]) {
      expect(tables).toContain(t);
    }
    db.close();
  });

  it('enforces one live attempt per phone number in the store itself', () => {
    const db = openDatabase(dbFile());
    const insert = db.prepare(
      "INSERT INTO calls (phone, idempotency_key, provider, status, created_at) VALUES (?, ?, 'simulator', ?, 0)",
    );
    insert.run('+919876543210', 'a1', 'ringing');
    expect(() => insert.run('+919876543210', 'a2', 'dialing')).toThrow(/UNIQUE/);
    // An ended attempt does not block the next one.
    db.prepare("UPDATE calls SET status = 'ended', result = 'no_answer' WHERE idempotency_key = 'a1'").run();
    expect(() => insert.run('+919876543210', 'a3', 'dialing')).not.toThrow();
    db.close();
  });

  it('upgrades an existing file step by step, keeping data and a backup of the old version', () => {
    const file = dbFile();
    const first = openDatabase(file);
    first.prepare("INSERT INTO lists (name, created_at) VALUES ('Diwali offers', 1)").run();
    first.close();

    const next: Migration = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'test',
      up: 'ALTER TABLE lists ADD COLUMN colour TEXT;',
    };
    const upgraded = openDatabase(file, { migrations: [...MIGRATIONS, next] });
    expect(schemaVersion(upgraded)).toBe(LATEST_SCHEMA_VERSION + 1);
    expect(upgraded.prepare('SELECT name, colour FROM lists').get()).toEqual({ name: 'Diwali offers', colour: null });
    upgraded.close();

    const backups = readdirSync(join(file, '..')).filter((f) => f.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    const old = new Database(join(file, '..', backups[0]), { readonly: true });
    expect(old.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(old.prepare('SELECT name FROM lists').get()).toEqual({ name: 'Diwali offers' });
    old.close();
  });

  it('rolls back a failing step and leaves the database at the previous version', () => {
    const file = dbFile();
    openDatabase(file).close();
    const broken: Migration = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'broken',
      up: 'ALTER TABLE lists ADD COLUMN half_done TEXT; SELECT * FROM no_such_table;',
    };
    expect(() => openDatabase(file, { migrations: [...MIGRATIONS, broken] })).toThrow(/no_such_table/);
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    const columns = db
      .prepare<[], { name: string }>('PRAGMA table_info(lists)')
      .all()
      .map((c) => c.name);
    expect(columns).not.toContain('half_done');
    db.close();
  });

  it('refuses a database written by a newer app and does not touch it', () => {
    const file = dbFile();
    const db = openDatabase(file);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = sha(file);
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(file)).toThrow(/newer version of the console/);
    expect(sha(file)).toBe(before);
  });
});
