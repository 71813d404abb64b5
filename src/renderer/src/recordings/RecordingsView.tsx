import { useEffect, useState, type FormEvent } from 'react';
import type { RecordingJob } from '@shared/contract/recordings';
import { formatDateTime, formatDuration, humanize } from '../shell/format';
import { useRecordings, type RecordingFilter } from './store';

// Call recordings → transcription → Slack: what arrived, where each one stands, why a failed one stopped, and a
// Retry button; plus the settings the pipeline needs (keys are write-only: only "set …1234" comes back).

const STATE_COLORS: Record<RecordingJob['state'], string> = {
  queued: '#6b7280',
  transcribing: '#2563eb',
  posting: '#ca8a04',
  posted: '#0f766e',
  failed: '#dc2626',
};

function RecordingBadge({ state }: { state: RecordingJob['state'] }) {
  const color = STATE_COLORS[state];
  return (
    <span className="badge" style={{ borderColor: color, color }} data-state={state}>
      <span className="dot" style={{ background: color }} aria-hidden="true" />
      {humanize(state)}
    </span>
  );
}

function Stats() {
  const stats = useRecordings((s) => s.stats);
  if (!stats) return null;
  const items: [string, number][] = [
    ['Processed', stats.processed],
    ['Posted', stats.posted],
    ['Failed', stats.failed],
    ['In progress', stats.pending],
    ['Duplicates skipped', stats.duplicates],
  ];
  return (
    <div className="kpi-group" role="group" aria-label="Recording counts">
      {items.map(([label, n]) => (
        <div key={label} className="kpi card">
          <span>{label}</span>
          <strong aria-label={label}>{n}</strong>
        </div>
      ))}
    </div>
  );
}

function Detail() {
  const detail = useRecordings((s) => s.detail);
  const close = useRecordings((s) => s.close);
  if (!detail) return null;
  const { job, transcript } = detail;
  return (
    <section className="call-detail" aria-label={`Recording ${job.externalId} detail`}>
      <header>
        <h3>{job.externalId}</h3>
        <RecordingBadge state={job.state} />
        <button type="button" onClick={close} aria-label="Close recording detail">
          Close
        </button>
      </header>
      {job.error && <p className={job.state === 'failed' ? 'error-text' : 'warning-text'}>{job.error}</p>}
      <dl className="facts">
        <dt>Direction</dt>
        <dd>{humanize(job.direction)}</dd>
        <dt>Support number</dt>
        <dd>{job.supportNumber}</dd>
        <dt>Customer</dt>
        <dd>{job.customerNumber}</dd>
        <dt>Agent</dt>
        <dd>{[job.agentName, job.agentSlackHandle].filter(Boolean).join(' · ') || '—'}</dd>
        <dt>Slack</dt>
        <dd>
          {job.slackPartsTotal === null
            ? 'not built yet'
            : `${job.slackPartsPosted} of ${job.slackPartsTotal} message(s) posted`}
        </dd>
        <dt>Deliveries</dt>
        <dd>{job.deliveries}</dd>
      </dl>
      <h4>Transcript</h4>
      {transcript ? (
        <pre className="transcript" aria-label="Transcript">
          {transcript}
        </pre>
      ) : (
        <p className="muted">No transcript yet.</p>
      )}
    </section>
  );
}

