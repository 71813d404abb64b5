// The console's options and the services it is made of. Types only: the api layer builds its handlers from these,
// and the composition root (src/main/create-core.ts) builds them in dependency order.
import type { AgentRoster } from './agents/roster';
import type { TransferService } from './agents/transfers';
import type { EventBus } from './bus';
import type { CallLifecycle } from './calls/lifecycle';
import type { ReviewList } from './calls/review';
import type { ContactsService } from './contacts/service';
import type { Dialer } from './dialer/dialer';
import type { DialerTuning } from './dialer/tuning';
import type { DncService } from './dnc/service';
import type { Platform } from './platform';
import type { ProviderRegistry, ProviderTuning } from './providers/registry';
import type { RecordingsService } from './recordings/service';
import type { GoogleEndpoints } from './sources/google-sheets';
import type { SheetSources } from './sources/service';
import type { Db } from './store/db';
import type { SecretStore, SettingsService } from './settings/settings';
import type { TunnelService } from './tunnel/service';
import type { ListenerTuning } from './webhooks/listener';
import type { WebhookServer } from './webhooks/server';

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
  /** The webhook listener's HTTP timeouts; tests shorten them. */
  webhooks?: Partial<ListenerTuning>;
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
