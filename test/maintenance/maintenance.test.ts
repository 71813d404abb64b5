import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli';
import { dispatch } from '../../src/main/bindings/dispatch';
import { databasePath } from '../../src/main/create-core';
import { LATEST_SCHEMA_VERSION } from '../../src/main/core/store/db';
import { createTestCore, tempDir } from '../support/core';
import { waitUntil } from '../support/wait';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratch(): string {
  const t = tempDir('console-maint-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function testCore(dataDir?: string) {
  const core = createTestCore({ dataDir: dataDir ?? scratch() });
  cleanups.push(() => core.close().catch(() => undefined));
  return core;
}

/** Through the bindings' dispatch, so inputs get the contract's defaults and errors become messages. */
async function api(core: ReturnType<typeof testCore>, method: string, input: unknown) {
  return dispatch(core.api, method as never, input, core.platform.logger);
}

interface Snapshot {
  integrity: string;
  fkProblems: number;
  contacts: number;
  calls: number;
  ended: number;
  endedWithoutResult: number;
  queued: number;
  campaigns: number;
}

function inspect(file: string): Snapshot {
  const db = new Database(file, { readonly: true });
  try {
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      fkProblems: (db.pragma('foreign_key_check') as unknown[]).length,
      contacts: n('SELECT COUNT(*) AS n FROM contacts'),
      calls: n('SELECT COUNT(*) AS n FROM calls'),
      ended: n("SELECT COUNT(*) AS n FROM calls WHERE status = 'ended'"),
      endedWithoutResult: n("SELECT COUNT(*) AS n FROM calls WHERE status = 'ended' AND result IS NULL"),
      queued: n('SELECT COUNT(*) AS n FROM campaign_contacts'),
      campaigns: n('SELECT COUNT(*) AS n FROM campaigns'),
    };
  } finally {
    db.close();
  }
}

describe('backup and restore', () => {
  it('backs up during a running simulator campaign and restores a consistent store', async () => {
    const dir = scratch();
    const core = testCore(dir);
    const added = await core.api['contacts.add']({
      listName: 'Backup run',
      contacts: Array.from({ length: 60 }, (_, i) => ({
        name: `C${i}`,
        phone: `+1 201 555 ${String(1000 + i)}`,
        variables: {},
      })),
    });
    const created = await api(core, 'campaigns.create', {
      name: 'Running',
      listIds: [added.listId],
      provider: 'simulator',
      voiceAgentId: null,
      startAt: null,
      settings: { ignoreWindow: true, concurrency: 8, maxAttempts: 2, retryDelaysMs: [50], simSpeed: 300 },
    });
    expect(created.ok).toBe(true);
    const campaignId = (created as { value: { id: number } }).value.id;
    await core.start();
    await core.api['campaigns.start']({ id: campaignId });
    // Wait until some calls have ended while others are still being placed.
    const endedCalls = core.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM calls WHERE status = 'ended'");
    await waitUntil(() => endedCalls.get()!.n >= 5, { timeoutMs: 20_000, what: 'five ended calls' });
    const backupDir = scratch();
    const result = await api(core, 'maintenance.backup', { path: backupDir });
    expect(result.ok).toBe(true);
    const backup = (result as { value: { path: string; schemaVersion: number } }).value;
    expect(backup.path.startsWith(backupDir)).toBe(true);
    expect(backup.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    const campaignStateAtBackup = (
      core.db.prepare('SELECT state FROM campaigns WHERE id = ?').get(campaignId) as { state: string }
    ).state;

    const snap = inspect(backup.path);
    expect(snap.integrity).toBe('ok');
    expect(snap.fkProblems).toBe(0);
    expect(snap.contacts).toBe(60);
    expect(snap.queued).toBe(60);
    expect(snap.ended).toBeGreaterThanOrEqual(5);
    expect(snap.endedWithoutResult).toBe(0);
    expect(campaignStateAtBackup).toBe('running');
    // One self-contained file (no -wal/-shm beside it), even after it was opened.
    expect(readdirSync(backupDir)).toEqual([basename(backup.path)]);

    // Restore into a second console: staged, then swapped in when that console starts again.
    const otherDir = scratch();
    const other = testCore(otherDir);
    await other.api['contacts.add']({
      listName: 'To be replaced',
      contacts: [{ name: 'Gone', phone: '+1 201 555 0100', variables: {} }],
    });
    const restored = await api(other, 'maintenance.restore', { path: backup.path });
    expect(restored.ok).toBe(true);
    const r = (restored as { value: { safetyBackup: { path: string }; restartRequired: boolean } }).value;
    expect(r.restartRequired).toBe(true);
    // The data being replaced was backed up first.
    expect(inspect(r.safetyBackup.path).contacts).toBe(1);
    const listed = await api(other, 'maintenance.backups', {});
    expect(listed).toMatchObject({
      ok: true,
      value: [{ path: r.safetyBackup.path, schemaVersion: LATEST_SCHEMA_VERSION }],
    });
    await other.close();
    const reopened = testCore(otherDir);
    const after = inspect(databasePath(otherDir));
    expect(after).toEqual({ ...snap });
    const names = (reopened.db.prepare('SELECT name FROM contacts ORDER BY id LIMIT 1').get() as { name: string }).name;
    expect(names).toBe('C0');
    expect(existsSync(`${databasePath(otherDir)}.pending`)).toBe(false);
    await core.api['campaigns.cancel']({ id: campaignId });
  }, 20_000);

  it('refuses a file that is not a console database, and one from a newer version', async () => {
    const core = testCore();
    const dir = scratch();
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'hello, not a database');
    const r1 = await api(core, 'maintenance.restore', { path: text });
    expect(r1).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/notes\.db is not a console database \(not an SQLite file\)/) },
    });

    const other = join(dir, 'other.db');
    const foreign = new Database(other);
    foreign.exec('CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)');
    foreign.close();
    const r2 = await api(core, 'maintenance.restore', { path: other });
    expect(r2).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(
          /other\.db is an SQLite file but not a console database \(missing tables: lists, contacts/,
        ),
      },
    });

    const backup = await api(core, 'maintenance.backup', { path: join(dir, 'newer.db') });
    expect(backup.ok).toBe(true);
    const newer = new Database(join(dir, 'newer.db'));
    newer.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    newer.close();
    const r3 = await api(core, 'maintenance.restore', { path: join(dir, 'newer.db') });
    expect(r3).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(
          new RegExp(
            `written by a newer version of the console \\(schema ${LATEST_SCHEMA_VERSION + 1}; this app knows ${LATEST_SCHEMA_VERSION}\\)`,
          ),
        ),
      },
    });
    const missing = await api(core, 'maintenance.restore', { path: join(dir, 'nope.db') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // Nothing was staged by any refusal.
    expect(existsSync(`${core.db.name}.pending`)).toBe(false);
  });
});

