import * as m001 from './001_initial';
import * as m002 from './002_sources';
import * as m003 from './003_recordings';
import * as m004 from './004_call_stale';
import * as m005 from './005_voice_agent_id';
import * as m006 from './006_indic_search';
import * as m007 from './007_call_matching';
import * as m008 from './008_sheet_rules';
import * as m009 from './009_call_language';
import * as m010 from './010_list_write_back';

export interface Migration {
  version: number;
  name: string;
  up: string;
}

// Numbered, applied in order; the position in this list is the schema version (PRAGMA user_version).
export const MIGRATIONS: Migration[] = [
  { version: 1, name: 'initial', up: m001.up },
  { version: 2, name: 'sources', up: m002.up },
  { version: 3, name: 'recordings', up: m003.up },
  { version: 4, name: 'call_stale', up: m004.up },
  { version: 5, name: 'voice_agent_id', up: m005.up },
  { version: 6, name: 'indic_search', up: m006.up },
  { version: 7, name: 'call_matching', up: m007.up },
  { version: 8, name: 'sheet_rules', up: m008.up },
  { version: 9, name: 'call_language', up: m009.up },
  { version: 10, name: 'list_write_back', up: m010.up },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
