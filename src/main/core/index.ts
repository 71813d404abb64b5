import { join } from 'node:path';
import type { ApiHandlers } from '../../shared/contract';
import { AgentRoster } from './agents/roster';
import { TransferService } from './agents/transfers';
import { createApiHandlers } from './api';
import { EventBus } from './bus';
import { CallLifecycle } from './calls/lifecycle';
import { CallOutcomes } from './calls/outcome';
import { ReviewList } from './calls/review';
import { ContactsService } from './contacts/service';
import { applyPendingReplacement } from './maintenance/maintenance';
import { Dialer, DialerState } from './dialer/dialer';
import type { DialerTuning } from './dialer/tuning';
import { DncService } from './dnc/service';
import type { Platform } from './platform';
import { ProviderRegistry, type ProviderTuning } from './providers/registry';
import { assemblyAiHook, zapierHook } from './recordings/hook';
import { RecordingsService } from './recordings/service';
import type { GoogleEndpoints } from './sources/google-sheets';
import { SheetSources } from './sources/service';
import { openDatabase, type Db } from './store/db';
import { SecretsRepository, SettingsRepository } from './store/repositories/settings';
import { SecretStore, SettingsService } from './settings/settings';
import { TunnelService } from './tunnel/service';
import { HookUrls } from './webhooks/hook-urls';
import { WebhookServer } from './webhooks/server';

export type HostKind = 'electron' | 'web' | 'cli';

export interface CoreOptions {
  dataDir: string;
  platform: Platform;
  host: HostKind;
  version?: string;
  /** better-sqlite3 addon for this runtime (Electron passes its own build). */
  nativeBinding?: string;
  /** Google API endpoints (tests point them at a fake on 127.0.0.1). */
  google?: GoogleEndpoints;
  /**
   * How the host restarts the console to finish a staged restore or wipe (Electron relaunches, the web host builds a
   * new core in-process). Without it the change waits for the next start.
   */
  requestRestart?: () => void;
  /** The dialer's own timings (stale sweep, backoff, pacing of progress events); tests shorten them. */
  dialer?: Partial<DialerTuning>;
  /** Provider clients' request timeouts and polling; tests shorten them. */
  providers?: ProviderTuning;
}

/** The services the console is made of, built in dependency order; the api layer is built from them. */
export interface CoreServices {
  readonly options: CoreOptions;
  readonly dataDir: string;
  readonly db: Db;
  readonly bus: EventBus;
  readonly platform: Platform;
  readonly settings: SettingsService;
  readonly secrets: SecretStore;
  readonly providers: ProviderRegistry;
  readonly calls: CallLifecycle;
  /** Provider events no call could be found for with certainty, waiting for a person. */
  readonly review: ReviewList;
  readonly webhooks: WebhookServer;
  readonly dialer: Dialer;
  readonly contacts: ContactsService;
  /** The do-not-call list: the one place numbers are put on it or taken off. */
  readonly dnc: DncService;
  /** Google Sheets as live contact sources, with write-back. */
  readonly sources: SheetSources;
  /** Call recordings → transcription → Slack. */
  readonly recordings: RecordingsService;
  /** Public URL for the webhook server: localtunnel or the user's own. */
  readonly tunnel: TunnelService;
  /** Human agents and hand-offs to them. */
  readonly agents: { roster: AgentRoster; transfers: TransferService };
}

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
  applyPendingReplacement(databasePath(dataDir), clock.now(), options.nativeBinding);
  const db = openDatabase(databasePath(dataDir), { nativeBinding: options.nativeBinding });
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
    stats: { recordings: () => recordings.stats() },
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
      db.close();
    },
  };
}
