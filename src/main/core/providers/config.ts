import { PROVIDER_KEYS, ProviderSettings, type ConfigurableProvider } from '@shared/contract/providers';
import { ApiError } from '../errors';
import type { Clock } from '../platform';
import type { SecretStore } from '../settings/settings';
import type { Db } from '../store/db';
import { AgentRoutingRepository } from '../store/repositories/agent-routing';
import { SelfHostedAgentsRepository } from '../store/repositories/selfhosted-agents';
import { SettingsRepository } from '../store/repositories/settings';
import { BolnaProvider } from './bolna';
import { BolnaTwilioProvider } from './bolna-twilio';
import { ExotelProvider } from './exotel';
import { withQuery, type HumanAgentDirectory } from './normalize';
import { RetellProvider } from './retell';
import type { NormalizedEvent, ProviderCapabilities, VoiceProvider } from './types';

// Provider settings (stored under the settings key "providers", validated here) and keys (SecretStore), and the
// clients built from them. Keys are read only here and handed to the clients; nothing returns them.

const SETTINGS_KEY = 'providers';
/** The self-hosted Bolna voice agent's JSON definition: each call is placed with a copy of it. */
const AGENT_DEFINITION_KEY = 'providers.bolna_twilio.agentDefinition';

export function secretName(provider: ConfigurableProvider, key: string): string {
  return `provider.${provider}.${key}`;
}

export class ProviderConfigStore {
  private readonly repo: SettingsRepository;
  constructor(
    db: Db,
    private readonly secrets: SecretStore,
  ) {
    this.repo = new SettingsRepository(db);
  }

  all(): ProviderSettings {
    const parsed = ProviderSettings.safeParse(this.repo.get(SETTINGS_KEY) ?? {});
    return parsed.success ? parsed.data : ProviderSettings.parse({});
  }

  get<P extends ConfigurableProvider>(provider: P): ProviderSettings[P] {
    return this.all()[provider];
  }

  /** Merges over what is stored; throws the zod error (field paths) when the result is invalid. */
  update(provider: ConfigurableProvider, patch: Record<string, unknown>): ProviderSettings {
    const current = this.all();
    const merged = { ...current, [provider]: dropEmpty({ ...current[provider], ...patch }) };
    const next = ProviderSettings.parse(merged);
    this.repo.set(SETTINGS_KEY, next);
    return next;
  }

  agentDefinition(): Record<string, unknown> | null {
    const stored = this.repo.get(AGENT_DEFINITION_KEY);
    return stored && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, unknown>) : null;
  }

  setAgentDefinition(definition: Record<string, unknown>): void {
    this.repo.set(AGENT_DEFINITION_KEY, definition);
  }

  key(provider: ConfigurableProvider, key: string): string | undefined {
    return this.secrets.get(secretName(provider, key));
  }

  setKey(provider: ConfigurableProvider, key: string, value: string | null): void {
    if (!PROVIDER_KEYS[provider].some((k) => k.key === key)) {
      const message = `${provider} has no key named ${key}`;
      throw new ApiError('invalid_input', message, [
        { path: `keys.${key}`, message, fix: `use ${PROVIDER_KEYS[provider].map((k) => k.key).join(' or ')}` },
      ]);
    }
    if (value === null) this.secrets.delete(secretName(provider, key));
    else this.secrets.set(secretName(provider, key), value);
  }

  keyViews(provider: ConfigurableProvider): { key: string; label: string; hasKey: boolean; hint: string | null }[] {
    return PROVIDER_KEYS[provider].map(({ key, label }) => ({
      key,
      label,
      hasKey: this.secrets.has(secretName(provider, key)),
      hint: this.secrets.hint(secretName(provider, key)),
    }));
  }

  /** What is still missing before calls can be placed, in words the settings form can show. */
  missing(provider: ConfigurableProvider): string[] {
    const s = this.all();
    const out: string[] = [];
    for (const { key, label } of PROVIDER_KEYS[provider])
      if (!this.secrets.has(secretName(provider, key))) out.push(label);
    if (provider === 'bolna' && !s.bolna.voiceAgentId) out.push('agent id');
    if (provider === 'retell' && !s.retell.fromNumber) out.push('from-number');
    if (provider === 'exotel') {
      if (!s.exotel.accountSid) out.push('account SID');
      if (!s.exotel.callerId) out.push('caller id (ExoPhone)');
      if (!s.exotel.flowUrl) out.push('flow URL');
    }
    if (provider === 'bolna_twilio') {
      if (!s.bolna_twilio.twilioAccountSid) out.push('Twilio Account SID');
      if (!s.bolna_twilio.voiceAgentId) out.push('agent id (create the agent first)');
    }
    return out;
  }

  /** Credentials are needed to build a client; agent ids, numbers and flows only to place calls (placeCall says so). */
  missingCredentials(provider: ConfigurableProvider): string[] {
    return this.missing(provider).filter((m) => !/^(agent id|from-number|caller id|flow URL)/.test(m));
  }
}

