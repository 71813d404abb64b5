import type { Call } from '../../../shared/domain';
import type { EventBus } from '../bus';
import type { CallLifecycle } from '../calls/lifecycle';
import type { Platform } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import type { SettingsService } from '../settings/settings';
import type { Db } from '../store/db';
import type { WebhookServer } from '../webhooks/server';

export interface DialerDeps {
  db: Db;
  bus: EventBus;
  platform: Platform;
  providers: ProviderRegistry;
  calls: CallLifecycle;
  webhooks: WebhookServer;
  settings: SettingsService;
}

/** Campaigns and the engine that places their calls (DESIGN §5). OWNER: dialer work (issue 4). */
export class Dialer {
  constructor(readonly deps: DialerDeps) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  /** Called inside the transaction that ended the call. */
  onCallEnded(_call: Call): void {}
}
