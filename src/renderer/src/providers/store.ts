import { create } from 'zustand';
import type { ApiInput } from '@shared/contract';
import type { ConfigurableProvider, ProviderView, TunnelStatus } from '@shared/contract/providers';
import { api, ApiCallError, describeError, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';

// Provider settings (keys, numbers, agents) and the tunnel. Keys only ever travel renderer → core; views carry hints.

/** Errors by field name, so forms can show each one beside its input; `form` holds what names no field. */
export type FieldErrors = Record<string, string>;

export interface ConnectionTest {
  ok: boolean;
  message: string;
  /** Measured here: the whole renderer → core → provider → back trip. */
  roundTripMs: number;
}

export interface SelfTest {
  ok: boolean;
  url: string | null;
  roundTripMs: number | null;
  message: string;
}

type TunnelConfig = ApiInput<'tunnel.configure'>;

interface ProvidersState {
  providers: ProviderView[];
  tunnel: TunnelStatus | null;
  errors: Partial<Record<ConfigurableProvider | 'tunnel', FieldErrors>>;
  tests: Partial<Record<ConfigurableProvider, ConnectionTest | 'running'>>;
  selfTest: SelfTest | 'running' | null;
  saving: ConfigurableProvider | 'tunnel' | null;
  load(): Promise<void>;
  save(
    provider: ConfigurableProvider,
    settings: Record<string, string>,
    keys: Record<string, string | null>,
  ): Promise<boolean>;
  test(provider: ConfigurableProvider): Promise<void>;
  createAgent(definitionJson: string): Promise<boolean>;
  configureTunnel(input: TunnelConfig): Promise<void>;
  startTunnel(): Promise<void>;
  stopTunnel(): Promise<void>;
  runSelfTest(): Promise<void>;
}

const attempt = <T>(what: string, action: () => Promise<T>) => useShell.getState().attempt(what, action);

/**
 * Splits an API error into per-field messages from its `issues` (paths as in the method's input, e.g.
 * "settings.fromNumber"; the last segment names the form field). Whatever names no field goes to `form`.
 */
export function fieldErrorsOf(err: unknown, fields: readonly string[]): FieldErrors {
  const issues = err instanceof ApiCallError ? (err.body.issues ?? []) : [];
  if (!issues.length) return { form: describeError(err) };
  const out: FieldErrors = {};
  for (const issue of issues) {
    const text = issue.fix ? `${issue.message}: ${issue.fix}` : issue.message;
    const field = issue.path.split('.').pop() ?? '';
    if (fields.includes(field)) out[field] ??= text;
    else out.form ??= `${issue.path || 'input'}: ${text}`;
  }
  return out;
}

/** Field names the API may name for a provider: its settings and its keys. */
export function fieldsOf(view: ProviderView): string[] {
  return [...Object.keys(PROVIDER_FIELDS[view.name as ConfigurableProvider] ?? {}), ...view.keys.map((k) => k.key)];
}

export interface FieldSpec {
  label: string;
  kind: 'text' | 'url' | 'tel' | 'region';
  placeholder?: string;
  hint?: string;
}

/** The non-secret settings of each provider, in form order (mirrors ProviderSettings in the contract). */
export const PROVIDER_FIELDS: Record<ConfigurableProvider, Record<string, FieldSpec>> = {
  bolna: {
    voiceAgentId: { label: 'Agent id', kind: 'text', placeholder: 'from the Bolna dashboard' },
    fromNumber: {
      label: 'From-number',
      kind: 'tel',
      placeholder: '+919876543210',
      hint: 'Optional: the number calls come from.',
    },
    baseUrl: {
      label: 'API base URL',
      kind: 'url',
      placeholder: 'https://api.bolna.ai',
      hint: 'Leave empty for Bolna’s own API.',
    },
  },
  bolna_twilio: {
    agentServerUrl: {
      label: 'Agent server URL',
      kind: 'url',
      placeholder: 'http://localhost:5001',
      hint: 'quickstart_server.py, where agents are created.',
    },
    telephonyUrl: {
      label: 'Telephony server URL',
      kind: 'url',
      placeholder: 'http://localhost:8001',
      hint: 'twilio_api_server.py, where calls are placed.',
    },
    voiceAgentId: { label: 'Agent id', kind: 'text', placeholder: 'or create one below' },
    twilioAccountSid: { label: 'Twilio Account SID', kind: 'text', placeholder: 'AC…' },
    fromNumber: {
      label: 'From-number',
      kind: 'tel',
      placeholder: '+14155550100',
      hint: 'The server’s TWILIO_PHONE_NUMBER.',
    },
    twilioBaseUrl: {
      label: 'Twilio API base URL',
      kind: 'url',
      placeholder: 'https://api.twilio.com',
      hint: 'Leave empty for Twilio’s own API.',
    },
  },
  retell: {
    voiceAgentId: { label: 'Agent id', kind: 'text', placeholder: 'agent_…' },
    fromNumber: { label: 'From-number', kind: 'tel', placeholder: '+14155550100' },
    baseUrl: {
      label: 'API base URL',
      kind: 'url',
      placeholder: 'https://api.retellai.com',
      hint: 'Leave empty for Retell’s own API.',
    },
  },
  exotel: {
    region: { label: 'Region', kind: 'region' },
    accountSid: { label: 'Account SID', kind: 'text' },
    callerId: { label: 'Caller id (ExoPhone)', kind: 'tel', placeholder: '08047112345' },
    flowUrl: { label: 'Flow URL', kind: 'url', placeholder: 'http://my.exotel.com/{sid}/exoml/start_voice/{app_id}' },
    baseUrl: {
      label: 'API base URL',
      kind: 'url',
      placeholder: 'region default',
      hint: 'Leave empty for the region’s host.',
    },
  },
};

const TUNNEL_FIELDS = ['mode', 'host', 'subdomain', 'publicUrl'] as const;

/** Takes a new tunnel status; the webhook URLs shown per provider and in app.info follow its public URL. */
function applyTunnel(next: TunnelStatus): void {
  const before = useProviders.getState().tunnel;
  useProviders.setState({ tunnel: next });
  if (before && before.publicUrl !== next.publicUrl) {
    void useProviders.getState().load();
    void useShell.getState().loadInfo();
  }
}

export const useProviders = create<ProvidersState>()((set, get) => {
  const upsert = (v: ProviderView) => set((s) => ({ providers: s.providers.map((p) => (p.name === v.name ? v : p)) }));
  const setErrors = (key: ConfigurableProvider | 'tunnel', errors: FieldErrors) =>
    set((s) => ({ errors: { ...s.errors, [key]: errors } }));
  return {
    providers: [],
    tunnel: null,
    errors: {},
    tests: {},
    selfTest: null,
    saving: null,
    async load() {
      if (!api.has('providers.list')) return;
      const [providers, tunnel] = await Promise.all([
        attempt('Loading providers', () => api.call('providers.list', {})),
        attempt('Loading the tunnel status', () => api.call('tunnel.status', {})),
      ]);
      set({ providers: providers ?? get().providers, tunnel: tunnel ?? get().tunnel });
    },
    async save(provider, settings, keys) {
      const view = get().providers.find((p) => p.name === provider);
      set({ saving: provider });
      try {
        const next = await api.call('providers.update', { provider, settings, keys });
        upsert(next);
        setErrors(provider, {});
        useShell.getState().notify('info', `${next.label} settings saved.`);
        // Other views (campaign provider pickers) read readiness from app.info.
        void useShell.getState().loadInfo();
        return true;
      } catch (err) {
        setErrors(provider, fieldErrorsOf(err, view ? fieldsOf(view) : []));
        return false;
      } finally {
        set({ saving: null });
      }
    },
    async test(provider) {
      set((s) => ({ tests: { ...s.tests, [provider]: 'running' } }));
      const started = performance.now();
      let result: ConnectionTest;
      try {
        const r = await api.call('providers.test', { provider });
        result = { ...r, roundTripMs: Math.round(performance.now() - started) };
      } catch (err) {
        result = { ok: false, message: describeError(err), roundTripMs: Math.round(performance.now() - started) };
      }
      set((s) => ({ tests: { ...s.tests, [provider]: result } }));
    },
    async createAgent(definitionJson) {
      let definition: unknown;
      try {
        definition = JSON.parse(definitionJson);
      } catch (err) {
        setErrors('bolna_twilio', { definition: `not valid JSON: ${describeError(err)}` });
        return false;
      }
      if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
        setErrors('bolna_twilio', { definition: 'the definition must be a JSON object ({ "agent_config": … })' });
        return false;
      }
      set({ saving: 'bolna_twilio' });
      try {
        const { voiceAgentId } = await api.call('providers.createAgent', {
          provider: 'bolna_twilio',
          definition: definition as Record<string, unknown>,
        });
        setErrors('bolna_twilio', {});
        useShell.getState().notify('info', `Agent created: ${voiceAgentId} (saved as the agent id).`);
        await get().load();
        return true;
      } catch (err) {
        setErrors('bolna_twilio', { definition: describeError(err) });
        return false;
      } finally {
        set({ saving: null });
      }
    },
    async configureTunnel(input) {
      set({ saving: 'tunnel' });
      try {
        applyTunnel(await api.call('tunnel.configure', input));
        set({ selfTest: null });
        setErrors('tunnel', {});
      } catch (err) {
        setErrors('tunnel', fieldErrorsOf(err, TUNNEL_FIELDS));
      } finally {
        set({ saving: null });
      }
    },
    async startTunnel() {
      const tunnel = await attempt('Starting the tunnel', () => api.call('tunnel.start', {}));
      if (tunnel) applyTunnel(tunnel);
    },
    async stopTunnel() {
      const tunnel = await attempt('Stopping the tunnel', () => api.call('tunnel.stop', {}));
      if (!tunnel) return;
      applyTunnel(tunnel);
      set({ selfTest: null });
    },
    async runSelfTest() {
      set({ selfTest: 'running' });
      const r = await attempt('Testing the tunnel', () => api.call('tunnel.selfTest', {}));
      set({ selfTest: r ?? null });
    },
  };
});

// The tunnel reports connects, drops, reconnects and webhooks as they happen.
api.onEvents((events) => {
  const statuses = payloadsOf(events, 'tunnel.status');
  const last = statuses[statuses.length - 1];
  if (last) applyTunnel(last);
});
onReconnect(() => void useProviders.getState().load());
