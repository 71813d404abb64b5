import type { Call, Campaign, CampaignProgress, CampaignSettings, ProviderName } from '../../../shared/domain';
import type { WaitingContact } from '../../../shared/contract/campaigns';
import type { EventBus } from '../bus';
import type { CallLifecycle } from '../calls/lifecycle';
import type { Platform } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import type { Db } from '../store/db';
import type { ActivityEntry } from '../store/repositories/activity';
import type { WebhookServer } from '../webhooks/server';
import { DialerActivity } from './activity';
import { CampaignStateMachine, type CreateCampaignInput } from './campaigns';
import { DialerEngine } from './engine';
import { CampaignEnqueuer } from './enqueue';
import { CampaignProgressReporter } from './progress';
import { CallReconciler } from './reconcile';
import { DEFAULT_TUNING, type DialerTuning } from './tuning';
import { WakeTimer } from './wake-timer';

export interface DialerDeps {
  db: Db;
  bus: EventBus;
  platform: Platform;
  providers: ProviderRegistry;
  calls: CallLifecycle;
  webhooks: WebhookServer;
}

/**
 * Campaigns and the engine that places their calls, as one capability. The parts, each in its own file:
 * campaigns.ts (the campaign state machine), enqueue.ts (how contacts join a queue), engine.ts (the loop, placing,
 * pacing, backoff, call endings), reconcile.ts (calls left in flight, stale calls), progress.ts (counts and progress
 * events), activity.ts (the log).
 */
export class Dialer {
  readonly campaigns: CampaignStateMachine;
  readonly engine: DialerEngine;
  readonly activity: DialerActivity;
  readonly progressReporter: CampaignProgressReporter;

  constructor(
    readonly deps: DialerDeps,
    tuning: Partial<DialerTuning> = {},
  ) {
    const t: DialerTuning = { ...DEFAULT_TUNING, ...tuning };
    const { db, bus, platform, providers, calls, webhooks } = deps;
    this.activity = new DialerActivity({ db, platform });
    this.progressReporter = new CampaignProgressReporter({ db, bus, platform, progressEveryMs: t.progressEveryMs });
    const timer = new WakeTimer({ clock: platform.clock, logger: platform.logger });
    this.campaigns = new CampaignStateMachine({
      db,
      bus,
      platform,
      providers,
      activity: this.activity,
      progress: this.progressReporter,
      timer,
      enqueuer: new CampaignEnqueuer(db),
    });
    const reconciler = new CallReconciler({
      db,
      platform,
      providers,
      calls,
      activity: this.activity,
      staleAfterMs: t.staleAfterMs,
    });
    this.engine = new DialerEngine({
      db,
      platform,
      providers,
      calls,
      webhooks,
      campaigns: this.campaigns,
      progress: this.progressReporter,
      activity: this.activity,
      reconciler,
      timer,
      tuning: t,
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
  onCallEnded(call: Call): void {
    this.engine.onCallEnded(call);
  }
  backoffUntil(provider: ProviderName): number | null {
    return this.engine.backoffUntil(provider);
  }
  hangup(callId: number): Promise<void> {
    return this.engine.hangup(callId);
  }

  // ── campaigns ──
  create(input: CreateCampaignInput): Campaign {
    return this.campaigns.create(input);
  }
  get(id: number): Campaign {
    return this.campaigns.get(id);
  }
  list(): Campaign[] {
    return this.campaigns.list();
  }
  update(
    id: number,
    patch: { name?: string; agentId?: string | null; settings?: Partial<CampaignSettings>; startAt?: number | null },
  ): Campaign {
    return this.campaigns.update(id, patch);
  }
  startCampaign(id: number): Campaign {
    return this.campaigns.start(id);
  }
  pause(id: number): Campaign {
    return this.campaigns.pause(id);
  }
  resume(id: number): Campaign {
    return this.campaigns.resume(id);
  }
  cancel(id: number): Campaign {
    return this.campaigns.cancel(id);
  }
  rerun(id: number): Campaign {
    return this.campaigns.rerun(id);
  }
  callNow(input: Parameters<CampaignStateMachine['callNow']>[0]): { campaign: Campaign; queued: number } {
    return this.campaigns.callNow(input);
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
