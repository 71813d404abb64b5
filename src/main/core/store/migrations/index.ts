import * as m001 from './001_initial';

export interface Migration {
  version: number;
  name: string;
  up: string;
}

// Numbered, applied in order; the position in this list is the schema version (PRAGMA user_version).
export const MIGRATIONS: Migration[] = [{ version: 1, name: 'initial', up: m001.up }];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
