// Google Sheets as the truth: each connection keeps the spreadsheet's own time zone and its status rules (time
// format, final statuses); each contact fed by a sheet keeps the Status and Last Attempt Time its row showed at the
// last read (or that the console wrote), which the dialer checks right before it dials the row.
export const up = /* sql */ `
ALTER TABLE sheet_connections ADD COLUMN time_zone TEXT;
ALTER TABLE sheet_connections ADD COLUMN rules_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(rules_json));
ALTER TABLE contacts ADD COLUMN source_status TEXT;
ALTER TABLE contacts ADD COLUMN source_attempt_at INTEGER;
`;
