// Google Sheets as a live contact source: credentials (the secret itself lives encrypted in `secrets`), one
// connection per list, and the write-back outbox that survives restarts.
export const up = /* sql */ `
CREATE TABLE google_credentials (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('service_account','oauth')),
  account TEXT NOT NULL,            -- service-account client_email, or the OAuth client id the grant belongs to
  secret_name TEXT NOT NULL UNIQUE, -- key in secrets (encrypted)
  created_at INTEGER NOT NULL
);

CREATE TABLE sheet_connections (
  id INTEGER PRIMARY KEY,
  list_id INTEGER NOT NULL UNIQUE REFERENCES lists(id) ON DELETE CASCADE,
  credential_id INTEGER NOT NULL REFERENCES google_credentials(id),
  spreadsheet_id TEXT NOT NULL,
  spreadsheet_title TEXT NOT NULL DEFAULT '',
  sheet_gid INTEGER NOT NULL,
  sheet_title TEXT NOT NULL,        -- refreshed from the gid on every read, so a renamed tab keeps working
  mapping_json TEXT NOT NULL CHECK (json_valid(mapping_json)),
  key_kind TEXT NOT NULL CHECK (key_kind IN ('phone','id')),
  default_country TEXT NOT NULL,
  poll_interval_ms INTEGER NOT NULL,
  write_interval_ms INTEGER NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  last_read_at INTEGER,
  last_write_at INTEGER,
  last_error TEXT,
  last_error_at INTEGER,
  rows_seen INTEGER NOT NULL DEFAULT 0,
  rejected_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(rejected_json)),
  dropped_writes INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Pending cell writes, one row per sheet row (coalesced): later values for the same row merge into values_json.
-- version grows on every merge so a flush only deletes what it actually wrote.
CREATE TABLE sheet_outbox (
  id INTEGER PRIMARY KEY,
  connection_id INTEGER NOT NULL REFERENCES sheet_connections(id) ON DELETE CASCADE,
  row_key TEXT NOT NULL,
  values_json TEXT NOT NULL CHECK (json_valid(values_json)),
  version INTEGER NOT NULL DEFAULT 1,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (connection_id, row_key)
);
`;
