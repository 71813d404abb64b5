import { useEffect, useState } from 'react';
import {
  SEED_SHEET_MAPPING,
  SHEET_FIELD_HEADERS,
  SHEET_FIELDS,
  type SheetConnection,
  type SheetMapping,
} from '@shared/contract/sources';
import { api } from '../connection/client';
import { useNow } from '../shell/clock';
import { formatDateTime } from '../shell/format';
import './sheets.css';
import { useSources } from './store';

// Google Sheets as a contact source (Settings → Google Sheets): credentials, connecting a tab, and each
// connection's health. Key files are read here and sent as text; they never come back from the core.

/** A drop target and file picker for one kind of JSON file; stops the window's import drop from taking it. */
function JsonFileDrop({ label, onFile }: { label: string; onFile: (file: File) => void }) {
  const [over, setOver] = useState(false);
  return (
    <div
      className="card"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        e.stopPropagation();
        setOver(false);
        const file = e.dataTransfer.files[0];
        if (file) onFile(file);
      }}
    >
      <label>
        {label}
        <input
          type="file"
          accept=".json,application/json"
          aria-label={label}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onFile(file);
            e.target.value = '';
          }}
        />
      </label>
      <span className="hint">{over ? 'Drop to add it' : 'or drop the .json file here'}</span>
    </div>
  );
}

