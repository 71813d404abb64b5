import { useEffect, useState, type FormEvent } from 'react';
import { LOG_LEVELS } from '@shared/contract/analytics';
import { WIPE_CONFIRMATION } from '@shared/contract/maintenance';
import { formatDateTime, humanize } from '../shell/format';
import { useLogs, type Level } from './store';

// What the dialer, webhook server, tunnel and sources did (secrets already redacted by the core), and the data
// tools: backup, restore, wipe. Restore and wipe are staged by the core and finish when the host restarts the console (it does so by itself).

const LEVEL_COLORS: Record<Level, string> = { debug: '#6b7280', info: '#2563eb', warn: '#ca8a04', error: '#dc2626' };

function DataPanel() {
  const { backups, busy, pendingRestart } = useLogs();
  const { backup, restore, wipe, loadBackups } = useLogs.getState();
  const [backupPath, setBackupPath] = useState('');
  const [restorePath, setRestorePath] = useState('');
  const [confirm, setConfirm] = useState('');
  const [includeSettings, setIncludeSettings] = useState(false);
  useEffect(() => {
    void loadBackups();
  }, [loadBackups]);
  const onWipe = async (e: FormEvent) => {
    e.preventDefault();
    if (await wipe(confirm, includeSettings)) setConfirm('');
  };
  return (
    <section className="card" aria-label="Backup, restore and wipe">
      <h3>Data</h3>
      {pendingRestart && (
        <p className="warning-text" role="status">
          {pendingRestart}
        </p>
      )}
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void backup(backupPath);
        }}
      >
        <label>
          Backup to (file or folder; empty = the data folder's backups)
          <input value={backupPath} onChange={(e) => setBackupPath(e.target.value)} placeholder="backups folder" />
        </label>
        <button type="submit" disabled={busy}>
          Back up now
        </button>
      </form>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void restore(restorePath);
        }}
      >
        <label>
          Restore from
          <input
            list="known-backups"
            value={restorePath}
            onChange={(e) => setRestorePath(e.target.value)}
            placeholder="path to a console backup (.db)"
            required
          />
          <datalist id="known-backups">
            {backups.map((b) => (
              <option key={b.path} value={b.path}>
                {formatDateTime(b.at)}
              </option>
            ))}
          </datalist>
        </label>
        <button type="submit" disabled={busy || !restorePath.trim()}>
          Restore…
        </button>
        <span className="hint">
          The current data is backed up first; the console then restarts by itself to finish the restore.
        </span>
      </form>
      <form className="toolbar" onSubmit={(e) => void onWipe(e)}>
        <label>
          Type {WIPE_CONFIRMATION} to delete every list, contact, campaign, call and log
          <input
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            aria-describedby="wipe-hint"
            autoComplete="off"
          />
        </label>
        <label>
          <span>
            <input type="checkbox" checked={includeSettings} onChange={(e) => setIncludeSettings(e.target.checked)} />{' '}
            also settings and keys
          </span>
        </label>
        <button type="submit" className="danger" disabled={busy || confirm !== WIPE_CONFIRMATION}>
          Wipe
        </button>
        <span id="wipe-hint" className="hint">
          A backup is taken first.
        </span>
      </form>
      {backups.length > 0 && (
        <details>
          <summary>{backups.length} backup(s) in the data folder</summary>
          <ul className="activity">
            {backups.map((b) => (
              <li key={b.path}>
                <time>{formatDateTime(b.at)}</time> {b.path} ({Math.round(b.bytes / 1024)} KB, schema {b.schemaVersion})
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

export function LogsView() {
  const { entries, scopes, campaigns, minLevel, campaignId, callId, scope } = useLogs();
  const { setFilter, load } = useLogs.getState();
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="logs" aria-label="Logs">
      <div className="toolbar">
        <label>
          Level
          <select value={minLevel} onChange={(e) => setFilter({ minLevel: e.target.value as Level })}>
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {humanize(l)} and above
              </option>
            ))}
          </select>
        </label>
        <label>
          Campaign
          <select
            value={campaignId ?? ''}
            onChange={(e) => setFilter({ campaignId: e.target.value ? Number(e.target.value) : null })}
          >
            <option value="">All</option>
            {campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <select value={scope ?? ''} onChange={(e) => setFilter({ scope: e.target.value || null })}>
            <option value="">All</option>
            {scopes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Call
          <input
            type="number"
            min={1}
            inputMode="numeric"
            placeholder="All"
            aria-label="Call id"
            value={callId ?? ''}
            onChange={(e) => setFilter({ callId: e.target.value ? Number(e.target.value) : null })}
          />
        </label>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <table aria-label="Log entries">
        <thead>
          <tr>
            <th>Time</th>
            <th>Level</th>
            <th>Source</th>
            <th>Campaign</th>
            <th>Call</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e, i) => (
            <tr key={`${e.source}-${e.at}-${i}`} data-level={e.level}>
              <td>
                <time>{formatDateTime(e.at)}</time>
              </td>
              <td>
                <span className="badge" style={{ borderColor: LEVEL_COLORS[e.level], color: LEVEL_COLORS[e.level] }}>
                  {e.level}
                </span>
              </td>
              <td>{e.scope}</td>
              <td>{e.campaignId ?? ''}</td>
              <td>
                {e.callId !== null && (
                  <button
                    type="button"
                    className="link"
                    title={`Show only call ${e.callId}`}
                    onClick={() => setFilter({ callId: e.callId })}
                  >
                    {e.callId}
                  </button>
                )}
              </td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length === 0 && <p className="muted">Nothing logged at this level yet.</p>}
      <DataPanel />
    </section>
  );
}
