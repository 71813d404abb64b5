import { useEffect } from 'react';
import { humanize, LOCAL_ZONE } from '../shell/format';
import { useShell } from '../shell/store';
import { ProvidersPanel } from '../providers/ProvidersPanel';
import { TunnelPanel } from '../providers/TunnelPanel';
import { SheetsPanel } from '../sources/SheetsPanel';

export function SettingsView() {
  const info = useShell((s) => s.info);
  const loadInfo = useShell((s) => s.loadInfo);
  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);
  if (!info) return <p className="muted">Loading…</p>;
  return (
    <div className="settings">
      <section aria-label="About this console">
        <h3>This console</h3>
        <dl className="facts">
          <dt>Version</dt>
          <dd>{info.version}</dd>
          <dt>Running as</dt>
          <dd>{info.host === 'web' ? 'Web host (browser, 127.0.0.1 only)' : humanize(info.host)}</dd>
          <dt>Data folder</dt>
          <dd>
            <code>{info.dataDir}</code>
          </dd>
          <dt>Default country</dt>
          <dd>{info.defaultCountry}</dd>
          <dt>Your time zone</dt>
          <dd>{LOCAL_ZONE}</dd>
        </dl>
        {info.host === 'web' && (
          <p className="warning-text">
            Provider keys are encrypted with a key file in the data folder, weaker than the OS keychain used by the
            desktop app.
          </p>
        )}
      </section>
      <section aria-label="Webhooks">
        <h3>Webhooks</h3>
        <dl className="facts">
          <dt>Local webhook server</dt>
          <dd>{info.webhookBaseUrl ?? <span className="muted">not running</span>}</dd>
          <dt>Public URL</dt>
          <dd>{info.publicUrl ?? <span className="muted">none (no tunnel)</span>}</dd>
        </dl>
      </section>
      <TunnelPanel />
      <ProvidersPanel />
      <SheetsPanel />
    </div>
  );
}
