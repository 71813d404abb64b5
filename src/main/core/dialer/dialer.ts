import type { CampaignProgress, ProviderName } from '@shared/domain';
import type { WaitingContact } from '@shared/contract/campaigns';
import type { EventBus } from '../bus';
import type { CallLifecycle } from '../calls/lifecycle';
import type { Platform } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import type { Db } from '../store/db';
import type { ActivityEntry } from '../store/repositories/activity';
import type { WebhookServer } from '../webhooks/server';
import { DialerActivity } from './activity';
import { CampaignStateMachine } from './campaigns';
import { CampaignEndings, type ProviderBackoff } from './endings';
import { DialerEngine } from './engine';
import { CampaignEnqueuer } from './enqueue';
import { CampaignProgressReporter } from './progress';
import { CallReconciler } from './reconcile';
import { DEFAULT_TUNING, type DialerTuning } from './tuning';
import { WakeTimer } from './wake-timer';

/**
 * What the dialer's parts share (tuning, activity log, progress reporter, wake-up timer, provider backoff) and the
 * campaign endings that update it. Built before the call lifecycle, which reports every ending to `endings` inside
 * the transaction that ends the call; the Dialer, which places calls through that lifecycle, is built after it.
 */
export class DialerState {
  readonly tuning: DialerTuning;
  readonly activity: DialerActivity;
  readonly progress: CampaignProgressReporter;
  readonly timer: WakeTimer;
  readonly backoff: ProviderBackoff = new Map();
  readonly endings: CampaignEndings;

  constructor(deps: { db: Db; bus: EventBus; platform: Platform }, tuning: Partial<DialerTuning> = {}) {
    const { db, bus, platform } = deps;
    this.tuning = { ...DEFAULT_TUNING, ...tuning };
    this.activity = new DialerActivity({ db, platform });
    this.progress = new CampaignProgressReporter({ db, bus, platform, progressEveryMs: this.tuning.progressEveryMs });
    this.timer = new WakeTimer({ clock: platform.clock, logger: platform.logger });
    const { progress, timer, backoff } = this;
    this.endings = new CampaignEndings({ db, clock: platform.clock, backoff, progress, timer });
  }
}

export interface DialerDeps {
  db: Db;
  bus: EventBus;
  platform: Platform;
  providers: ProviderRegistry;
  calls: CallLifecycle;
  /** Where providers post this call's events, and a nudge to match deliveries that arrived before the call id. */
  webhooks: Pick<WebhookServer, 'hookUrl' | 'retryUnknown'>;
  state: DialerState;
}

/**
 * Campaigns and the engine that places their calls, as one capability: `campaigns` takes the user's commands, `engine`
 * runs the loop. The parts, each in its own file:
 * campaigns.ts (the campaign state machine), enqueue.ts (how contacts join a queue), engine.ts (the loop, placing,
 * pacing, backoff), endings.ts (a call's end moves its contact on), reconcile.ts (calls left in flight, stale calls),
 * progress.ts (counts and progress events), activity.ts (the log).
 */
export class Dialer {
  readonly campaigns: CampaignStateMachine;
  readonly engine: DialerEngine;
  readonly activity: DialerActivity;
  readonly progressReporter: CampaignProgressReporter;

  constructor(readonly deps: DialerDeps) {
    const { db, bus, platform, providers, calls, webhooks, state } = deps;
    const { tuning, activity, progress, timer, backoff } = state;
    this.activity = activity;
    this.progressReporter = progress;
    this.campaigns = new CampaignStateMachine({
      db,
      bus,
      platform,
      providers,
      activity,
      progress,
      timer,
      enqueuer: new CampaignEnqueuer(db),
    });
    const reconciler = new CallReconciler({
      db,
      platform,
      providers,
      calls,
      activity,
      staleAfterMs: tuning.staleAfterMs,
      silentAfterMs: tuning.silentAfterMs,
    });
    this.engine = new DialerEngine({
      db,
      platform,
      providers,
      calls,
      webhooks,
      campaigns: this.campaigns,
      progress,
      activity,
      reconciler,
      timer,
      backoff,
      tuning,
    });
  }

  // ── the engine ──
  start(): Promise<void> {
    return this.engine.start();
  }
  stop(): Promise<void> {
    return this.engine.stop();
  }
  idle(): Promise<void> {
    return this.engine.idle();
  }
  tick(): Promise<void> {
    return this.engine.tick();
  }
  backoffUntil(provider: ProviderName): number | null {
    return this.engine.backoffUntil(provider);
  }
  hangup(callId: number): Promise<void> {
    return this.engine.hangup(callId);
  }

  // ── what a campaign did and where it stands ──
  progress(id: number): CampaignProgress {
    return this.progressReporter.progress(this.campaigns.get(id));
  }
  waiting(id: number, limit: number, offset: number): WaitingContact[] {
    this.campaigns.get(id);
    return this.progressReporter.waiting(id, limit, offset);
  }
  activityLog(id: number, limit: number, beforeId?: number): ActivityEntry[] {
    this.campaigns.get(id);
    return this.activity.forCampaign(id, limit, beforeId);
  }
}
