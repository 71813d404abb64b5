import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { WIPE_CONFIRMATION, type BackupInfo } from '@shared/contract/maintenance';
import { ApiError } from '../errors';
import type { Logger } from '../platform';
import { LATEST_SCHEMA_VERSION, openDatabase, schemaVersion, type Db } from '../store/db';
import { MIGRATIONS } from '../store/migrations';

// Backup, restore and wipe of the console database.
//
// The core's services hold prepared statements on the one open handle, so the live database is never swapped
// underneath them. Restore and wipe instead stage a complete replacement file beside the database
// (console.db.pending); the next start swaps it in with renames on the same file system before anything opens the
// database (applyPendingReplacement), keeping the replaced file in backups/. Hosts restart the core to finish.

export class MaintenanceError extends ApiError {
  constructor(code: 'invalid_input' | 'conflict' | 'not_found', message: string) {
    super(code, message);
    this.name = 'MaintenanceError';
  }
}

/** Tables every console database has had since schema 1; a file without them is not one of ours. */
const EXPECTED_TABLES = [
  'lists',
  'contacts',
  'campaigns',
  'campaign_contacts',
  'calls',
  'call_events',
  'settings',
  'secrets',
  'activity_log',
];
/** Configuration a wipe keeps unless told otherwise (provider keys, webhook secret, Google credentials). */
const KEPT_ON_WIPE = ['settings', 'secrets', 'google_credentials'];

const SQLITE_MAGIC = 'SQLite format 3\0';

export const pendingPath = (dbFile: string) => `${dbFile}.pending`;
export const backupsDir = (dataDir: string) => join(dataDir, 'backups');
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:.]/g, '-');

interface SchemaShape {
  /** Table (or virtual table) → its columns as "name type notnull pk". */
  tables: Map<string, string[]>;
  /** Index, trigger or view → "type: its SQL", whitespace folded. */
  others: Map<string, string>;
}

function shapeOf(db: Db): SchemaShape {
  const rows = db
    .prepare<[], { type: string; name: string; sql: string | null }>(
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all();
  const columns = db.prepare<[string], { name: string; type: string; notnull: number; pk: number }>(
    'SELECT name, type, "notnull", pk FROM pragma_table_info(?)',
  );
  const tables = new Map<string, string[]>();
  const others = new Map<string, string>();
  for (const row of rows) {
    if (row.type === 'table') {
      tables.set(
        row.name,
        columns.all(row.name).map((c) => `${c.name} ${c.type.toUpperCase()} ${c.notnull} ${c.pk}`),
      );
    } else if (row.sql) others.set(row.name, `${row.type}: ${row.sql.replace(/\s+/g, ' ').trim()}`);
  }
  return { tables, others };
}

const referenceShapes = new Map<number, SchemaShape>();

/** The schema the migrations build up to `version`, from an empty in-memory database (once per version). */
function referenceShape(version: number): SchemaShape {
  let shape = referenceShapes.get(version);
  if (!shape) {
    const reference = openDatabase(':memory:', { migrations: MIGRATIONS.filter((m) => m.version <= version) });
    try {
      shape = shapeOf(reference);
    } finally {
      reference.close();
    }
    referenceShapes.set(version, shape);
  }
  return shape;
}

/**
 * How `db` differs from the schema of its version (tables, their columns, indexes, triggers, views), one line per
 * difference; empty when it is whole. Extra objects are allowed; missing or changed ones are not.
 */
export function schemaProblems(db: Db, version = schemaVersion(db)): string[] {
  const expected = referenceShape(version);
  const actual = shapeOf(db);
  const problems: string[] = [];
  for (const [table, columns] of expected.tables) {
    const present = actual.tables.get(table);
    if (!present) {
      problems.push(`missing table ${table}`);
      continue;
    }
    const names = new Set(present.map((c) => c.split(' ')[0]));
    const missing = columns.filter((c) => !names.has(c.split(' ')[0])).map((c) => c.split(' ')[0]);
    if (missing.length) problems.push(`${table}: missing columns ${missing.join(', ')}`);
    const changed = columns.filter((c) => names.has(c.split(' ')[0]) && !present.includes(c));
    if (changed.length)
      problems.push(`${table}: columns of another type ${changed.map((c) => c.split(' ')[0]).join(', ')}`);
  }
  for (const [name, definition] of expected.others) {
    const kind = definition.slice(0, definition.indexOf(':'));
    const present = actual.others.get(name);
    if (!present) problems.push(`missing ${kind} ${name}`);
    else if (present !== definition) problems.push(`${kind} ${name} differs from the console's`);
  }
  return problems;
}

/**
 * Checks that `file` is a console database this app can open: an SQLite file, the full schema of its version
 * (tables, columns, indexes, triggers), a version no newer than the app's, and a clean integrity check (`quick`
 * for listing backups). Returns its schema version.
 */
export function checkConsoleDatabase(
  file: string,
  nativeBinding?: string,
  integrity: 'full' | 'quick' = 'full',
): number {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new MaintenanceError('not_found', `${path} does not exist or is not a file. Choose a backup file (.db).`);
  }
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC) {
    throw new MaintenanceError(
      'invalid_input',
      `${basename(path)} is not a console database (not an SQLite file). Choose a backup made by the console.`,
    );
  }
  let db: Db | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, nativeBinding });
    const tables = new Set(
      db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((r) => r.name),
    );
    const missing = EXPECTED_TABLES.filter((t) => !tables.has(t));
    const version = schemaVersion(db);
    if (missing.length > 0 || version < 1) {
      throw new MaintenanceError(
        'invalid_input',
        `${basename(path)} is an SQLite file but not a console database (missing tables: ${missing.join(', ') || 'none'}; schema version ${version}). Choose a backup made by the console.`,
      );
    }
    if (version > LATEST_SCHEMA_VERSION) {
      throw new MaintenanceError(
        'invalid_input',
        `${basename(path)} was written by a newer version of the console (schema ${version}; this app knows ${LATEST_SCHEMA_VERSION}). Update the app first, then restore it.`,
      );
    }
    const problems = schemaProblems(db, version);
    if (problems.length) {
      const more = problems.length > 6 ? `; and ${problems.length - 6} more` : '';
      throw new MaintenanceError(
        'invalid_input',
        `${basename(path)} does not have the console's schema ${version} (${problems.slice(0, 6).join('; ')}${more}). Choose a backup made by the console.`,
      );
    }
    const check = db.pragma(integrity === 'full' ? 'integrity_check' : 'quick_check', { simple: true });
    if (check !== 'ok')
      throw new MaintenanceError(
        'invalid_input',
        `${basename(path)} is damaged (SQLite ${integrity === 'full' ? 'integrity_check' : 'quick_check'}: ${String(check)}). Choose another backup.`,
      );
    return version;
  } catch (err) {
    if (err instanceof MaintenanceError) throw err;
    throw new MaintenanceError(
      'invalid_input',
      `${basename(path)} could not be read as a console database: ${(err as Error).message}`,
    );
  } finally {
    db?.close();
  }
}

