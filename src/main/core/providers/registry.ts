import { ProviderName } from '../../../shared/domain';
import type { ConfigurableProvider } from '../../../shared/contract/providers';
import type { Platform } from '../platform';
import type { SecretStore, SettingsService } from '../settings/settings';
import type { Db } from '../store/db';
import type { WebhookServer } from '../webhooks/server';
import { BolnaProvider } from './bolna';
import { createClient, ProviderConfigStore } from './config';
import { RetellProvider } from './retell';
import { SimulatorProvider } from './simulator';
import type { VoiceProvider } from './types';

export interface ProviderRegistryDeps {
  platform: Platform;
  settings: SettingsService;
  secrets: SecretStore;
  webhooks: WebhookServer;
  /** Real providers keep their settings here and route hand-offs through the agents table. */
  db?: Db;
  /** Tests shorten request timeouts, the self-hosted Bolna call search and its Twilio polling. */
  tuning?: { timeoutMs?: number; findDelayMs?: number; pollMs?: number };
}

/**
 * One entry per provider. `create` runs once per registry (the instance is kept: the simulator holds its calls in
 * memory), so clients should read keys from the secret store when they use them, which makes changed keys take
 * effect without a restart.
 */
interface ProviderEntry {
  label: string;
  /** True when everything the provider needs (keys, numbers) is set. */
  configured(deps: ProviderRegistryDeps): boolean;
  create(deps: ProviderRegistryDeps): VoiceProvider;
}

/** A real provider: configured once its credentials are stored; the client reads settings and keys when built. */
function realProvider(name: ConfigurableProvider, label: string): ProviderEntry {
  const store = (deps: ProviderRegistryDeps) => (deps.db ? new ProviderConfigStore(deps.db, deps.secrets) : null);
  return {
    label,
    configured: (deps) => {
      const s = store(deps);
      return s !== null && s.missingCredentials(name).length === 0;
    },
    create: (deps) =>
      createClient(name, {
        store: store(deps) as ProviderConfigStore,
        clock: deps.platform.clock,
        db: deps.db,
        hookUrl: (p) => deps.webhooks.hookUrl(p),
        // Polled states are applied like webhooks: deduplicated, forward only, kept in call_events.
        onEvent: (event) => deps.webhooks.deps.calls.applyEvent(event, null, JSON.stringify(event)),
        ...deps.tuning,
      }),
  };
}

const ENTRIES: Partial<Record<ProviderName, ProviderEntry>> = {
  simulator: {
    label: 'Simulator (no account needed)',
    configured: () => true,
    create: (deps) =>
      new SimulatorProvider({
        clock: deps.platform.clock,
        logger: deps.platform.logger,
        settings: deps.settings,
        secrets: deps.secrets,
      }),
  },
  bolna: realProvider('bolna', 'Bolna'),
  bolna_twilio: realProvider('bolna_twilio', 'Bolna (self-hosted) + Twilio'),
  retell: realProvider('retell', 'Retell AI'),
  exotel: realProvider('exotel', 'Exotel'),
};

interface Disposable {
  dispose(): void;
}
function isDisposable(value: object): value is Disposable {
  return typeof (value as Partial<Disposable>).dispose === 'function';
}

/** Builds provider clients from settings + secrets on demand. */
export class ProviderRegistry {
  private readonly overrides = new Map<ProviderName, VoiceProvider>();
  private readonly instances = new Map<ProviderName, VoiceProvider>();
  constructor(readonly deps: ProviderRegistryDeps) {}

  get(name: ProviderName): VoiceProvider {
    const provider = this.find(name);
    if (!provider) {
      throw new Error(
        ENTRIES[name]
          ? `Provider ${name} is not set up: add its keys in Settings → Providers`
          : `Provider ${name} is not available in this version`,
      );
    }
    return provider;
  }

  /** The provider by name (any string, e.g. from a URL), or null when unknown or not set up. */
  find(name: string): VoiceProvider | null {
    const parsed = ProviderName.safeParse(name);
    if (!parsed.success) return null;
    const override = this.overrides.get(parsed.data);
    if (override) return override;
    const existing = this.instances.get(parsed.data);
    if (existing) return existing;
    const entry = ENTRIES[parsed.data];
    if (!entry || !entry.configured(this.deps)) return null;
    const created = entry.create(this.deps);
    this.instances.set(parsed.data, created);
    return created;
  }

  /** Tests and benchmarks put a provider in place (e.g. a client pointed at a fake server). */
  use(provider: VoiceProvider): void {
    this.overrides.set(provider.name, provider);
  }

  list(): { name: ProviderName; label: string; configured: boolean }[] {
    return (Object.entries(ENTRIES) as [ProviderName, ProviderEntry][]).map(([name, entry]) => ({
      name,
      label: entry.label,
      configured: entry.configured(this.deps),
    }));
  }

  /**
   * The public URL changed. Bolna and Retell keep the webhook URL on the agent, so the configured agents are
   * updated now (other agents before their next call). Exotel's and Twilio's URLs travel with each call.
   */
  async publicUrlChanged(): Promise<void> {
    const store = this.deps.db ? new ProviderConfigStore(this.deps.db, this.deps.secrets) : null;
    if (!store) return;
    const updates: Promise<void>[] = [];
    const bolna = this.find('bolna');
    const bolnaAgent = store.get('bolna').agentId;
    if (bolna instanceof BolnaProvider && bolnaAgent)
      updates.push(bolna.setAgentWebhook(bolnaAgent, this.deps.webhooks.hookUrl('bolna')));
    const retell = this.find('retell');
    const retellAgent = store.get('retell').agentId;
    if (retell instanceof RetellProvider && retellAgent)
      updates.push(retell.setAgentWebhook(retellAgent, this.deps.webhooks.hookUrl('retell')));
    // One provider being down must not keep the other on the old URL.
    for (const r of await Promise.allSettled(updates)) {
      if (r.status === 'rejected') {
        this.deps.platform.logger.log(
          'warn',
          'providers',
          `could not point an agent at the new webhook URL: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`,
        );
      }
    }
  }

  /** Drops the cached client so the next use is built from changed settings and keys. */
  forget(name: ProviderName): void {
    const existing = this.instances.get(name);
    if (existing && isDisposable(existing)) existing.dispose();
    this.instances.delete(name);
  }

  /** Stops provider timers (the simulator's calls) when the core closes. */
  dispose(): void {
    for (const provider of [...this.instances.values(), ...this.overrides.values()]) {
      if (isDisposable(provider)) provider.dispose();
    }
    this.instances.clear();
  }
}
