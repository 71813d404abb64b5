import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/main/core/store/db';
import { MIGRATIONS } from '../../src/main/core/store/migrations';
import { tempDir } from '../support/core';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

describe('migration 9: a call language on contacts and attempts', () => {
  it('adds the columns to a populated file at schema 8, existing rows without a language', () => {
    const { dir, cleanup } = tempDir('console-migrate-language-');
    dirs.push(cleanup);
    const file = join(dir, 'console.db');
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 8) });
    before.prepare("INSERT INTO lists (id, name, source_kind, created_at) VALUES (1, 'COD', 'file', 0)").run();
    before
      .prepare(
        "INSERT INTO contacts (id, list_id, name, phone, phone_raw, created_at, updated_at) VALUES (1, 1, 'Asha', '+919876543210', '98765 43210', 0, 0)",
      )
      .run();
    before
      .prepare(
        "INSERT INTO calls (id, contact_id, phone, idempotency_key, provider, status, created_at) VALUES (1, 1, '+919876543210', 'k1', 'bolna', 'ringing', 0)",
      )
      .run();
    before.close();

    const after = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 9) });
    expect(schemaVersion(after)).toBe(9);
    expect(after.prepare('SELECT name, language FROM contacts').all()).toEqual([{ name: 'Asha', language: null }]);
    expect(after.prepare('SELECT status, language FROM calls').all()).toEqual([{ status: 'ringing', language: null }]);
    after.prepare("UPDATE contacts SET language = 'hi-IN' WHERE id = 1").run();
    expect(after.prepare('SELECT language FROM contacts').get()).toEqual({ language: 'hi-IN' });
    after.close();
  });
});
