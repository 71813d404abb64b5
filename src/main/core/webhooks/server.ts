import type { Platform } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import type { SecretStore, SettingsService } from '../settings/settings';
import type { Db } from '../store/db';
import { HookUrls, type HookName } from './hook-urls';
import { WebhookInbox, type EventApplier } from './inbox';
import { WebhookListener, type ExtraHook, type WebhookHealth } from './listener';

export interface WebhookServerDeps {
  db: Db;
  platform: Platform;
  settings: SettingsService;
  secrets: SecretStore;
  calls: EventApplier;
  /** Lazy, because the registry needs the server's URLs and the server needs the providers' parsers. */
  providers: () => ProviderRegistry;
}

/**
 * The webhook capability as one piece: the HTTP listener (listener.ts), the store-raw-then-apply inbox (inbox.ts)
 * and the authority on hook URLs and the path secret (hook-urls.ts), started and stopped in the order that loses
 * nothing.
 */
export class WebhookServer {
  readonly urls: HookUrls;
  private readonly inbox: WebhookInbox;
  private readonly listener: WebhookListener;

  constructor(readonly deps: WebhookServerDeps) {
    const { db, platform, settings, secrets, calls } = deps;
    const providers = { find: (name: string) => deps.providers().find(name) };
    this.urls = new HookUrls(secrets);
    this.inbox = new WebhookInbox({
      db,
      clock: platform.clock,
      logger: platform.logger,
      calls,
      providers,
      urls: this.urls,
    });
    this.listener = new WebhookListener({
      settings,
      clock: platform.clock,
      logger: platform.logger,
      urls: this.urls,
      inbox: this.inbox,
      providers,
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

  get publicUrl(): string | null {
    return this.urls.publicUrl;
  }

  setPublicUrl(url: string | null): void {
    this.urls.setPublicUrl(url);
  }

  hookUrl(name: HookName): string {
    return this.urls.hookUrl(name);
  }

  registerHook(name: string, hook: ExtraHook): void {
    this.listener.registerHook(name, hook);
  }

  registerStats(name: string, section: () => unknown): void {
    this.listener.registerStats(name, section);
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
