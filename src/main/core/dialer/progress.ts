import type { Campaign, CampaignProgress } from '@shared/domain';
import type { WaitingContact } from '@shared/contract/campaigns';
import { resolveZone } from '@shared/time/zones';
import type { EventBus } from '../bus';
import type { Platform, TimerHandle } from '../platform';
import type { Db } from '../store/db';
import { CampaignsRepository } from '../store/repositories/campaigns';
import { DialerRepository } from '../store/repositories/dialer';
import { errorText } from './activity';

/** A campaign's counts and waiting contacts, and the throttled campaign.progress events that carry them. */
export class CampaignProgressReporter {
  private readonly campaigns: CampaignsRepository;
  private readonly queue: DialerRepository;
  private started = false;
  private readonly due = new Map<
    number,
    { timer: TimerHandle | null; lastAt: number; wallCost: number; lastWall: number }
  >();

  constructor(private readonly deps: { db: Db; bus: EventBus; platform: Platform; progressEveryMs: number }) {
    this.campaigns = new CampaignsRepository(deps.db);
    this.queue = new DialerRepository(deps.db);
  }

  private get now(): number {
    return this.deps.platform.clock.now();
  }

  /** Events go out only while the dialer runs. */
  start(): void {
    this.started = true;
  }

  stop(): void {
    this.started = false;
    for (const p of this.due.values()) if (p.timer) this.deps.platform.clock.clearTimeout(p.timer);
    this.due.clear();
  }

  progress(c: Campaign): CampaignProgress {
    const counts = this.queue.counts(c.id, this.now);
    return {
      campaignId: c.id,
      state: c.state,
      stateReason: c.stateReason,
      ...counts,
      nextDueAt: this.queue.nextDueAt(c.id),
      windowOpens: this.windowOpens(c),
      watching:
        c.state === 'running' &&
        c.settings.watchSources &&
        !this.queue.hasPending(c.id) &&
        this.queue.liveCalls(c.id) === 0,
    };
  }

  private windowOpens(c: Campaign): CampaignProgress['windowOpens'] {
    if (c.settings.ignoreWindow) return null;
    const first = this.queue.soonestWindowWait(c.id, this.now);
    if (!first) return null;
    return { at: first.nextAt, zone: resolveZone(first.timezone, first.phone, c.settings.defaultTimezone).zone };
  }

  waiting(campaignId: number, limit: number, offset: number): WaitingContact[] {
    return this.queue.waiting(campaignId, this.now, limit, offset);
  }

  /**
   * Progress events at most every progressEveryMs of clock time per campaign, and never more than ~2% of wall time
   * (counting a 100k-contact campaign takes tens of milliseconds).
   */
  changed(id: number): void {
    let p = this.due.get(id);
    if (!p) {
      p = { timer: null, lastAt: Number.NEGATIVE_INFINITY, wallCost: 0, lastWall: 0 };
      this.due.set(id, p);
    }
    if (p.timer || !this.started) return;
    const entry = p;
    const delay = Math.max(0, entry.lastAt + this.deps.progressEveryMs - this.now);
    entry.timer = this.deps.platform.clock.setTimeout(() => {
      entry.timer = null;
      const wall = performance.now();
      if (wall - entry.lastWall < entry.wallCost * 50) {
        entry.lastAt = this.now;
        this.changed(id);
        return;
      }
      entry.lastAt = this.now;
      entry.lastWall = wall;
      try {
        const c = this.campaigns.get(id);
        if (c) this.deps.bus.publish('campaign.progress', this.progress(c));
      } catch (err) {
        this.deps.platform.logger.log('warn', 'dialer', 'Progress event failed', { error: errorText(err) });
      }
      entry.wallCost = performance.now() - wall;
    }, delay);
    entry.timer.unref?.();
  }
}
