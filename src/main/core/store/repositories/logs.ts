import type { ActivityEntry } from './activity';
import type { Db } from '../db';

export interface ActivityQuery {
  /** JSON array of the levels to keep. */
  levels: string;
  campaignId: number | null;
  callId: number | null;
  scope: string | null;
  limit: number;
}

/** Reads of activity_log for the logs view (ActivityRepository writes it). */
export class LogsRepository {
  private readonly listStmt;
  private readonly scopesStmt;
  private readonly secretNamesStmt;
  constructor(db: Db) {
    this.listStmt = db.prepare<[ActivityQuery], ActivityEntry>(
      `SELECT id, at, level, scope, campaign_id AS campaignId, call_id AS callId, message FROM activity_log
       WHERE level IN (SELECT value FROM json_each(@levels))
         AND (@campaignId IS NULL OR campaign_id = @campaignId)
         AND (@callId IS NULL OR call_id = @callId)
         AND (@scope IS NULL OR scope = @scope)
       ORDER BY id DESC LIMIT @limit`,
    );
    this.scopesStmt = db.prepare<[], { scope: string }>('SELECT DISTINCT scope FROM activity_log ORDER BY scope');
    this.secretNamesStmt = db.prepare<[], { name: string }>('SELECT name FROM secrets');
  }
  list(q: ActivityQuery): ActivityEntry[] {
    return this.listStmt.all(q);
  }
  scopes(): string[] {
    return this.scopesStmt.all().map((r) => r.scope);
  }
  /** Names of the stored secrets, so their values can be redacted from whatever the logs view shows. */
  secretNames(): string[] {
    return this.secretNamesStmt.all().map((r) => r.name);
  }
}
