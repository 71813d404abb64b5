import type { Transfer, TransferStatus } from '@shared/contract/agents';
import type { Db } from '../db';

interface TransferRow {
  id: number;
  call_id: number;
  campaign_id: number | null;
  agent_id: number | null;
  agent_name: string | null;
  contact_name: string | null;
  phone: string;
  status: TransferStatus;
  requested_at: number;
  connected_at: number | null;
  ended_at: number | null;
  disposition: string | null;
  notes: string | null;
  error: string | null;
  call_ended_at: number | null;
  wrap_up_ms: number | null;
  disposition_required: number | null;
}

const DEFAULT_WRAP_UP_MS = 120_000;

function toTransfer(r: TransferRow): Transfer {
  return {
    id: r.id,
    callId: r.call_id,
    campaignId: r.campaign_id,
    humanAgentId: r.agent_id,
    humanAgentName: r.agent_name,
    contactName: r.contact_name,
    phone: r.phone,
    status: r.status,
    requestedAt: r.requested_at,
    connectedAt: r.connected_at,
    endedAt: r.ended_at,
    disposition: r.disposition,
    notes: r.notes,
    error: r.error,
    ...wrapUp(r),
  };
}

/** The hand-off loop's view of a row (docs/architecture.md, Hand-offs). */
function wrapUp(r: TransferRow): Pick<Transfer, 'wrapUpUntil' | 'dispositionRequired' | 'canDispose'> {
  const dispositionRequired = r.disposition_required === 1;
  const inWrapUp = r.status === 'connected' && r.call_ended_at !== null;
  return {
    wrapUpUntil:
      inWrapUp && !dispositionRequired
        ? Math.max(r.call_ended_at!, r.connected_at ?? 0) + (r.wrap_up_ms ?? DEFAULT_WRAP_UP_MS)
        : null,
    dispositionRequired,
    canDispose: r.status === 'connected' || r.status === 'ended',
  };
}

const SELECT = `SELECT t.id, t.call_id, c.campaign_id, t.agent_id, a.name AS agent_name, NULLIF(ct.name, '') AS contact_name, c.phone,
    t.status, t.requested_at, t.connected_at, t.ended_at, t.disposition, t.notes, t.error, c.ended_at AS call_ended_at,
    json_extract(cp.settings_json, '$.wrapUpMs') AS wrap_up_ms,
    json_extract(cp.settings_json, '$.dispositionRequired') AS disposition_required
  FROM transfers t JOIN calls c ON c.id = t.call_id
  LEFT JOIN campaigns cp ON cp.id = c.campaign_id
  LEFT JOIN agents a ON a.id = t.agent_id
  LEFT JOIN contacts ct ON ct.id = c.contact_id`;

const OPEN = `('requested','ringing','connected')`;

/** Hand-offs of calls to human agents: requested → ringing → connected → ended, or failed. */
export class TransfersRepository {
  constructor(private readonly db: Db) {}