describe('wipe', () => {
  it('requires the typed confirmation, backs up first, keeps settings and secrets', async () => {
    const dir = scratch();
    const core = testCore(dir);
    await core.api['contacts.add']({
      listName: 'Wipe me',
      contacts: [{ name: 'A', phone: '+1 201 555 0101', variables: {} }],
    });
    core.settings.set('defaultCountry', 'IN');
    const secret = core.secrets.webhookSecret();

    const refused = await api(core, 'maintenance.wipe', { confirm: 'wipe' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/type WIPE/) },
    });
    expect(existsSync(join(dir, 'backups'))).toBe(false);
    expect(existsSync(`${core.db.name}.pending`)).toBe(false);

    const wiped = await api(core, 'maintenance.wipe', { confirm: 'WIPE' });
    expect(wiped.ok).toBe(true);
    const w = (wiped as { value: { safetyBackup: { path: string }; tablesCleared: number } }).value;
    expect(inspect(w.safetyBackup.path).contacts).toBe(1);
    expect(w.tablesCleared).toBeGreaterThan(10);
    await core.close();

    const again = testCore(dir);
    expect(inspect(databasePath(dir))).toMatchObject({ integrity: 'ok', contacts: 0, calls: 0, campaigns: 0 });
    expect(again.settings.get('defaultCountry')).toBe('IN');
    expect(again.secrets.webhookSecret()).toBe(secret);
    expect(await again.api['lists.list']({})).toEqual([]);
  });

  it('CLI: backup, wipe and restore take effect at once', async () => {
    const dir = scratch();
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const core = testCore(dir);
    await core.api['contacts.add']({
      listName: 'CLI',
      contacts: [
        { name: 'A', phone: '+1 201 555 0101', variables: {} },
        { name: 'B', phone: '+1 201 555 0102', variables: {} },
      ],
    });
    await core.close();
    const backupFile = join(scratch(), 'cli.db');
    expect(await runCli(['backup', '--out', backupFile, '--json', '--data-dir', dir], io)).toBe(0);
    expect(JSON.parse(out.pop()!)).toMatchObject({ path: backupFile, schema_version: LATEST_SCHEMA_VERSION });
    expect(await runCli(['wipe', '--data-dir', dir], io)).toBe(1);
    expect(out.pop()).toMatch(/type WIPE/);
    expect(await runCli(['wipe', '--confirm', 'WIPE', '--json', '--data-dir', dir], io)).toBe(0);
    expect(inspect(databasePath(dir)).contacts).toBe(0);
    out.length = 0;
    expect(await runCli(['restore', backupFile, '--json', '--data-dir', dir], io)).toBe(0);
    expect(JSON.parse(out.pop()!)).toMatchObject({ restored: backupFile, schema_version: LATEST_SCHEMA_VERSION });
    expect(inspect(databasePath(dir))).toMatchObject({ integrity: 'ok', contacts: 2 });
  });
});
