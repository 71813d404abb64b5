import { useEffect, useId, useState } from 'react';
import type { TunnelStatus } from '@shared/contract/providers';
import { api } from '../connection/client';
import { formatDateTime, humanize } from '../shell/format';
import { CopyField } from './CopyField';
import { useProviders } from './store';
import './providers.css';

// Settings → Tunnel: how providers reach this computer's webhook server, with live status and a round-trip test.

const MODES: { mode: TunnelStatus['mode']; label: string; hint: string }[] = [
  { mode: 'none', label: 'None', hint: 'Webhooks only reach this computer from the local network.' },
  {
    mode: 'localtunnel',
    label: 'localtunnel',
    hint: 'A free public URL through localtunnel.me or your own localtunnel server.',
  },
  {
    mode: 'custom_url',
    label: 'My own public URL',
    hint: 'You run the forwarding (ngrok, a reverse proxy) to the local webhook server.',
  },
];

function Field({
  label,
  value,
  onChange,
  error,
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  placeholder?: string;
}) {
  const id = useId();
  return (
    <div className="field wide">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        placeholder={placeholder}
        spellCheck={false}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error && (
        <span id={`${id}-error`} className="error-text field-error">
          {error}
        </span>
      )}
    </div>
  );
}

function TunnelForm({ status }: { status: TunnelStatus }) {
  const configure = useProviders((s) => s.configureTunnel);
  const errors = useProviders((s) => s.errors.tunnel) ?? {};
  const saving = useProviders((s) => s.saving === 'tunnel');
  const formId = useId();
  const [mode, setMode] = useState(status.mode);
  const [host, setHost] = useState(
    status.mode === 'localtunnel' && status.host !== 'https://localtunnel.me' ? (status.host ?? '') : '',
  );
  const [subdomain, setSubdomain] = useState(status.subdomain ?? '');
  const [publicUrl, setPublicUrl] = useState(status.mode === 'custom_url' ? (status.publicUrl ?? '') : '');
  return (
    <form
      aria-label="Tunnel settings"
      onSubmit={(e) => {
        e.preventDefault();
        const opt = (v: string) => (v.trim() ? v.trim() : undefined);
        void configure(
          mode === 'localtunnel'
            ? { mode, host: opt(host), subdomain: opt(subdomain) }
            : mode === 'custom_url'
              ? { mode, publicUrl: opt(publicUrl) }
              : { mode },
        );
      }}
    >
      <fieldset>
        <legend>Tunnel mode</legend>
        {MODES.map((m) => (
          <div key={m.mode} className="tunnel-mode">
            <label className="check">
              <input
                type="radio"
                name="tunnel-mode"
                value={m.mode}
                checked={mode === m.mode}
                onChange={() => setMode(m.mode)}
                aria-describedby={`${formId}-${m.mode}`}
              />
              {m.label}
            </label>
            <span id={`${formId}-${m.mode}`} className="hint">
              {m.hint}
            </span>
          </div>
        ))}
      </fieldset>
      {mode === 'localtunnel' && (
        <div className="form-grid">
          <Field
            label="Tunnel server (optional)"
            value={host}
            onChange={setHost}
            error={errors.host}
            placeholder="https://localtunnel.me"
          />
          <Field
            label="Subdomain (optional)"
            value={subdomain}
            onChange={setSubdomain}
            error={errors.subdomain}
            placeholder="my-call-console"
          />
        </div>
      )}
      {mode === 'custom_url' && (
        <div className="form-grid">
          <Field
            label="Public URL"
            value={publicUrl}
            onChange={setPublicUrl}
            error={errors.publicUrl}
            placeholder="https://calls.example.com"
          />
        </div>
      )}
      {(errors.form || errors.mode) && (
        <p className="error-text" role="alert">
          {errors.form ?? errors.mode}
        </p>
      )}
      <button type="submit" className="primary" disabled={saving}>
        {saving ? 'Applying…' : 'Apply'}
      </button>
    </form>
  );
}

function SelfTestResult() {
  const result = useProviders((s) => s.selfTest);
  if (!result) return null;
  if (result === 'running') return <span role="status">Sending a request through the public URL…</span>;
  return (
    // A success message already states the round trip.
    <span role="status" className={result.ok ? 'ok-text' : 'failed-text'}>
      {result.ok ? result.message : `Failed: ${result.message}`}
      {!result.ok && result.roundTripMs !== null && (
        <span className="muted"> ({result.roundTripMs} ms round trip)</span>
      )}
    </span>
  );
}

export function TunnelPanel() {
  const status = useProviders((s) => s.tunnel);
  const { load, startTunnel, stopTunnel, runSelfTest } = useProviders.getState();
  const selfTesting = useProviders((s) => s.selfTest === 'running');
  useEffect(() => {
    void load();
  }, [load]);
  if (!api.has('tunnel.status')) return null;
  if (!status) return null;
  return (
    // Full width of the settings grid: the form and the live status side by side.
    <section aria-label="Tunnel" style={{ gridColumn: '1 / -1' }}>
      <h3>Tunnel</h3>
      <p className="hint">
        Hosted providers send call updates to a public URL that forwards to this computer’s webhook server.
      </p>
      <div className="tunnel-columns">
        {/* Keyed by the saved configuration so the form shows what is in force after each apply. */}
        <TunnelForm key={`${status.mode} ${status.host} ${status.subdomain}`} status={status} />
        <div>
          <h4>Status</h4>
          <dl className="facts" aria-label="Tunnel status">
            <dt>State</dt>
            <dd className={status.state === 'error' ? 'error-text' : status.connected ? 'ok-text' : undefined}>
              {humanize(status.state)}
            </dd>
            <dt>Connected</dt>
            <dd>{status.connected ? 'yes' : 'no'}</dd>
            <dt>Connected since</dt>
            <dd>{formatDateTime(status.connectedAt)}</dd>
            <dt>Last webhook</dt>
            <dd>
              {status.lastWebhookAt ? formatDateTime(status.lastWebhookAt) : <span className="muted">none yet</span>}
            </dd>
            <dt>Reconnects</dt>
            <dd>{status.reconnects}</dd>
            {status.lastError && (
              <>
                <dt>Problem</dt>
                <dd className="error-text">{status.lastError}</dd>
              </>
            )}
          </dl>
          {status.publicUrl ? (
            <CopyField label="Public URL" value={status.publicUrl} />
          ) : (
            <p className="muted">No public URL.</p>
          )}
          <div className="provider-actions">
            <button
              type="button"
              onClick={() => void startTunnel()}
              disabled={status.mode === 'none' || status.state === 'connected' || status.state === 'connecting'}
            >
              Start
            </button>
            <button type="button" onClick={() => void stopTunnel()} disabled={status.state === 'off'}>
              Stop
            </button>
            <button type="button" onClick={() => void runSelfTest()} disabled={!status.publicUrl || selfTesting}>
              Self-test
            </button>
            <SelfTestResult />
          </div>
        </div>
      </div>
    </section>
  );
}
