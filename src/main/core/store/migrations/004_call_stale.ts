// Whether the console ended a call because the provider went silent (the stale sweep) or forgot it (reconciliation
// found no such call) is a column, not a prefix of the error text. Rows written before this step are recognised by
// what those endings wrote: the "Stale:" error text, or the console.stale event.
export const up = /* sql */ `
ALTER TABLE calls ADD COLUMN stale INTEGER NOT NULL DEFAULT 0 CHECK (stale IN (0, 1));

UPDATE calls SET stale = 1
 WHERE substr(error, 1, 6) = 'Stale:'
    OR id IN (SELECT call_id FROM call_events WHERE kind = 'console.stale' AND call_id IS NOT NULL);
`;
