import type { LogLevel } from '../../platform';
import type { Db } from '../db';

export interface ActivityEntry {
  id: number;
  at: number;
  level: LogLevel;
  scope: string;
  campaignId: number | null;
  callId: number | null;
  message: string;
}

/** What the dialer (and other services) did, for the campaign log and the logs view. */
export class ActivityRepository {
  private readonly insertStmt;
  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO activity_log (at, level, scope, campaign_id, call_id, message) VALUES (@at, @level, @scope, @campaignId, @callId, @message)',
    );
  }
  add(entry: Omit<ActivityEntry, 'id'>): void {
    this.insertStmt.run(entry);
  }
  /** Newest first; `beforeId` pages further back. */
  forCampaign(campaignId: number, limit: number, beforeId?: number): ActivityEntry[] {
    return this.db
      .prepare<[number, number, number], ActivityEntry>(
        `SELECT id, at, level, scope, campaign_id AS campaignId, call_id AS callId, message
         FROM activity_log WHERE campaign_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
      )
      .all(campaignId, beforeId ?? Number.MAX_SAFE_INTEGER, limit);
  }
}
