import { prepareCached, type Db } from '../db';

export interface CallAgentRow {
  token: string;
  callId: number;
  agentId: string | null;
}

/**
 * selfhosted_call_agents: the per-call copies of a self-hosted Bolna voice agent and the token in each copy's
 * webhook URL, which is how an extraction finds its call (docs/providers.md, Self-hosted Bolna + Twilio).
 */
export class SelfHostedAgentsRepository {
  constructor(private readonly db: Db) {}

  /** Written (and committed) before the agent server is asked for the copy, so no extraction can outrun it. */
  create(token: string, callId: number, at: number): void {
    prepareCached<[string, number, number]>(
      this.db,
      'INSERT INTO selfhosted_call_agents (token, call_id, created_at) VALUES (?, ?, ?)',
    ).run(token, callId, at);
  }

  setAgent(token: string, agentId: string): void {
    prepareCached<[string, string]>(this.db, 'UPDATE selfhosted_call_agents SET agent_id = ? WHERE token = ?').run(
      agentId,
      token,
    );
  }

  byToken(token: string): CallAgentRow | undefined {
    return prepareCached<[string], CallAgentRow>(
      this.db,
      'SELECT token, call_id AS callId, agent_id AS agentId FROM selfhosted_call_agents WHERE token = ?',
    ).get(token);
  }

  /** Agent copies still on the agent server whose call has ended (they are no longer read). */
  retirable(limit: number): CallAgentRow[] {
    return prepareCached<[number], CallAgentRow>(
      this.db,
      `SELECT a.token, a.call_id AS callId, a.agent_id AS agentId FROM selfhosted_call_agents a
         JOIN calls c ON c.id = a.call_id
        WHERE a.agent_id IS NOT NULL AND a.deleted_at IS NULL AND c.status = 'ended'
        ORDER BY a.created_at LIMIT ?`,
    ).all(limit);
  }

  markDeleted(token: string, at: number): void {
    prepareCached<[number, string]>(this.db, 'UPDATE selfhosted_call_agents SET deleted_at = ? WHERE token = ?').run(
      at,
      token,
    );
  }
}