function SecretField({
  label,
  status,
  value,
  onChange,
}: {
  label: string;
  status: { configured: boolean; hint: string | null };
  value: string;
  onChange(v: string): void;
}) {
  return (
    <label>
      {label}
      <input
        type="password"
        autoComplete="off"
        value={value}
        placeholder={status.configured ? `set (${status.hint ?? '…'}); type to replace` : 'not set'}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

function Settings() {
  const settings = useRecordings((s) => s.settings);
  const loadSettings = useRecordings((s) => s.loadSettings);
  const save = useRecordings((s) => s.saveSettings);
  const [support, setSupport] = useState<string | null>(null);
  const [slack, setSlack] = useState('');
  const [aai, setAai] = useState('');
  const [exoKey, setExoKey] = useState('');
  const [exoToken, setExoToken] = useState('');
  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);
  if (!settings) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await save({
      supportNumber: support ?? undefined,
      slackWebhookUrl: slack.trim() || undefined,
      assemblyaiKey: aai.trim() || undefined,
      ...(exoKey.trim() && exoToken.trim() ? { exotelApiKey: exoKey.trim(), exotelApiToken: exoToken.trim() } : {}),
    });
    if (ok) {
      setSlack('');
      setAai('');
      setExoKey('');
      setExoToken('');
      setSupport(null);
    }
  };
  return (
    <details className="card">
      <summary>Settings: Zapier address, support number, Slack and AssemblyAI</summary>
      <p className="hint">
        Point the automation (Zapier “Webhooks by Zapier → POST”, JSON) at:{' '}
        {settings.zapierHookUrl ? (
          <code aria-label="Zapier hook URL">{settings.zapierHookUrl}</code>
        ) : (
          <span className="muted">the webhook server is not running</span>
        )}
      </p>
      <form className="form-grid" onSubmit={(e) => void submit(e)} aria-label="Recording settings">
        <label>
          Support number
          <input
            value={support ?? settings.supportNumber}
            onChange={(e) => setSupport(e.target.value)}
            placeholder="e.g. 09631084471"
          />
        </label>
        <SecretField label="Slack webhook URL" status={settings.slackWebhook} value={slack} onChange={setSlack} />
        <SecretField label="AssemblyAI API key" status={settings.assemblyaiKey} value={aai} onChange={setAai} />
        <SecretField label="Exotel API key" status={settings.exotelCredentials} value={exoKey} onChange={setExoKey} />
        <SecretField
          label="Exotel API token"
          status={settings.exotelCredentials}
          value={exoToken}
          onChange={setExoToken}
        />
        <label>
          <input
            type="checkbox"
            checked={settings.processConsoleCalls}
            onChange={(e) => void save({ processConsoleCalls: e.target.checked })}
          />{' '}
          Also transcribe and post this console’s own finished calls
        </label>
        <label>
          <input
            type="checkbox"
            checked={settings.slackShowDirection}
            onChange={(e) => void save({ slackShowDirection: e.target.checked })}
          />{' '}
          Add the call’s direction (incoming/outgoing) to the Slack message
        </label>
        <div>
          <button type="submit">Save settings</button>
        </div>
      </form>
    </details>
  );
}

export function RecordingsView() {
  const { jobs, filter, setFilter, load, retry, open } = useRecordings();
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div className="recordings">
      <div className="toolbar">
        <Stats />
        <label>
          Show
          <select
            value={filter}
            onChange={(e) => setFilter(e.target.value as RecordingFilter)}
            aria-label="Filter recordings"
          >
            <option value="all">All</option>
            <option value="active">In progress</option>
            <option value="failed">Failed</option>
            <option value="posted">Posted</option>
          </select>
        </label>
      </div>
      <Settings />
      <Detail />
      {jobs.length === 0 ? (
        <p className="muted">
          No recordings yet. Call records your automation posts to the Zapier address (see Settings above) appear here,
          are transcribed with speaker labels and posted to Slack once.
        </p>
      ) : (
        <table aria-label="Processed recordings">
          <thead>
            <tr>
              <th>Received</th>
              <th>Call</th>
              <th>Direction</th>
              <th>Customer</th>
              <th>Agent</th>
              <th>Department</th>
              <th>Duration</th>
              <th>State</th>
              <th>Problem</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id}>
                <td>{formatDateTime(j.receivedAt)}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() => void open(j.id)}
                    aria-label={`Open recording ${j.externalId}`}
                  >
                    {j.externalId}
                  </button>
                  {j.deliveries > 1 && <span className="hint"> ×{j.deliveries}</span>}
                </td>
                <td>{humanize(j.direction)}</td>
                <td>{j.customerNumber}</td>
                <td>{j.agentSlackHandle ?? j.agentName ?? '—'}</td>
                <td>{j.department ?? '—'}</td>
                <td>{formatDuration(j.durationS)}</td>
                <td>
                  <RecordingBadge state={j.state} />
                </td>
                <td className={j.state === 'failed' ? 'error-text' : 'hint'}>{j.error ?? ''}</td>
                <td>
                  {j.state === 'failed' && (
                    <button
                      type="button"
                      onClick={() => void retry(j.id)}
                      aria-label={`Retry recording ${j.externalId}`}
                    >
                      Retry
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