  get(id: number): Transfer | null {
    const row = this.db.prepare<[number], TransferRow>(`${SELECT} WHERE t.id = ?`).get(id);
    return row ? toTransfer(row) : null;
  }
  /** The call's transfer still in flight (at most one: a call is handed over once). */
  openForCall(callId: number): Transfer | null {
    const row = this.db
      .prepare<[number], TransferRow>(
        `${SELECT} WHERE t.call_id = ? AND t.status IN ${OPEN} ORDER BY t.id DESC LIMIT 1`,
      )
      .get(callId);
    return row ? toTransfer(row) : null;
  }
  /** Whether the call was ever handed over (a connected-then-ended transfer must not be recorded twice). */
  anyForCall(callId: number): boolean {
    return (
      this.db
        .prepare<[number], { one: number }>(
          `SELECT 1 AS one FROM transfers WHERE call_id = ? AND status <> 'failed' LIMIT 1`,
        )
        .get(callId) !== undefined
    );
  }
  list(filter: { open?: boolean; callId?: number; limit: number }): Transfer[] {
    const where: string[] = [];
    const params: (number | string)[] = [];
    if (filter.open) where.push(`t.status IN ${OPEN}`);
    if (filter.callId !== undefined) {
      where.push('t.call_id = ?');
      params.push(filter.callId);
    }
    params.push(filter.limit);
    return this.db
      .prepare<(number | string)[], TransferRow>(
        `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY t.id DESC LIMIT ?`,
      )
      .all(...params)
      .map(toTransfer);
  }
  /** Hand-offs in wrap-up: connected, and the call is over. */
  inWrapUp(): Transfer[] {
    return this.db
      .prepare<[], TransferRow>(`${SELECT} WHERE t.status = 'connected' AND c.status = 'ended' ORDER BY t.id`)
      .all()
      .map(toTransfer);
  }
  /**
   * Agents marked busy by a hand-off that is over: no open hand-off of theirs, and their last one ended after they
   * became busy (a restart between the two writes, or a hand-off closed by any path that did not free them).
   */
  agentsLeftBusy(): number[] {
    return this.db
      .prepare<[], { id: number }>(
        `SELECT a.id FROM agents a WHERE a.status = 'busy'
           AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.agent_id = a.id AND t.status IN ${OPEN})
           AND EXISTS (SELECT 1 FROM transfers t WHERE t.agent_id = a.id AND t.ended_at >= a.updated_at)`,
      )
      .all()
      .map((r) => r.id);
  }
  insert(t: { callId: number; humanAgentId: number | null; status: TransferStatus; at: number }): number {
    return Number(
      this.db
        .prepare('INSERT INTO transfers (call_id, agent_id, status, requested_at, connected_at) VALUES (?, ?, ?, ?, ?)')
        .run(t.callId, t.humanAgentId, t.status, t.at, t.status === 'connected' ? t.at : null).lastInsertRowid,
    );
  }
  setAgent(id: number, humanAgentId: number): void {
    this.db.prepare('UPDATE transfers SET agent_id = ? WHERE id = ?').run(humanAgentId, id);
  }
  setStatus(id: number, status: TransferStatus, at: number, error: string | null = null): void {
    this.db
      .prepare(
        `UPDATE transfers SET status = @status,
           connected_at = CASE WHEN @status = 'connected' AND connected_at IS NULL THEN @at ELSE connected_at END,
           ended_at = CASE WHEN @status IN ('ended','failed') AND ended_at IS NULL THEN @at ELSE ended_at END,
           error = COALESCE(@error, error)
         WHERE id = @id`,
      )
      .run({ id, status, at, error });
  }
  dispose(id: number, disposition: string, notes: string): void {
    this.db.prepare('UPDATE transfers SET disposition = ?, notes = ? WHERE id = ?').run(disposition, notes || null, id);
  }
  /** Per campaign and local day; `transfers` excludes requests the provider refused outright. */
  counts(q: {
    campaignId?: number;
    fromMs?: number;
  }): { campaignId: number | null; day: string; transfers: number; connected: number; failed: number }[] {
    return this.db
      .prepare<
        [{ campaignId: number | null; fromMs: number }],
        { campaignId: number | null; day: string; transfers: number; connected: number; failed: number }
      >(
        `SELECT c.campaign_id AS campaignId, date(t.requested_at / 1000, 'unixepoch', 'localtime') AS day,
                COUNT(*) AS transfers,
                SUM(t.connected_at IS NOT NULL) AS connected,
                SUM(t.status = 'failed') AS failed
           FROM transfers t JOIN calls c ON c.id = t.call_id
          WHERE (@campaignId IS NULL OR c.campaign_id = @campaignId) AND t.requested_at >= @fromMs
          GROUP BY c.campaign_id, day ORDER BY day, c.campaign_id`,
      )
      .all({ campaignId: q.campaignId ?? null, fromMs: q.fromMs ?? 0 });
  }
  variablesOf(callId: number): Record<string, string> {
    const row = this.db
      .prepare<[number], { call_vars: string | null; contact_vars: string | null }>(
        `SELECT c.variables_json AS call_vars, ct.variables_json AS contact_vars
           FROM calls c LEFT JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = ?`,
      )
      .get(callId);
    const parse = (s: string | null | undefined): Record<string, string> => {
      if (!s) return {};
      const v: unknown = JSON.parse(s);
      if (!v || typeof v !== 'object') return {};
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
    };
    return { ...parse(row?.contact_vars), ...parse(row?.call_vars) };
  }
  previousCallIds(phone: string, exceptCallId: number, limit: number): number[] {
    return this.db
      .prepare<[string, number, number], { id: number }>(
        'SELECT id FROM calls WHERE phone = ? AND id <> ? ORDER BY created_at DESC, id DESC LIMIT ?',
      )
      .all(phone, exceptCallId, limit)
      .map((r) => r.id);
  }
}