function dropEmpty(record: Record<string, unknown>): Record<string, unknown> {
  // An emptied form field means "not set", not an invalid empty string.
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== '' && v !== null && v !== undefined));
}

export interface ClientDeps {
  store: ProviderConfigStore;
  clock: Clock;
  db?: Db;
  hookUrl: (provider: ConfigurableProvider) => string;
  /** Tests shorten request timeouts, the self-hosted call search and its polling. */
  timeoutMs?: number;
  findDelayMs?: number;
  pollMs?: number;
  /** Where a client's own observations go (self-hosted Bolna polls Twilio); without it nothing is polled. */
  onEvent?: (event: NormalizedEvent) => void;
}

export function humanAgentDirectory(db: Db | undefined): HumanAgentDirectory | undefined {
  if (!db) return undefined;
  const repo = new AgentRoutingRepository(db);
  return { availableHumanAgent: (language) => repo.firstAvailable(language) };
}

/** Builds a client from the stored settings and keys; throws naming what is missing. */
export function createClient(provider: ConfigurableProvider, deps: ClientDeps): VoiceProvider {
  const essential = deps.store.missingCredentials(provider);
  if (essential.length)
    throw new ApiError(
      'unavailable',
      `${provider} is not set up: missing ${essential.join(', ')} (Settings → Providers)`,
    );
  const s = deps.store.all();
  const now = () => deps.clock.now();
  const humanAgents = humanAgentDirectory(deps.db);
  const key = (k: string) => deps.store.key(provider, k) ?? '';
  switch (provider) {
    case 'bolna':
      return new BolnaProvider({ apiKey: key('apiKey'), ...s.bolna, timeoutMs: deps.timeoutMs, now, humanAgents });
    case 'retell':
      return new RetellProvider({ apiKey: key('apiKey'), ...s.retell, timeoutMs: deps.timeoutMs, now, humanAgents });
    case 'exotel':
      return new ExotelProvider({
        apiKey: key('apiKey'),
        apiToken: key('apiToken'),
        accountSid: s.exotel.accountSid ?? '',
        callerId: s.exotel.callerId,
        flowUrl: s.exotel.flowUrl,
        region: s.exotel.region,
        baseUrl: s.exotel.baseUrl,
        timeoutMs: deps.timeoutMs,
        now,
        humanAgents,
        confirm: deps.onEvent ? { clock: deps.clock, onEvent: deps.onEvent } : undefined,
      });
    case 'bolna_twilio':
      if (!deps.db) throw new Error('the self-hosted Bolna client keeps its per-call agents in the database');
      return new BolnaTwilioProvider({
        agentServerUrl: s.bolna_twilio.agentServerUrl,
        telephonyUrl: s.bolna_twilio.telephonyUrl,
        voiceAgentId: s.bolna_twilio.voiceAgentId,
        fromNumber: s.bolna_twilio.fromNumber,
        twilio: {
          accountSid: s.bolna_twilio.twilioAccountSid ?? '',
          authToken: key('twilioAuthToken'),
          baseUrl: s.bolna_twilio.twilioBaseUrl,
        },
        hookUrl: () => deps.hookUrl('bolna_twilio'),
        agentDefinition: () => deps.store.agentDefinition(),
        callAgents: new SelfHostedAgentsRepository(deps.db),
        timeoutMs: deps.timeoutMs,
        now,
        findDelayMs: deps.findDelayMs,
        poll: deps.onEvent ? { clock: deps.clock, onEvent: deps.onEvent, everyMs: deps.pollMs } : undefined,
      });
  }
}

export const PROVIDER_CAPABILITIES: Record<ConfigurableProvider, ProviderCapabilities> = {
  bolna: BolnaProvider.CAPABILITIES,
  bolna_twilio: BolnaTwilioProvider.CAPABILITIES,
  retell: RetellProvider.CAPABILITIES,
  exotel: ExotelProvider.CAPABILITIES,
};

/** The URLs a user pastes into a provider's dashboard (per-call callback URLs are sent with each call). */
export function dashboardUrls(provider: ConfigurableProvider, hookUrl: string): { label: string; url: string }[] {
  switch (provider) {
    case 'bolna':
      return [{ label: 'Agent webhook URL (set on the agent automatically)', url: hookUrl }];
    case 'bolna_twilio':
      return [
        {
          label:
            'Extraction webhook (written into the agent created here; each call gets its own copy with a call token added)',
          url: withQuery(hookUrl, { op: 'extraction' }),
        },
      ];
    case 'retell':
      return [
        {
          label: 'Webhook URL (set on the agent automatically when an agent id is set; else paste it in Retell)',
          url: hookUrl,
        },
      ];
    case 'exotel':
      return [
        { label: 'Passthru applet URL', url: hookUrl },
        { label: 'Connect applet "Dial whom" URL', url: withQuery(hookUrl, { op: 'dial_whom' }) },
      ];
  }
}
