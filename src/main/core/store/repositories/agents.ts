import type { HumanAgentStatus, HumanAgent } from '../../../../shared/domain';
import type { Db } from '../db';

interface AgentRow {
  id: number;
  name: string;
  phone: string | null;
  sip: string | null;
  status: HumanAgentStatus;
  skills_json: string;
}

function toAgent(r: AgentRow): HumanAgent {
  return {
    id: r.id,
    name: r.name,
    phone: r.phone,
    sip: r.sip,
    status: r.status,
    skills: JSON.parse(r.skills_json) as string[],
  };
}

const COLUMNS = 'id, name, phone, sip, status, skills_json';

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
  insert(a: Omit<HumanAgent, 'id' | 'status'>, at: number): number {
    return Number(
      this.db
        .prepare('INSERT INTO agents (name, phone, sip, skills_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(a.name, a.phone, a.sip, JSON.stringify(a.skills), at, at).lastInsertRowid,
    );
  }
  update(id: number, a: Omit<HumanAgent, 'id' | 'status'>, at: number): void {
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
