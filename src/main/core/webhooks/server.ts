import type { Platform } from '../platform';
import type { SettingsService } from '../settings/settings';
import type { Db } from '../store/db';
import type { HookName, HookUrls } from './hook-urls';
import { WebhookInbox, type EventApplier, type ProviderLookup } from './inbox';
import {
  WebhookListener,
  type ExtraHook,
  type ListenerTuning,
  type MonitoringRoutes,
  type WebhookHealth,
} from './listener';

export interface WebhookServerDeps {
  db: Db;
  platform: Platform;
  settings: SettingsService;
  /** Built before the providers (they need the hook URLs); the listener sets its address on it. */
  urls: HookUrls;
  calls: EventApplier;
  providers: ProviderLookup;
  /** Routes under /hooks/ served by other capabilities (the recordings intake), by name. */
  extraHooks?: Record<string, ExtraHook>;
  /** GET /hooks/monitor/<secret>/… (health, stats, one processed record). */
  monitoring: MonitoringRoutes;
  tuning?: Partial<ListenerTuning>;
}

/**
 * The webhook capability as one piece: the HTTP listener (listener.ts), the store-raw-then-apply inbox (inbox.ts)
 * and the authority on hook URLs and the path secret (hook-urls.ts), started and stopped in the order that loses
 * nothing.
 */
export class WebhookServer {
  private readonly urls: HookUrls;
  private readonly inbox: WebhookInbox;
  private readonly listener: WebhookListener;

  constructor(private readonly deps: WebhookServerDeps) {
    const { db, platform, settings, urls, calls, providers, extraHooks = {}, monitoring, tuning } = deps;
    const { clock, logger } = platform;
    this.urls = urls;
    this.inbox = new WebhookInbox({ db, clock, logger, calls, providers, urls });
    this.listener = new WebhookListener({
      settings,
      clock,
      logger,
      urls,
      inbox: this.inbox,
      providers,
      extraHooks,
      monitoring,
      tuning,
    });
  }

  async start(): Promise<void> {
    if (this.listener.listening) return;
    await this.listener.start();
    // Before any request is read: what was acknowledged before a crash is applied before anything new.
    this.inbox.start();
    this.deps.platform.logger.log('info', 'webhooks', `listening on ${this.localUrl}`);
  }

  async stop(): Promise<void> {
    // Deliveries already read are stored, answered and applied before the connections close.
    this.inbox.stop();
    await this.listener.stop();
  }

  get localUrl(): string | null {
    return this.urls.localUrl;
  }

  /** The loopback address the tunnel client forwards to (see WebhookListener.tunnelIngress). */
  get tunnelIngress(): { host: string; port: number } | null {
    return this.listener.tunnelIngress;
  }

  get publicUrl(): string | null {
    return this.urls.publicUrl;
  }

  setPublicUrl(url: string | null): void {
    this.urls.setPublicUrl(url);
  }

  hookUrl(name: HookName): string {
    return this.urls.hookUrl(name);
  }

  get backlog(): number {
    return this.inbox.backlog;
  }

  health(): WebhookHealth {
    return this.listener.health();
  }

  retryUnknown(): number {
    return this.inbox.retryUnknown();
  }
}
