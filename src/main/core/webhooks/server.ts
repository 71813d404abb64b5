import type { ProviderName } from '../../../shared/domain';
import type { EventBus } from '../bus';
import type { CallLifecycle } from '../calls/lifecycle';
import type { Platform } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import type { SecretStore, SettingsService } from '../settings/settings';
import type { Db } from '../store/db';

export interface WebhookServerDeps {
  db: Db;
  bus: EventBus;
  platform: Platform;
  settings: SettingsService;
  secrets: SecretStore;
  calls: CallLifecycle;
  /** Lazy, because the registry needs the server's URLs and the server needs the providers' parsers. */
  providers: () => ProviderRegistry;
}

/**
 * The only listener that faces the internet (through the tunnel): /hooks/<provider>/<secret> and /health.
 * OWNER: webhooks work (issue 2 / 5).
 */
export class WebhookServer {
  constructor(readonly deps: WebhookServerDeps) {}
  async start(): Promise<void> {
    throw new Error('WebhookServer.start is not implemented yet');
  }
  async stop(): Promise<void> {}
  /** http://127.0.0.1:PORT once started. */
  get localUrl(): string | null {
    return null;
  }
  /** Public base URL (tunnel or user-supplied) when there is one, else the local URL. */
  get publicUrl(): string | null {
    return null;
  }
  /** Full callback URL for a provider, using the current public URL. */
  hookUrl(_provider: ProviderName | 'zapier' | 'assemblyai'): string {
    throw new Error('WebhookServer.hookUrl is not implemented yet');
  }
}
