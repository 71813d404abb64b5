import { join } from 'node:path';
import type { ApiHandlers } from '@shared/contract';
import { AgentRoster } from './core/agents/roster';
import { TransferService } from './core/agents/transfers';
import { createApiHandlers } from './core/api';
import { EventBus } from './core/bus';
import { CallLifecycle } from './core/calls/lifecycle';
import { CallOutcomes } from './core/calls/outcome';
import { ReviewList } from './core/calls/review';
import { ContactsService } from './core/contacts/service';
import { WriteBackAtEnd } from './core/contacts/writeback';
import { openDatabaseWithReplacement } from './core/maintenance/maintenance';
import { databaseResponds } from './core/store/db';
import { Dialer, DialerState } from './core/dialer/dialer';
import { DncService } from './core/dnc/service';
import { ProviderRegistry } from './core/providers/registry';
import { assemblyAiHook, recordingsMonitor, zapierHook } from './core/recordings/hook';
import { RecordingsService } from './core/recordings/service';
import { SheetSources } from './core/sources/service';
import { SecretsRepository, SettingsRepository } from './core/store/repositories/settings';
import { SecretStore, SettingsService } from './core/settings/settings';
import { TunnelService } from './core/tunnel/service';
import { HookUrls } from './core/webhooks/hook-urls';
import { WebhookServer } from './core/webhooks/server';
import type { CoreOptions, CoreServices } from './core/services';

export type { CoreOptions, CoreServices, HostKind } from './core/services';

/** The whole console without a window: built the same way by Electron, the web host, the CLI and the tests. */
export interface Core extends CoreServices {
  readonly api: ApiHandlers;
  /** Starts the webhook server, reconciles calls left in flight, and starts the dialer loop. */
  start(): Promise<void>;
  /** Stops accepting work, lets in-flight writes finish, closes the database. */
  close(): Promise<void>;
}

export function databasePath(dataDir: string): string {
  return join(dataDir, 'console.db');
}

export function createCore(options: CoreOptions): Core {
  const { platform, dataDir } = options;
  const { clock, logger } = platform;
  // A restore or wipe staged by the previous run replaces the database before anything opens it.
  const db = openDatabaseWithReplacement(databasePath(dataDir), clock.now(), logger, options.nativeBinding);
  const bus = new EventBus();
  const settings = new SettingsService(new SettingsRepository(db));
  const secrets = new SecretStore(new SecretsRepository(db), platform.cipher, () => clock.now());
  const dnc = new DncService({ db, bus, clock, logger });
  const hookUrls = new HookUrls(secrets);
  // The dialer places calls through the call lifecycle, and a call's end moves its contact on in the campaign
  // inside the lifecycle's transaction. The endings need only the dialer's shared state, so that is built first and
  // handed to the lifecycle; the dialer itself comes after everything it places calls through.
  const dialerState = new DialerState({ db, bus, platform }, options.dialer);
  const outcomes = new CallOutcomes({ db, bus, clock, logger, dnc });
  const calls = new CallLifecycle({ db, bus, clock, logger, endings: dialerState.endings, outcomes });
  const review = new ReviewList({ db, bus, clock, lifecycle: calls });
  const providers = new ProviderRegistry({
    platform,
    settings,
    secrets,
    db,
    dataDir,
    hookUrls,
    calls,
    tuning: options.providers,
  });
  const recordings = new RecordingsService({
    db,
    bus,
    platform,
    secrets,
    hookUrl: (name) => {
      try {
        return hookUrls.hookUrl(name);
      } catch {
        return null;
      }
    },
    isPublic: () => hookUrls.publicUrl !== null,
  });
  const webhooks = new WebhookServer({
    db,
    platform,
    settings,
    urls: hookUrls,
    calls,
    providers,
    extraHooks: { zapier: zapierHook(recordings), assemblyai: assemblyAiHook(recordings) },
    monitoring: recordingsMonitor(recordings, {
      now: () => clock.now(),
      databaseOk: () => databaseResponds(db),
    }),
    tuning: options.webhooks,
  });
  const tunnel = new TunnelService({
    settings,
    webhooks,
    bus,
    platform,
    onUrlChange: (url) => providers.publicUrlChanged(url),
  });
  const dialer = new Dialer({ db, bus, platform, providers, calls, webhooks, state: dialerState });
  let started = false;
  const contacts = new ContactsService({ db, bus, platform, settings, dnc });
  const writeBackAtEnd = new WriteBackAtEnd({ db, bus, clock, logger, writeBack: contacts.writeBack });
  const sources = new SheetSources({
    db,
    bus,
    platform,
    settings,
    secrets,
    writer: contacts.writer,
    endpoints: options.google,
    // Rows added to a connected sheet join running campaigns at once, not at the dialer's next wake-up.
    onQueued: () => {
      if (started) void dialer.tick().catch(() => undefined);
    },
  });
  const roster = new AgentRoster({ db, bus, clock });
  const transfers = new TransferService({ db, bus, platform, providers, roster, outcomes });

  const services: CoreServices = {
    options,
    dataDir,
    db,
    bus,
    platform,
    settings,
    secrets,
    providers,
    calls,
    review,
    webhooks,
    dialer,
    contacts,
    dnc,
    sources,
    recordings,
    tunnel,
    agents: { roster, transfers },
  };
  return {
    ...services,
    api: createApiHandlers(services),
    async start() {
      if (started) return;
      started = true;
      recordings.start();
      await webhooks.start();
      // Not awaited: localtunnel may take seconds; a user-supplied URL is set synchronously before the dialer starts.
      void tunnel.start();
      transfers.start();
      await dialer.start();
      sources.start();
    },
    async close() {
      await sources.stop();
      await dialer.stop();
      await recordings.stop();
      providers.dispose();
      await tunnel.stop();
      await webhooks.stop();
      transfers.dispose();
      writeBackAtEnd.dispose();
      db.close();
    },
  };
}
