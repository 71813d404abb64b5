import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/bindings/dispatch';
import { databasePath } from '../../src/main/create-core';
import { pendingPath } from '../../src/main/core/maintenance/maintenance';
import { LATEST_SCHEMA_VERSION } from '../../src/main/core/store/db';
import { createTestCore, tempDir } from '../support/core';

// Restore must not brick the console: a look-alike file (the right table names without their columns, a backup
// with a table or an index dropped) is refused naming what is missing; and if a restored database still fails to
// open, the console rolls back to the data it replaced by itself and keeps the bad file aside.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratch(): string {
  const t = tempDir('console-restore-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function core(dataDir = scratch()) {
  const c = createTestCore({ dataDir });
  cleanups.push(() => c.close().catch(() => undefined));
  return c;
}

async function restore(c: ReturnType<typeof core>, path: string) {
  return dispatch(c.api, 'maintenance.restore', { path }, c.platform.logger);
}

/** A real backup of a console holding one list, changed by `damage` afterwards. */
async function damagedBackup(damage: (db: Database.Database) => void): Promise<string> {
  const source = core();
  await source.api['contacts.add']({
    listName: 'Kept',
    contacts: [{ name: 'Asha', phone: '+14155550100', variables: {} }],
  });
  const file = join(scratch(), 'backup.db');
  const made = await dispatch(source.api, 'maintenance.backup', { path: file }, source.platform.logger);
  expect(made.ok).toBe(true);
  const db = new Database(file);
  try {
    damage(db);
  } finally {
    db.close();
  }
  return file;
}

/** The right table names and schema version, none of the columns. */
function lookAlike(file: string, from: string): void {
  const real = new Database(from, { readonly: true });
  const tables = real
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'call_search%'",
    )
    .all();
  real.close();
  const fake = new Database(file);
  for (const { name } of tables) fake.exec(`CREATE TABLE "${name}" (x)`);
  fake.pragma(`user_version = ${LATEST_SCHEMA_VERSION}`);
  fake.close();
}

describe('restore checks the full schema', () => {
  it('refuses a file with the right table names but not their columns', async () => {
    const target = core();
    const file = join(scratch(), 'look-alike.db');
    lookAlike(file, target.db.name);
    const refused = await restore(target, file);
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const message = (refused as { error: { message: string } }).error.message;
    expect(message).toMatch(/look-alike\.db/);
    expect(message).toMatch(/\b[a-z_]+: missing columns [a-z_]+/);
    expect(message).toMatch(/Choose a backup made by the console/);
    expect(existsSync(pendingPath(target.db.name))).toBe(false);
  });

  it('refuses a backup with one table dropped, naming the table', async () => {
    const file = await damagedBackup((db) => db.exec('DROP TABLE recording_jobs'));
    const target = core();
    const refused = await restore(target, file);
    expect(refused).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/missing table recording_jobs/) },
    });
    expect(existsSync(pendingPath(target.db.name))).toBe(false);
  });

  it('refuses a backup with an index dropped, naming the index', async () => {
    let dropped = '';
    const file = await damagedBackup((db) => {
      dropped = db
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL ORDER BY name",
        )
        .get()!.name;
      db.exec(`DROP INDEX "${dropped}"`);
    });
    const refused = await restore(core(), file);
    expect(refused).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining(`missing index ${dropped}`) },
    });
  });

  it('accepts an untouched backup', async () => {
    const file = await damagedBackup(() => undefined);
    expect(await restore(core(), file)).toMatchObject({ ok: true });
  });
});

describe('a restored database that fails to open', () => {
  it('is rolled back by itself to the data it replaced, and kept aside', async () => {
    const dataDir = scratch();
    const before = core(dataDir);
    await before.api['contacts.add']({
      listName: 'Mine',
      contacts: [{ name: 'Ravi', phone: '+14155550101', variables: {} }],
    });
    await before.close();
    // Staged as an older console (or a crash-era copy) would have: without the schema check.
    const bad = join(scratch(), 'bad-staged.db');
    lookAlike(bad, databasePath(dataDir));
    copyFileSync(bad, pendingPath(databasePath(dataDir)));

    const after = core(dataDir);
    const lists = await after.api['lists.list']({});
    expect(lists.map((l) => l.name)).toEqual(['Mine']);
    expect(existsSync(pendingPath(databasePath(dataDir)))).toBe(false);
    const aside = readdirSync(join(dataDir, 'backups')).filter((f) => f.startsWith('console-restore-failed-'));
    expect(aside).toHaveLength(1);
    const log = readFileSync(join(dataDir, 'logs', 'console.log'), 'utf8');
    expect(log).toMatch(/restored database could not be used.*rolled back/i);
  });
});
