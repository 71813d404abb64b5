import { prepareCached, type Db } from '../db';

/** Which human agent takes a hand-off: the provider routing's one question to the agents table. */
export class AgentRoutingRepository {
  private readonly firstStmt;
  constructor(private readonly db: Db) {
    // Available agents with a dialable number; the one whose status changed longest ago goes first, so hand-offs
    // spread over the roster instead of always ringing the same person. Busy and away agents are never picked.
    this.firstStmt = db.prepare<[], { id: number; name: string; phone: string }>(
      `SELECT id, name, phone FROM agents
        WHERE status = 'available' AND phone IS NOT NULL AND phone <> ''
        ORDER BY updated_at ASC, id ASC LIMIT 1`,
    );
  }
  firstAvailable(): { id: number; name: string; phone: string } | null {
    return this.firstStmt.get() ?? null;
  }
  /** The agent a provider says it transferred to (E.164 number, or SIP address with or without `sip:`). */
  byDestination(destination: string): { id: number; name: string } | null {
    return (
      prepareCached<[{ destination: string }], { id: number; name: string }>(
        this.db,
        `SELECT id, name FROM agents WHERE phone = @destination OR sip = @destination OR 'sip:' || sip = @destination ORDER BY id LIMIT 1`,
      ).get({ destination }) ?? null
    );
  }
}
