// Two ways an event finds its call with certainty, or does not find one at all.
//
// selfhosted_call_agents: self-hosted Bolna posts its extraction with no call id, so each call gets its own copy of
// the voice agent whose webhook URL carries a random token; the token → call row is written before the agent
// exists, so the match survives restarts. agent_id is set once the agent server created the copy, deleted_at once it
// was removed after the call.
//
// review_items: events that cannot be tied to a call with certainty (an extraction without a known token). They are
// kept with their raw body for a person to attach to a call or dismiss; nothing is ever attached by guess.
export const up = /* sql */ `
CREATE TABLE selfhosted_call_agents (
  token TEXT PRIMARY KEY,
  call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  agent_id TEXT,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER
);
CREATE INDEX selfhosted_call_agents_call ON selfhosted_call_agents(call_id);
CREATE INDEX selfhosted_call_agents_live ON selfhosted_call_agents(call_id) WHERE agent_id IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE review_items (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL,
  inbox_id INTEGER REFERENCES webhook_inbox(id) ON DELETE SET NULL,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  raw TEXT NOT NULL,
  event_json TEXT NOT NULL CHECK (json_valid(event_json)),
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'attached', 'dismissed')),
  call_id INTEGER REFERENCES calls(id) ON DELETE SET NULL,
  resolved_at INTEGER
);
CREATE UNIQUE INDEX review_items_inbox ON review_items(inbox_id) WHERE inbox_id IS NOT NULL;
CREATE INDEX review_items_open ON review_items(state, received_at);
`;
