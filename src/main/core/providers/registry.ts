import { join } from 'node:path';
import { ProviderName } from '@shared/domain';
import type { ConfigurableProvider } from '@shared/contract/providers';
import type { CallLifecycle } from '../calls/lifecycle';
import { errorText } from '../errors';
import { ApiError } from '../errors';
import type { Platform } from '../platform';
import type { SecretStore, SettingsService } from '../settings/settings';
import type { Db } from '../store/db';
import type { HookUrlSource } from '../webhooks/hook-urls';
import { createClient, ProviderConfigStore } from './config';
import { SimulatorProvider } from './simulator';
import type { VoiceProvider } from './types';

export interface ProviderRegistryDeps {
  platform: Platform;
  settings: SettingsService;
  secrets: SecretStore;
  /** Where providers are told to post (callback URLs travel with calls, or are set on the provider's agent). */
  hookUrls: HookUrlSource;
  /** Where a client's own observations go (self-hosted Bolna polls Twilio for call states). */
  calls: Pick<CallLifecycle, 'applyEvent'>;
  /** Real providers keep their settings here and route hand-offs through the agents table. */
  db?: Db;
  /** The data folder: the simulator keeps its calls there, so they outlive the console like a real provider's. */
  dataDir?: string;
  tuning?: ProviderTuning;
}

/** Request timeouts, the self-hosted Bolna call search and its Twilio polling; tests shorten them. */
export interface ProviderTuning {
  timeoutMs?: number;
  findDelayMs?: number;
  pollMs?: number;
}

/**
 * One entry per provider. `create` runs once per registry (the instance is kept: the simulator holds its calls and
 * their timers), so clients should read keys from the secret store when they use them, which makes changed keys take
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
        hookUrl: (p) => deps.hookUrls.hookUrl(p),
        // Polled states are applied like webhooks: deduplicated, forward only, kept in call_events.
        onEvent: (event) => deps.calls.applyEvent(event, null, JSON.stringify(event)),
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
        stateFile: deps.dataDir ? join(deps.dataDir, 'simulator', 'calls.jsonl') : undefined,
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
  constructor(private readonly deps: ProviderRegistryDeps) {}

  /** For clients built outside the registry (a connection test with unsaved settings) to behave the same. */
  get tuning(): ProviderTuning {
    return this.deps.tuning ?? {};
  }

  get(name: ProviderName): VoiceProvider {
    const provider = this.find(name);
    if (!provider) {
      throw new ApiError(
        'unavailable',
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
   * The public URL changed: every provider that keeps a webhook URL on its side (Bolna's and Retell's agents) is
   * told its new hook URL; the others get theirs with each call. Nothing to point at when the public URL is gone.
   */
  async publicUrlChanged(url: string | null): Promise<void> {
    if (url === null) return;
    const names = new Set<ProviderName>([...(Object.keys(ENTRIES) as ProviderName[]), ...this.overrides.keys()]);
    const updates: Promise<void>[] = [];
    for (const name of names) {
      const provider = this.find(name);
      if (provider?.onPublicUrlChanged) updates.push(provider.onPublicUrlChanged(this.deps.hookUrls.hookUrl(name)));
    }
    // One provider being down must not keep the others on the old URL.
    for (const r of await Promise.allSettled(updates)) {
      if (r.status === 'rejected') {
        this.deps.platform.logger.log(
          'warn',
          'providers',
          `could not point an agent at the new webhook URL: ${errorText(r.reason)}`,
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
