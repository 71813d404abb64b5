import { useId } from 'react';
import { CONTACT_FIELDS, OUTCOMES, type Outcome } from '@shared/domain';
import { humanize } from '../shell/format';

// The campaign form's two mapping editors: which contact fields reach the voice agent under which names, and which
// words in the provider's analysis mean which outcome. Each edits a plain record; an empty row is ignored.

type Row = [string, string];

function rowsOf(record: Record<string, string>): Row[] {
  return Object.entries(record);
}

function recordOf(rows: Row[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of rows) if (k.trim() && v.trim()) out[k.trim()] = v.trim();
  return out;
}

/**
 * Contact field or list column → the variable name the voice agent sees. Empty: every field and column is passed
 * under its own name.
 */
export function VariableMappingEditor({
  value,
  columns,
  onChange,
}: {
  value: Record<string, string>;
  /** Columns of the list open in Contacts, suggested beside the contact's own fields (any name can be typed). */
  columns: string[];
  onChange(next: Record<string, string>): void;
}) {
  const listId = useId();
  const rows = rowsOf(value);
  const set = (next: Row[]) => onChange(recordOf(next));
  return (
    <fieldset className="mapping-editor" aria-label="Variable mapping">
      <legend>Dynamic variables</legend>
      <p className="hint">
        {rows.length === 0
          ? 'Every contact field (name, phone, phone_raw, email, timezone) and every list column is passed to the voice agent under its own name. Add a row to rename and choose.'
          : 'Only these are passed, under the names on the right.'}
      </p>
      <datalist id={listId}>
        {[...CONTACT_FIELDS, ...columns].map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      {rows.map(([field, as], i) => (
        <div className="mapping-row" key={i}>
          <input
            aria-label={`Contact field ${i + 1}`}
            list={listId}
            value={field}
            placeholder="contact field or column"
            onChange={(e) => set(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))}
          />
          <span aria-hidden="true">→</span>
          <input
            aria-label={`Variable name ${i + 1}`}
            value={as}
            placeholder="name the agent sees"
            onChange={(e) => set(rows.map((r, j) => (j === i ? [r[0], e.target.value] : r)))}
          />
          <button
            type="button"
            aria-label={`Remove variable ${i + 1}`}
            onClick={() => set(rows.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() => {
          const unused = [...CONTACT_FIELDS, ...columns].find((f) => !(f in value)) ?? 'field';
          onChange({ ...value, [unused]: unused });
        }}
      >
        Add variable
      </button>
    </fieldset>
  );
}

/** A value in the provider's analysis or extracted data (any case) → the contact's outcome. */
export function OutcomeMappingEditor({
  value,
  onChange,
}: {
  value: Record<string, Outcome>;
  onChange(next: Record<string, Outcome>): void;
}) {
  const rows = Object.entries(value) as [string, Outcome][];
  const set = (next: [string, Outcome][]) => {
    const out: Record<string, Outcome> = {};
    for (const [k, v] of next) if (k.trim()) out[k.trim().toLowerCase()] = v;
    onChange(out);
  };
  return (
    <fieldset className="mapping-editor" aria-label="Outcome mapping">
      <legend>Outcomes</legend>
      <p className="hint">
        What the provider says (its outcome hint or an extracted value, any case) and the outcome it means. Values
        already named like an outcome (“wrong number”, “do-not-call”) need no row.
      </p>
      {rows.map(([said, outcome], i) => (
        <div className="mapping-row" key={i}>
          <input
            aria-label={`Provider value ${i + 1}`}
            value={said}
            placeholder="e.g. order confirmed"
            onChange={(e) => set(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))}
          />
          <span aria-hidden="true">→</span>
          <select
            aria-label={`Outcome ${i + 1}`}
            value={outcome}
            onChange={(e) => set(rows.map((r, j) => (j === i ? [r[0], e.target.value as Outcome] : r)))}
          >
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {humanize(o)}
              </option>
            ))}
          </select>
          <button
            type="button"
            aria-label={`Remove outcome ${i + 1}`}
            onClick={() => set(rows.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange({ ...value, [`value ${rows.length + 1}`]: 'confirmed' })}>
        Add outcome
      </button>
    </fieldset>
  );
}