/**
 * A consistent copy of `db` (SQLite's online backup: writers keep going, the copy is one snapshot), written to a
 * temporary name and renamed into place so a half-written backup never carries the final name.
 */
export async function backupDatabase(db: Db, target: string, now: number, nativeBinding?: string): Promise<BackupInfo> {
  const partial = `${target}.partial`;
  mkdirSync(dirname(target), { recursive: true });
  rmSync(partial, { force: true });
  try {
    await db.backup(partial);
    // The copy inherits WAL mode; a rollback-journal file is one self-contained file to move or mail around.
    const copy = new Database(partial, { nativeBinding });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  return { path: target, bytes: statSync(target).size, schemaVersion: schemaVersion(db), at: now };
}

/** Where a backup goes: an existing folder gets a timestamped file in it; anything else is taken as the file name. */
export function backupTarget(dataDir: string, requested: string | null, now: number, label = 'backup'): string {
  const name = `console-${label}-${stamp(now)}.db`;
  if (!requested || !requested.trim()) return join(backupsDir(dataDir), name);
  const path = resolve(requested.trim());
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, name);
  if (existsSync(path))
    throw new MaintenanceError('conflict', `${path} already exists; choose a folder or a new file name.`);
  if (!existsSync(dirname(path)))
    throw new MaintenanceError('not_found', `The folder ${dirname(path)} does not exist.`);
  return path;
}

export function listBackups(dataDir: string, nativeBinding?: string): BackupInfo[] {
  const dir = backupsDir(dataDir);
  if (!existsSync(dir)) return [];
  const out: BackupInfo[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.db')) continue;
    const path = join(dir, f);
    let version: number;
    try {
      version = checkConsoleDatabase(path, nativeBinding, 'quick');
    } catch {
      continue;
    }
    const st = statSync(path);
    out.push({ path, bytes: st.size, schemaVersion: version, at: st.mtimeMs });
  }
  return out.sort((a, b) => b.at - a.at);
}

