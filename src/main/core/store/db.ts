import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Statement } from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export class DatabaseTooNewError extends Error {
  constructor(
    readonly fileVersion: number,
    readonly appVersion: number,
    readonly file: string,
  ) {
    super(
      `The database ${file} was written by a newer version of the console (schema ${fileVersion}; this app knows ` +
        `${appVersion}). Update the app, or open another data folder. The file was not changed.`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

export interface OpenOptions {
  /** Path to a better-sqlite3 addon built for the running runtime (Electron keeps its own beside Node's). */
  nativeBinding?: string;
  /** Migrations to apply; tests pass longer lists to exercise upgrades. */
  migrations?: Migration[];
  readonly?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const migrations = options.migrations ?? MIGRATIONS;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const existed = file !== ':memory:' && existsSync(file);
  const db = new Database(file, {
    nativeBinding: options.nativeBinding,
    readonly: options.readonly ?? false,
  });
  try {
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) migrate(db, file, existed, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, file: string, existed: boolean, migrations: Migration[]): void {
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const current = schemaVersion(db);
  if (current > latest) throw new DatabaseTooNewError(current, latest, file);
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  if (existed && current > 0) backupBeforeMigrating(db, file, current);
  for (const step of pending) {
    // One transaction per step: a failing step leaves the database at the previous version, intact.
    db.transaction(() => {
      db.exec(step.up);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
}

function backupBeforeMigrating(db: Db, file: string, version: number): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
  const target = `${file}.v${version}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
  copyFileSync(file, target);
}

const statementCaches = new WeakMap<Db, Map<string, Statement>>();

/**
 * Prepares each distinct SQL text once per connection. Repositories run the same statements thousands of times a
 * minute (dialer, event application, write-back); only pass fixed SQL texts, never ones built from values.
 */
export function prepareCached<P extends unknown[] | [Record<string, unknown>] = unknown[], R = unknown>(
  db: Db,
  sql: string,
): Statement<P, R> {
  let cache = statementCaches.get(db);
  if (!cache) statementCaches.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt as unknown as Statement<P, R>;
}

/** Whether the database answers a trivial query (the monitoring health check). */
export function databaseResponds(db: Db): boolean {
  try {
    prepareCached(db, 'SELECT 1').get();
    return true;
  } catch {
    return false;
  }
}

export { LATEST_SCHEMA_VERSION };
