import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/main/core/store/db';
import { MIGRATIONS } from '../../src/main/core/store/migrations';
import { tempDir } from '../support/core';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

describe('migration 8: sheet connections keep their time zone and rules, sheet contacts their row status', () => {
  it('adds the columns with defaults and keeps every existing connection and contact, on a real file', () => {
    const { dir, cleanup } = tempDir('console-migrate-sheet-rules-');
    dirs.push(cleanup);
    const file = join(dir, 'console.db');
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 7) });
    before.exec(`
      INSERT INTO lists (id, name, source_kind, created_at) VALUES (1, 'Leads', 'google_sheet', 0);
      INSERT INTO google_credentials (id, kind, account, secret_name, created_at) VALUES (1, 'service_account', 'a@b', 's', 0);
      INSERT INTO sheet_connections (id, list_id, credential_id, spreadsheet_id, spreadsheet_title, sheet_gid, sheet_title,
        mapping_json, key_kind, default_country, poll_interval_ms, write_interval_ms, created_at, updated_at)
        VALUES (1, 1, 1, 'sheet', 'Calls', 0, 'Leads', '{"phone":"B"}', 'phone', 'IN', 120000, 2000, 0, 0);
      INSERT INTO contacts (id, list_id, name, phone, phone_raw, source_key, created_at, updated_at)
        VALUES (1, 1, 'Asha', '+919876543210', '9876543210', '+919876543210', 0, 0);
    `);
    before.close();

    const after = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 8) });
    expect(schemaVersion(after)).toBe(8);
    expect(after.prepare('SELECT time_zone, rules_json, mapping_json FROM sheet_connections').get()).toEqual({
      time_zone: null,
      rules_json: '{}',
      mapping_json: '{"phone":"B"}',
    });
    expect(after.prepare('SELECT name, source_status, source_attempt_at FROM contacts').get()).toEqual({
      name: 'Asha',
      source_status: null,
      source_attempt_at: null,
    });
    expect(() => after.prepare("UPDATE sheet_connections SET rules_json = 'not json'").run()).toThrow(/CHECK/);
    after.close();
  });
});