function ConnectForm() {
  const { credentials, inspection, busy, inspect, connect } = useSources();
  const [url, setUrl] = useState('');
  const [credentialId, setCredentialId] = useState<number | null>(null);
  // Edits belong to the inspection they were made on; a new inspection starts again from its suggested mapping.
  const [edited, setEdited] = useState<{ of: NonNullable<typeof inspection>; mapping: SheetMapping } | null>(null);
  const mapping = !inspection
    ? SEED_SHEET_MAPPING
    : edited?.of === inspection
      ? edited.mapping
      : inspection.suggestedMapping;
  const setMapping = (next: SheetMapping) => inspection && setEdited({ of: inspection, mapping: next });
  const [keyKind, setKeyKind] = useState<'phone' | 'id'>('phone');
  const [addMissing, setAddMissing] = useState(false);
  const [minutes, setMinutes] = useState(2);
  const credential = credentialId ?? credentials[0]?.id ?? null;
  if (credentials.length === 0) return <p className="muted">Add a service-account key or sign in with Google first.</p>;
  return (
    <form
      className="add-form"
      aria-label="Connect a Google Sheet"
      onSubmit={(e) => {
        e.preventDefault();
        if (credential === null) return;
        if (!inspection) return void inspect(url, credential);
        void connect({
          url,
          credentialId: credential,
          gid: inspection.gid,
          mapping,
          keyKind,
          addMissingColumns: addMissing,
          pollIntervalMs: minutes * 60_000,
        }).then((ok) => ok && setUrl(''));
      }}
    >
      <div className="row">
        <label className="grow">
          Sheet link
          <input
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://docs.google.com/spreadsheets/d/…/edit#gid=0"
            required
          />
        </label>
        <label>
          Google account
          <select value={credential ?? ''} onChange={(e) => setCredentialId(Number(e.target.value))}>
            {credentials.map((c) => (
              <option key={c.id} value={c.id}>
                {c.account} ({c.kind === 'oauth' ? 'signed in' : 'service account'})
              </option>
            ))}
          </select>
        </label>
      </div>
      {inspection && (
        <>
          <div className="row">
            <label>
              Tab
              <select
                value={inspection.gid}
                onChange={(e) => credential !== null && void inspect(url, credential, Number(e.target.value))}
              >
                {inspection.tabs.map((t) => (
                  <option key={t.gid} value={t.gid}>
                    {t.title}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Match rows by
              <select value={keyKind} onChange={(e) => setKeyKind(e.target.value as 'phone' | 'id')}>
                <option value="phone">Phone number</option>
                <option value="id">An id column the console fills in</option>
              </select>
            </label>
            <label>
              Read every (minutes)
              <input
                type="number"
                min={1}
                max={1440}
                value={minutes}
                onChange={(e) => setMinutes(Math.max(1, Number(e.target.value)))}
              />
            </label>
          </div>
          <div className="form-grid" role="group" aria-label="Column mapping">
            {SHEET_FIELDS.filter((f) => f !== 'id' || keyKind === 'id').map((f) => (
              <label key={f}>
                {SHEET_FIELD_HEADERS[f]}
                <input
                  value={mapping[f] ?? ''}
                  maxLength={3}
                  placeholder="column"
                  onChange={(e) => setMapping({ ...mapping, [f]: e.target.value.toUpperCase() || undefined })}
                />
              </label>
            ))}
          </div>
          {inspection.missingColumns.length > 0 && (
            <label className="check">
              <input type="checkbox" checked={addMissing} onChange={(e) => setAddMissing(e.target.checked)} />
              Let the console add the missing columns (
              {inspection.missingColumns.map((m) => `${m.column} ${m.header}`).join(', ')}) to the sheet
            </label>
          )}
        </>
      )}
      <button type="submit" className="primary" disabled={busy || !url}>
        {inspection ? 'Connect' : 'Read the sheet'}
      </button>
    </form>
  );
}

/** Google refuses writes (quota, outage): say how far behind the sheet is; the console retries at least every 30 s. */
function SheetBehind({ since, pending }: { since: number; pending: number }) {
  const now = useNow(1000);
  const seconds = Math.max(0, Math.round((now - since) / 1000));
  const behind = seconds < 90 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
  return (
    <div className="sheet-behind" role="status">
      Sheet behind by {behind}: {pending} row update{pending === 1 ? '' : 's'} waiting for Google to accept writes again
      (retried at least every 30 s).
    </div>
  );
}

function ConnectionRow({ c }: { c: SheetConnection }) {
  const { sync, flush, setPaused, disconnect } = useSources();
  const h = c.health;
  return (
    <tr>
      <td>
        <a href={c.url} target="_blank" rel="noreferrer">
          {c.spreadsheetTitle} – {c.sheetTitle}
        </a>
        <div className="hint">
          rows by {c.keyKind === 'phone' ? 'phone' : 'id column'}; {h.rowsSeen} rows{c.paused ? '; paused' : ''}
        </div>
      </td>
      <td>{formatDateTime(h.lastReadAt)}</td>
      <td>{formatDateTime(h.lastWriteAt)}</td>
      <td>
        {h.pendingWrites}
        {h.behindSince !== null && <SheetBehind since={h.behindSince} pending={h.pendingWrites} />}
      </td>
      <td>
        {h.lastError ? (
          <span className="warning-text" role="alert">
            {h.lastError}
          </span>
        ) : (
          <span className="muted">none</span>
        )}
        {h.rejected.length > 0 && (
          <details>
            <summary>{h.rejected.length} rows skipped</summary>
            <ul className="report">
              {h.rejected.map((r) => (
                <li key={`${r.row}-${r.column}`}>
                  Row {r.row}, column {r.column} ({r.value || 'empty'}): {r.reason}
                </li>
              ))}
            </ul>
          </details>
        )}
      </td>
      <td className="actions">
        <button type="button" className="small" onClick={() => void sync(c.id)}>
          Read now
        </button>
        <button type="button" className="small" onClick={() => void flush(c.id)} disabled={h.pendingWrites === 0}>
          Write now
        </button>
        <button type="button" className="small" onClick={() => void setPaused(c.id, !c.paused)}>
          {c.paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="small danger" onClick={() => void disconnect(c.id)}>
          Disconnect
        </button>
      </td>
    </tr>
  );
}

export function SheetsPanel() {
  const { credentials, connections, oauth, load, addKeyFile, startOAuth } = useSources();
  useEffect(() => {
    void load();
  }, [load]);
  if (!api.has('sources.sheets.list')) return null;
  return (
    // Full width of the settings grid: the mapping and the health table need the room.
    <section aria-label="Google Sheets" style={{ gridColumn: '1 / -1' }}>
      <h3>Google Sheets</h3>
      <p className="hint">
        Contacts come from a sheet you share; each call's status, execution id, duration, time, notes, transcript and
        summary are written back to its row.
      </p>
      <div className="first-run">
        <div className="cards">
          <JsonFileDrop label="Add a service-account key file" onFile={(f) => void addKeyFile(f)} />
          <JsonFileDrop label="Sign in with Google (desktop OAuth client file)" onFile={(f) => void startOAuth(f)} />
        </div>
      </div>
      {oauth && (
        <p role="status">
          Open{' '}
          <a href={oauth.authUrl} target="_blank" rel="noreferrer">
            Google's consent page
          </a>{' '}
          in your browser and allow access; this page updates when you are done.
        </p>
      )}
      {credentials.length > 0 && (
        <ul aria-label="Google accounts">
          {credentials.map((c) => (
            <li key={c.id}>
              {c.account} <span className="muted">({c.kind === 'oauth' ? 'signed in' : 'service account'})</span>
            </li>
          ))}
        </ul>
      )}
      <ConnectForm />
      {connections.length > 0 && (
        <table aria-label="Connected sheets">
          <thead>
            <tr>
              <th>Sheet</th>
              <th>Last read</th>
              <th>Last write</th>
              <th>Waiting writes</th>
              <th>Problems</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {connections.map((c) => (
              <ConnectionRow key={c.id} c={c} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
