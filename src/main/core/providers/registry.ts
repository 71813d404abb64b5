import { ProviderName } from '../../../shared/domain';
import type { Platform } from '../platform';
import type { SecretStore, SettingsService } from '../settings/settings';
import type { WebhookServer } from '../webhooks/server';
import { SimulatorProvider } from './simulator';
import type { VoiceProvider } from './types';

export interface ProviderRegistryDeps {
  platform: Platform;
  settings: SettingsService;
  secrets: SecretStore;
  webhooks: WebhookServer;
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

  /** Stops provider timers (the simulator's calls) when the core closes. */
  dispose(): void {
    for (const provider of [...this.instances.values(), ...this.overrides.values()]) {
      if (isDisposable(provider)) provider.dispose();
    }
    this.instances.clear();
  }
}
