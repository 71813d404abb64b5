// Call recordings → transcription → Slack. One row per distinct call record, keyed by the sender's id so a
// repeated delivery is a constraint hit, not a second job. Each step's result is written before the next step starts,
// so a restart resumes where it stopped.
export const up = /* sql */ `
CREATE TABLE recording_jobs (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('zapier','console')),
  -- Zapier: the Exotel call Sid (payload call_id); console: 'console:<calls.id>'.
  external_id TEXT NOT NULL UNIQUE,
  payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
  direction TEXT NOT NULL CHECK (direction IN ('incoming','outgoing')),
  support_number TEXT NOT NULL,
  customer_number TEXT NOT NULL,
  -- queued: download + upload + submit; transcribing: polling transcript_id; posting: Slack parts left; posted: done.
  state TEXT NOT NULL CHECK (state IN ('queued','transcribing','posting','posted','failed')),
  -- The step a failed job stopped at (where Retry resumes).
  failed_step TEXT CHECK (failed_step IS NULL OR failed_step IN ('queued','transcribing','posting')),
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,     -- transient failures of the current step
  next_at INTEGER,                          -- when the worker may take the job again
  deliveries INTEGER NOT NULL DEFAULT 1,    -- how many times the record was delivered (duplicates acknowledged)
  upload_url TEXT,
  transcript_id TEXT,
  polls INTEGER NOT NULL DEFAULT 0,
  transcript_text TEXT,
  -- The calls row holding the transcript (searchable through call_search like every other call).
  call_id INTEGER REFERENCES calls(id) ON DELETE SET NULL,
  -- Slack: the messages to send (built once, so a resumed post sends exactly what was planned), how many were
  -- acknowledged, and the part in flight. A part still in flight after a restart may or may not have reached Slack:
  -- it is never re-sent automatically.
  slack_messages_json TEXT CHECK (slack_messages_json IS NULL OR json_valid(slack_messages_json)),
  slack_parts_posted INTEGER NOT NULL DEFAULT 0,
  slack_inflight_part INTEGER,
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  posted_at INTEGER
);
CREATE INDEX recording_jobs_due ON recording_jobs(next_at) WHERE state IN ('queued','transcribing','posting');
CREATE INDEX recording_jobs_received ON recording_jobs(received_at);
`;
