import { useEffect, useId, useState } from 'react';
import type { ConfigurableProvider, ProviderView } from '@shared/contract/providers';
import { api } from '../connection/client';
import { CopyField } from './CopyField';
import { PROVIDER_FIELDS, useProviders, type FieldErrors, type FieldSpec } from './store';
import './providers.css';

// Settings → Providers: one tab per provider with its keys, numbers and agent, a connection test, what is still
// missing, and the webhook URLs for its dashboard. Saved keys show only as "key ending …1234".

const settingsDraft = (view: ProviderView): Record<string, string> => {
  const stored = view.settings ?? {};
  const fields = PROVIDER_FIELDS[view.name as ConfigurableProvider];
  return Object.fromEntries(Object.keys(fields).map((f) => [f, typeof stored[f] === 'string' ? stored[f] : '']));
};

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} className="error-text field-error">
      {message}
    </span>
  );
}

function SettingField({
  name,
  spec,
  value,
  error,
  onChange,
}: {
  name: string;
  spec: FieldSpec;
  value: string;
  error: string | undefined;
  onChange: (v: string) => void;
}) {
  const id = useId();
  const describedBy =
    [error ? `${id}-error` : null, spec.hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={spec.kind === 'url' ? 'field wide' : spec.kind === 'region' ? 'field span2' : 'field'}>
      <label htmlFor={id}>{spec.label}</label>
      {spec.kind === 'region' ? (
        <select
          id={id}
          name={name}
          value={value || 'sg'}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        >
          <option value="sg">Singapore (api.exotel.com)</option>
          <option value="in">Mumbai (api.in.exotel.com)</option>
        </select>
      ) : (
        <input
          id={id}
          name={name}
          type={spec.kind === 'url' ? 'url' : 'text'}
          inputMode={spec.kind === 'tel' ? 'tel' : undefined}
          value={value}
          placeholder={spec.placeholder}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        />
      )}
      {spec.hint && (
        <span id={`${id}-hint`} className="hint">
          {spec.hint}
        </span>
      )}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

/** A saved key shows only its hint and a Replace button; a new or replaced one is a password input. */
function KeyField({
  k,
  value,
  replacing,
  error,
  onChange,
  onReplace,
}: {
  k: ProviderView['keys'][number];
  value: string;
  replacing: boolean;
  error: string | undefined;
  onChange: (v: string) => void;
  onReplace: (replace: boolean) => void;
}) {
  const id = useId();
  if (k.hasKey && !replacing) {
    return (
      <div className="key-saved" role="group" aria-label={k.label}>
        <span className="copy-label">{k.label}</span>
        <span>
          Saved, key ending <code>{k.hint?.replace(/^…/, '') ?? '????'}</code>
        </span>
        <button type="button" className="small" aria-label={`Replace ${k.label}`} onClick={() => onReplace(true)}>
          Replace
        </button>
      </div>
    );
  }
  return (
    <div className="field wide">
      <label htmlFor={id}>{k.label}</label>
      <span className="key-input">
        <input
          id={id}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          placeholder={k.hasKey ? 'new key' : 'paste the key'}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        {k.hasKey && (
          <button type="button" className="small" onClick={() => onReplace(false)}>
            Keep the saved key
          </button>
        )}
      </span>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

function ConnectionTestResult({ provider }: { provider: ConfigurableProvider }) {
  const result = useProviders((s) => s.tests[provider]);
  if (!result) return null;
  if (result === 'running') return <span role="status">Testing…</span>;
  return (
    <span role="status" className={result.ok ? 'ok-text' : 'failed-text'}>
      {result.ok ? 'Connected' : 'Failed'}: {result.message}{' '}
      <span className="muted">({result.roundTripMs} ms round trip)</span>
    </span>
  );
}

function CreateAgent({ errors }: { errors: FieldErrors }) {
  const createAgent = useProviders((s) => s.createAgent);
  const saving = useProviders((s) => s.saving);
  const [json, setJson] = useState('');
  const id = useId();
  return (
    <form
      className="create-agent"
      aria-label="Create an agent from its JSON definition"
      onSubmit={(e) => {
        e.preventDefault();
        void createAgent(json).then((ok) => ok && setJson(''));
      }}
    >
      <h4>Create an agent from its JSON definition</h4>
      <div className="field">
        <label htmlFor={id}>Agent definition (JSON)</label>
        <textarea
          id={id}
          rows={6}
          value={json}
          spellCheck={false}
          placeholder='{ "agent_config": { "agent_name": "Reminder", … }, "agent_prompts": { … } }'
          onChange={(e) => setJson(e.target.value)}
          aria-invalid={errors.definition ? true : undefined}
          aria-describedby={errors.definition ? `${id}-error` : undefined}
        />
        <FieldError id={`${id}-error`} message={errors.definition} />
      </div>
      <p className="hint">
        Posted to the agent server with this console’s extraction webhook; the returned id becomes the agent id.
      </p>
      <button type="submit" disabled={!json.trim() || saving !== null}>
        Create agent
      </button>
    </form>
  );
}

function ProviderForm({ view }: { view: ProviderView }) {
  const provider = view.name as ConfigurableProvider;
  const { save, test } = useProviders.getState();
  const errors = useProviders((s) => s.errors[provider]) ?? {};
  const saving = useProviders((s) => s.saving);
  const testing = useProviders((s) => s.tests[provider] === 'running');
  const [draft, setDraft] = useState(() => settingsDraft(view));
  const [keys, setKeys] = useState<Record<string, string>>({});
  const [replacing, setReplacing] = useState<Record<string, boolean>>({});
  const publicUrl = useProviders((s) => s.tunnel?.publicUrl ?? null);
  const fields = PROVIDER_FIELDS[provider];
  return (
    <div className="provider-form">
      <form
        aria-label={`${view.label} settings`}
        onSubmit={(e) => {
          e.preventDefault();
          const typed = Object.fromEntries(Object.entries(keys).filter(([, v]) => v.trim() !== ''));
          void save(provider, draft, typed).then((ok) => {
            if (!ok) return;
            setKeys({});
            setReplacing({});
          });
        }}
      >
        <fieldset>
          <legend>Keys</legend>
          <p className="hint">Stored encrypted on this computer; never shown again in full.</p>
          {view.keys.map((k) => (
            <KeyField
              key={k.key}
              k={k}
              value={keys[k.key] ?? ''}
              replacing={replacing[k.key] ?? false}
              error={errors[k.key]}
              onChange={(v) => setKeys({ ...keys, [k.key]: v })}
              onReplace={(r) => {
                setReplacing({ ...replacing, [k.key]: r });
                if (!r) setKeys({ ...keys, [k.key]: '' });
              }}
            />
          ))}
        </fieldset>
        <fieldset>
          <legend>Calls</legend>
          <div className="form-grid">
            {Object.entries(fields).map(([name, spec]) => (
              <SettingField
                key={name}
                name={name}
                spec={spec}
                value={draft[name] ?? ''}
                error={errors[name]}
                onChange={(v) => setDraft({ ...draft, [name]: v })}
              />
            ))}
          </div>
        </fieldset>
        {errors.form && (
          <p className="error-text" role="alert">
            {errors.form}
          </p>
        )}
        <div className="provider-actions">
          <button type="submit" className="primary" disabled={saving !== null}>
            {saving === provider ? 'Saving…' : 'Save'}
          </button>
          <button
            type="button"
            onClick={() => void test(provider)}
            disabled={testing}
            title="Makes a harmless authenticated request with the saved settings"
          >
            Test connection
          </button>
          <ConnectionTestResult provider={provider} />
        </div>
      </form>
      <div className="provider-side">
        <h4>Ready to place calls?</h4>
        {view.missing.length === 0 ? (
          <p className="ok-text" aria-label="Still missing">
            Yes: nothing is missing.
          </p>
        ) : (
          <>
            <p className="warning-text">Still missing:</p>
            <ul aria-label="Still missing">
              {view.missing.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </>
        )}
        <h4>Webhook URLs</h4>
        {view.hookUrls.length === 0 ? (
          <p className="muted">The webhook server is not running, so there are no URLs yet.</p>
        ) : (
          view.hookUrls.map((h) => <CopyField key={h.label} label={h.label} value={h.url} />)
        )}
        {publicUrl ? (
          <p className="hint">Through the tunnel’s public URL. Keep them private: they carry this console’s secret.</p>
        ) : (
          <p className="warning-text">
            These are local addresses, which a provider on the internet cannot reach: start a tunnel in the Tunnel panel
            above and they change to the public one. Keep them private: they carry this console’s secret.
          </p>
        )}
        {provider === 'bolna_twilio' && api.has('providers.createAgent') && <CreateAgent errors={errors} />}
      </div>
    </div>
  );
}

export function ProvidersPanel() {
  const providers = useProviders((s) => s.providers);
  const load = useProviders((s) => s.load);
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => {
    void load();
  }, [load]);
  if (!api.has('providers.list')) return null;
  const configurable = providers.filter((p) => p.name in PROVIDER_FIELDS);
  const current = configurable.find((p) => p.name === selected) ?? configurable[0];
  const tabId = (name: string) => `provider-tab-${name}`;
  return (
    <section aria-label="Providers" style={{ gridColumn: '1 / -1' }}>
      <h3>Providers</h3>
      <p className="hint">
        Calls go through the simulator until a provider is ready. Save a provider’s key and agent here, then pick it for
        a campaign.
      </p>
      <div role="tablist" aria-label="Provider" className="provider-tabs">
        {configurable.map((p) => (
          <button
            key={p.name}
            id={tabId(p.name)}
            type="button"
            role="tab"
            aria-selected={p.name === current?.name}
            aria-controls="provider-tabpanel"
            onClick={() => setSelected(p.name)}
          >
            {p.label}{' '}
            <span className={`badge ${p.configured ? 'ready' : 'not-ready'}`}>
              {p.configured ? 'ready' : 'not set up'}
            </span>
          </button>
        ))}
      </div>
      {current && (
        <div role="tabpanel" id="provider-tabpanel" aria-labelledby={tabId(current.name)}>
          {/* Keyed by provider and stored settings: switching tabs, saving or creating an agent starts from what is saved. */}
          <ProviderForm key={`${current.name} ${JSON.stringify(current.settings)}`} view={current} />
        </div>
      )}
    </section>
  );
}
