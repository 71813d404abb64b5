import type { HumanAgentState, HumanAgentStatus, HumanAgent } from '@shared/domain';
import type { Db } from '../db';

interface AgentRow {
  id: number;
  name: string;
  phone: string | null;
  sip: string | null;
  status: HumanAgentState;
  updated_at: number;
  skills_json: string;
}

function toAgent(r: AgentRow): HumanAgent {
  return {
    id: r.id,
    name: r.name,
    phone: r.phone,
    sip: r.sip,
    status: r.status,
    statusSince: r.updated_at,
    skills: JSON.parse(r.skills_json) as string[],
  };
}

// Wrap-up is stored as busy (the table's own statuses) and told apart here: a hand-off of theirs is connected and its
// call has ended (docs/architecture.md, Hand-offs).
const COLUMNS = `id, name, phone, sip, updated_at, skills_json,
  CASE WHEN status = 'busy' AND EXISTS (
    SELECT 1 FROM transfers t JOIN calls c ON c.id = t.call_id
     WHERE t.agent_id = agents.id AND t.status = 'connected' AND c.status = 'ended'
  ) THEN 'wrap_up' ELSE status END AS status`;

/** The human agent roster (selection of who takes a hand-off lives in agent-routing.ts). */
export class AgentsRepository {
  constructor(private readonly db: Db) {}

  list(): HumanAgent[] {
    return this.db
      .prepare<[], AgentRow>(`SELECT ${COLUMNS} FROM agents ORDER BY name COLLATE NOCASE, id`)
      .all()
      .map(toAgent);
  }
  get(id: number): HumanAgent | null {
    const row = this.db.prepare<[number], AgentRow>(`SELECT ${COLUMNS} FROM agents WHERE id = ?`).get(id);
    return row ? toAgent(row) : null;
  }
  byPhone(phone: string): HumanAgent | null {
    const row = this.db
      .prepare<[string], AgentRow>(`SELECT ${COLUMNS} FROM agents WHERE phone = ? ORDER BY id LIMIT 1`)
      .get(phone);
    return row ? toAgent(row) : null;
  }
  insert(a: Omit<HumanAgent, 'id' | 'status' | 'statusSince'>, at: number): number {
    return Number(
      this.db
        .prepare('INSERT INTO agents (name, phone, sip, skills_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(a.name, a.phone, a.sip, JSON.stringify(a.skills), at, at).lastInsertRowid,
    );
  }
  update(id: number, a: Omit<HumanAgent, 'id' | 'status' | 'statusSince'>, at: number): void {
    this.db
      .prepare('UPDATE agents SET name = ?, phone = ?, sip = ?, skills_json = ?, updated_at = ? WHERE id = ?')
      .run(a.name, a.phone, a.sip, JSON.stringify(a.skills), at, id);
  }
  /** updated_at doubles as "status since": routing picks the agent available the longest. */
  setStatus(id: number, status: HumanAgentStatus, at: number): boolean {
    return (
      this.db
        .prepare('UPDATE agents SET status = ?, updated_at = ? WHERE id = ? AND status <> ?')
        .run(status, at, id, status).changes > 0
    );
  }
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM agents WHERE id = ?').run(id).changes > 0;
  }
}
