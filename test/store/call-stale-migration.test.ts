import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/main/core/store/db';
import { MIGRATIONS } from '../../src/main/core/store/migrations';
import { tempDir } from '../support/core';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

describe('migration 4: the stale flag of a call is a column', () => {
  it('backfills the flag from what stale endings wrote before, on a real file at schema 3', () => {
    const { dir, cleanup } = tempDir('console-migrate-stale-');
    dirs.push(cleanup);
    const file = join(dir, 'console.db');
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 3) });
    expect(schemaVersion(before)).toBe(3);
    const insert = before.prepare(
      `INSERT INTO calls (phone, idempotency_key, provider, status, result, created_at, error)
       VALUES (?, ?, 'retell', ?, ?, 0, ?)`,
    );
    const silent = insert.run(
      '+919812340001',
      'k1',
      'ended',
      'failed',
      'Stale: no news from retell for 16 min; marked failed so the contact can be retried',
    ).lastInsertRowid;
    const forgotten = insert.run(
      '+919812340002',
      'k2',
      'ended',
      'failed',
      'retell does not know this call (reconciled after restart)',
    ).lastInsertRowid;
    before
      .prepare(
        `INSERT INTO call_events (call_id, provider, dedupe_key, kind, status, disposition, received_at, raw)
         VALUES (?, 'console', ?, 'console.stale', 'ended', 'applied', 0, '{}')`,
      )
      .run(forgotten, `console:${forgotten}:ended`);
    const refused = insert.run(
      '+919812340003',
      'k3',
      'ended',
      'failed',
      'Not placed: retell rate limit (HTTP 429); not counted as an attempt',
    ).lastInsertRowid;
    const live = insert.run('+919812340004', 'k4', 'ringing', null, null).lastInsertRowid;
    before.close();

    const after = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 4) });
    expect(schemaVersion(after)).toBe(4);
    const stale = (id: number | bigint) =>
      after.prepare<[number | bigint], { stale: number }>('SELECT stale FROM calls WHERE id = ?').get(id)?.stale;
    expect([stale(silent), stale(forgotten), stale(refused), stale(live)]).toEqual([1, 1, 0, 0]);
    // New rows start not stale, and the column holds only 0 or 1.
    const added = after
      .prepare(
        "INSERT INTO calls (phone, idempotency_key, provider, status, created_at) VALUES (?, 'k5', 'retell', 'dialing', 0)",
      )
      .run('+919812340005').lastInsertRowid;
    expect(stale(added)).toBe(0);
    expect(() => after.prepare('UPDATE calls SET stale = 2 WHERE id = ?').run(added)).toThrow(/CHECK/);
    after.close();
  });
});
