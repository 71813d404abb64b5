// The first schema. Timestamps are epoch milliseconds (INTEGER); JSON columns are TEXT checked with json_valid.
export const up = /* sql */ `
CREATE TABLE lists (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  source_kind TEXT NOT NULL DEFAULT 'manual' CHECK (source_kind IN ('manual','file','google_sheet')),
  source_ref TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  list_id INTEGER REFERENCES lists(id) ON DELETE SET NULL,
  file_name TEXT NOT NULL,
  sheet TEXT,
  mapping_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(mapping_json)),
  default_country TEXT,
  accepted INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  rejected_count INTEGER NOT NULL DEFAULT 0,
  rejected_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(rejected_json)),
  state TEXT NOT NULL CHECK (state IN ('completed','failed','cancelled')),
  error TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  name TEXT NOT NULL DEFAULT '',
  phone TEXT,                      -- E.164, NULL when the typed number could not be normalised
  phone_raw TEXT NOT NULL,         -- as typed in the source
  timezone TEXT,
  email TEXT,
  variables_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(variables_json)),
  source_row INTEGER,              -- row number in the source file/sheet (1-based, as the user sees it)
  source_key TEXT,                 -- stable key for write-back (sheet id column or phone)
  callable INTEGER NOT NULL DEFAULT 1,
  not_callable_reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX contacts_list_phone ON contacts(list_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX contacts_phone ON contacts(phone);
-- The contact grid pages one list by id or by name (100k rows); the rowid rides along in both.
CREATE INDEX contacts_list ON contacts(list_id);
CREATE INDEX contacts_list_name ON contacts(list_id, name COLLATE NOCASE);

CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  provider TEXT NOT NULL,
  agent_id TEXT,
  state TEXT NOT NULL CHECK (state IN ('draft','scheduled','running','paused','completed','cancelled')),
  state_reason TEXT,
  settings_json TEXT NOT NULL CHECK (json_valid(settings_json)),
  start_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE campaign_lists (
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  PRIMARY KEY (campaign_id, list_id)
);

-- One row per contact per campaign: the dialer's work queue, driven by next_at (due time).
CREATE TABLE campaign_contacts (
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('pending','active','done','excluded')),
  priority INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER,                 -- when the contact may be dialled next (pending only)
  wait_reason TEXT,
  last_result TEXT,
  outcome TEXT,
  excluded_reason TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX campaign_contacts_due ON campaign_contacts(campaign_id, priority DESC, next_at) WHERE state = 'pending';
CREATE INDEX campaign_contacts_contact ON campaign_contacts(contact_id);

-- One row per attempt. Written (with its idempotency key) before the provider is asked.
CREATE TABLE calls (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  phone TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1,
  counts_as_attempt INTEGER NOT NULL DEFAULT 1,
  idempotency_key TEXT NOT NULL UNIQUE,
  provider TEXT NOT NULL,
  provider_call_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued','dialing','initiated','ringing','in_progress','transferring','ended')),
  result TEXT CHECK (result IS NULL OR result IN ('completed','no_answer','busy','voicemail','failed','canceled','transferred')),
  outcome TEXT,
  conversation INTEGER NOT NULL DEFAULT 0,   -- 1 when somebody actually talked
  created_at INTEGER NOT NULL,
  started_at INTEGER,              -- provider accepted the request
  answered_at INTEGER,
  ended_at INTEGER,
  last_event_at INTEGER,
  duration_s REAL,
  cost REAL,
  hangup_reason TEXT,
  recording_url TEXT,
  summary TEXT,
  sentiment TEXT,
  extracted_json TEXT CHECK (extracted_json IS NULL OR json_valid(extracted_json)),
  variables_json TEXT CHECK (variables_json IS NULL OR json_valid(variables_json)),
  error TEXT
);
CREATE UNIQUE INDEX calls_provider_id ON calls(provider, provider_call_id) WHERE provider_call_id IS NOT NULL;
-- The rule "one live attempt per phone number across all campaigns", enforced by the store itself.
CREATE UNIQUE INDEX calls_one_live_per_phone ON calls(phone) WHERE status <> 'ended';
CREATE INDEX calls_campaign ON calls(campaign_id, status);
CREATE INDEX calls_contact ON calls(contact_id);
CREATE INDEX calls_live ON calls(status) WHERE status <> 'ended';
CREATE INDEX calls_ended_at ON calls(ended_at);

-- Every webhook delivery as received, written before the 2xx. Applied afterwards, in order.
CREATE TABLE webhook_inbox (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  query TEXT,
  headers_json TEXT NOT NULL CHECK (json_valid(headers_json)),
  body BLOB NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','processed','rejected','unknown_call','error')),
  error TEXT,
  processed_at INTEGER
);
-- Serves the pending/unknown_call scans (state, then arrival order) and the health counts without reading bodies.
CREATE INDEX webhook_inbox_state ON webhook_inbox(state, id);

-- Normalised provider events per call, deduplicated by (provider, dedupe_key).
CREATE TABLE call_events (
  id INTEGER PRIMARY KEY,
  call_id INTEGER REFERENCES calls(id) ON DELETE CASCADE,
  inbox_id INTEGER REFERENCES webhook_inbox(id) ON DELETE SET NULL,
  provider TEXT NOT NULL,
  provider_call_id TEXT,
  dedupe_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT,
  disposition TEXT NOT NULL CHECK (disposition IN ('applied','duplicate','stale','enriched')),
  occurred_at INTEGER,
  received_at INTEGER NOT NULL,
  raw TEXT NOT NULL
);
CREATE UNIQUE INDEX call_events_dedupe ON call_events(provider, dedupe_key) WHERE disposition <> 'duplicate';
CREATE INDEX call_events_call ON call_events(call_id, id);

CREATE TABLE transcript_turns (
  call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  speaker TEXT NOT NULL,
  text TEXT NOT NULL,
  at_ms INTEGER,
  PRIMARY KEY (call_id, seq)
) WITHOUT ROWID;

-- One searchable document per call (transcript + summary); rowid = calls.id.
CREATE VIRTUAL TABLE call_search USING fts5(transcript, summary, tokenize = 'unicode61 remove_diacritics 2');

CREATE TABLE agents (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  phone TEXT,
  sip TEXT,
  status TEXT NOT NULL DEFAULT 'available' CHECK (status IN ('available','busy','away')),
  skills_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(skills_json)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE transfers (
  id INTEGER PRIMARY KEY,
  call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  agent_id INTEGER REFERENCES agents(id) ON DELETE SET NULL,
  status TEXT NOT NULL CHECK (status IN ('requested','ringing','connected','failed','ended')),
  requested_at INTEGER NOT NULL,
  connected_at INTEGER,
  ended_at INTEGER,
  disposition TEXT,
  notes TEXT,
  error TEXT
);
CREATE INDEX transfers_call ON transfers(call_id);
CREATE INDEX transfers_requested ON transfers(requested_at);

CREATE TABLE dnc (
  phone TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  reason TEXT,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value_json TEXT NOT NULL CHECK (json_valid(value_json))
) WITHOUT ROWID;

CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  cipher BLOB NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT,
  detail_json TEXT CHECK (detail_json IS NULL OR json_valid(detail_json))
);

-- What the dialer, webhook server, tunnel and sources did (the campaign log and the logs view).
CREATE TABLE activity_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('debug','info','warn','error')),
  scope TEXT NOT NULL,
  campaign_id INTEGER,
  call_id INTEGER,
  message TEXT NOT NULL
);
CREATE INDEX activity_log_campaign ON activity_log(campaign_id, id);
`;
