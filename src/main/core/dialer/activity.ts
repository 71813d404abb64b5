import type { LogLevel, Platform } from '../platform';
import type { Db } from '../store/db';
import { ActivityRepository, type ActivityEntry } from '../store/repositories/activity';

/** What the dialer did and why, per campaign and call (the campaign view's log), mirrored to the app log. */
export class DialerActivity {
  private readonly repo: ActivityRepository;

  constructor(private readonly deps: { db: Db; platform: Platform }) {
    this.repo = new ActivityRepository(deps.db);
  }

  log(campaignId: number | null, callId: number | null, level: LogLevel, message: string): void {
    this.repo.add({ at: this.deps.platform.clock.now(), level, scope: 'dialer', campaignId, callId, message });
    this.deps.platform.logger.log(level, 'dialer', message, { campaignId, callId });
  }

  /** Newest first; `beforeId` pages further back. */
  forCampaign(campaignId: number, limit: number, beforeId?: number): ActivityEntry[] {
    return this.repo.forCampaign(campaignId, limit, beforeId);
  }
}

export { errorText } from '../errors';
