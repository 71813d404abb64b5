import type { ProviderName } from '../../../shared/domain';
import type { Platform } from '../platform';
import type { SecretStore, SettingsService } from '../settings/settings';
import type { WebhookServer } from '../webhooks/server';
import type { VoiceProvider } from './types';

export interface ProviderRegistryDeps {
  platform: Platform;
  settings: SettingsService;
  secrets: SecretStore;
  webhooks: WebhookServer;
}

/** Builds provider clients from settings + secrets on demand, so changed keys take effect without a restart. */
export class ProviderRegistry {
  private readonly overrides = new Map<ProviderName, VoiceProvider>();
  constructor(readonly deps: ProviderRegistryDeps) {}

  get(name: ProviderName): VoiceProvider {
    const override = this.overrides.get(name);
    if (override) return override;
    throw new Error(`Provider ${name} is not available yet`);
  }
  /** Tests and benchmarks put a provider in place (e.g. a client pointed at a fake server). */
  use(provider: VoiceProvider): void {
    this.overrides.set(provider.name, provider);
  }
  list(): { name: ProviderName; label: string; configured: boolean }[] {
    return [{ name: 'simulator', label: 'Simulator (no account needed)', configured: true }];
  }
}