/** Copies a checked backup to console.db.pending (via SQLite's backup, so a WAL-mode source arrives whole). */
export async function stageRestore(
  dbFile: string,
  source: string,
  nativeBinding?: string,
): Promise<{ staged: string; schemaVersion: number }> {
  const version = checkConsoleDatabase(source, nativeBinding);
  const staged = pendingPath(dbFile);
  const tmp = `${staged}.tmp`;
  rmSync(tmp, { force: true });
  const src = new Database(resolve(source), { readonly: true, fileMustExist: true, nativeBinding });
  try {
    await src.backup(tmp);
  } finally {
    src.close();
  }
  checkConsoleDatabase(tmp, nativeBinding);
  renameSync(tmp, staged);
  return { staged, schemaVersion: version };
}

export function assertWipeConfirmed(confirm: string): void {
  if (confirm !== WIPE_CONFIRMATION) {
    throw new MaintenanceError(
      'invalid_input',
      `confirm: type ${WIPE_CONFIRMATION} (in capitals) to wipe the data; nothing was deleted.`,
    );
  }
}

/**
 * Stages an empty database at the latest schema, carrying over the configuration tables unless `includeSettings`.
 * Returns how many tables the replacement clears.
 */
export function stageWipe(
  db: Db,
  dbFile: string,
  confirm: string,
  includeSettings: boolean,
  nativeBinding?: string,
): number {
  assertWipeConfirmed(confirm);
  const staged = pendingPath(dbFile);
  const tmp = `${staged}.tmp`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  openDatabase(tmp, { nativeBinding }).close();
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'",
    )
    .all()
    .map((r) => r.name);
  const kept = includeSettings ? [] : KEPT_ON_WIPE.filter((t) => tables.includes(t));
  db.prepare('ATTACH DATABASE ? AS fresh').run(tmp);
  try {
    // Table names come from the fixed KEPT_ON_WIPE list (checked against sqlite_master), not from input.
    db.transaction(() => {
      for (const t of kept) db.exec(`INSERT INTO fresh."${t}" SELECT * FROM main."${t}"`);
    })();
  } finally {
    db.exec('DETACH DATABASE fresh');
  }
  settle(tmp, nativeBinding);
  renameSync(tmp, staged);
  return tables.filter((t) => !kept.includes(t)).length;
}

/**
 * Run before the database is opened: when a staged replacement exists, the current file (checkpointed, so its WAL
 * is inside it) moves to backups/ and the staged file takes its name. Both are renames in the data folder; after a
 * crash between them the staged file is still found and applied at the next start.
 */
export function applyPendingReplacement(
  dbFile: string,
  now: number,
  nativeBinding?: string,
): { keptAs: string | null } | null {
  const staged = pendingPath(dbFile);
  if (!existsSync(staged)) return null;
  let keptAs: string | null = null;
  if (existsSync(dbFile)) {
    settle(dbFile, nativeBinding);
    keptAs = join(backupsDir(dirname(dbFile)), `console-replaced-${stamp(now)}.db`);
    mkdirSync(dirname(keptAs), { recursive: true });
    renameSync(dbFile, keptAs);
  }
  for (const f of [`${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  renameSync(staged, dbFile);
  return { keptAs };
}

/**
 * Opens the database, first swapping in a staged restore or wipe. If the replacement then fails to open or lacks
 * the schema (a file staged by a console without today's checks, a migration that fails on it), the data it
 * replaced is put back by itself and the bad file kept in backups/ as console-restore-failed-*.db, so the console
 * still starts, and can restore another backup.
 */
export function openDatabaseWithReplacement(dbFile: string, now: number, logger: Logger, nativeBinding?: string): Db {
  const replaced = applyPendingReplacement(dbFile, now, nativeBinding);
  if (!replaced) return openDatabase(dbFile, { nativeBinding });
  try {
    const db = openDatabase(dbFile, { nativeBinding });
    const problems = schemaProblems(db);
    if (!problems.length) return db;
    db.close();
    throw new Error(problems.slice(0, 6).join('; '));
  } catch (err) {
    if (!replaced.keptAs) throw err;
    const aside = join(backupsDir(dirname(dbFile)), `console-restore-failed-${stamp(now)}.db`);
    for (const suffix of ['', '-wal', '-shm'])
      if (existsSync(dbFile + suffix)) renameSync(dbFile + suffix, aside + suffix);
    renameSync(replaced.keptAs, dbFile);
    logger.log(
      'error',
      'maintenance',
      `The restored database could not be used (${err instanceof Error ? err.message : String(err)}); rolled back to the data it replaced. The restored file is kept as ${aside}.`,
    );
    return openDatabase(dbFile, { nativeBinding });
  }
}

/** Folds a WAL-mode file's log into the file itself, so the file alone can be renamed. */
function settle(file: string, nativeBinding?: string): void {
  const db = new Database(file, { nativeBinding });
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  for (const f of [`${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}
