import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/main/core/store/db';
import { MIGRATIONS } from '../../src/main/core/store/migrations';
import { ListsRepository } from '../../src/main/core/store/repositories/lists';
import { tempDir } from '../support/core';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

const VERSION = MIGRATIONS.find((m) => m.name === 'list_write_back')!.version;

describe('migration list_write_back: a list remembers the file its outcomes go back to', () => {
  it('adds the column to a file of the previous version; existing lists keep theirs unset', () => {
    const { dir, cleanup } = tempDir('console-migrate-writeback-');
    dirs.push(cleanup);
    const file = join(dir, 'console.db');
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < VERSION) });
    const old = Number(
      before
        .prepare(
          "INSERT INTO lists (name, source_kind, source_ref, created_at) VALUES ('COD', 'file', '/data/call_list.csv', 1)",
        )
        .run().lastInsertRowid,
    );
    before.close();
    const after = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= VERSION) });
    expect(schemaVersion(after)).toBe(VERSION);
    const lists = new ListsRepository(after);
    expect(lists.get(old)).toMatchObject({ name: 'COD', sourceRef: '/data/call_list.csv' });
    expect(lists.writeBackPath(old)).toBeNull();
    lists.setWriteBackPath(old, '/data/call_list.csv');
    expect(lists.writeBackPath(old)).toBe('/data/call_list.csv');
    after.close();
  });
});
