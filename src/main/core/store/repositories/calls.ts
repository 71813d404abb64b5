import type {
  Call,
  CallEventRecord,
  CallResult,
  CallStatus,
  Outcome,
  ProviderName,
  TranscriptTurn,
} from '@shared/domain';
import type { Statement } from 'better-sqlite3';
import { prepareCached, type Db } from '../db';

// Calls (one row per attempt), their provider events, transcript turns and the call_search FTS document.

export interface CallRow {
  id: number;
  campaign_id: number | null;
  contact_id: number | null;
  phone: string;
  attempt: number;
  counts_as_attempt: number;
  idempotency_key: string;
  provider: string;
  provider_call_id: string | null;
  status: CallStatus;
  result: CallResult | null;
  outcome: Outcome | null;
  conversation: number;
  created_at: number;
  started_at: number | null;
  answered_at: number | null;
  ended_at: number | null;
  last_event_at: number | null;
  duration_s: number | null;
  cost: number | null;
  hangup_reason: string | null;
  recording_url: string | null;
  summary: string | null;
  sentiment: string | null;
  extracted_json: string | null;
  variables_json: string | null;
  language: string | null;
  error: string | null;
  /** 1 when the console ended the call because the provider went silent or did not know it. */
  stale: number;
}

type WithName = CallRow & { contact_name: string | null; contact_timezone: string | null };

const SELECT_CALL = `SELECT calls.*, contacts.name AS contact_name, contacts.timezone AS contact_timezone FROM calls LEFT JOIN contacts ON contacts.id = calls.contact_id`;

export function toCall(row: WithName): Call {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    contactId: row.contact_id,
    contactName: row.contact_name,
    contactTimezone: row.contact_timezone,
    phone: row.phone,
    attempt: row.attempt,
    provider: row.provider as ProviderName,
    providerCallId: row.provider_call_id,
    status: row.status,
    result: row.result,
    outcome: row.outcome,
    createdAt: row.created_at,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    durationS: row.duration_s,
    cost: row.cost,
    hangupReason: row.hangup_reason,
    language: row.language,
    recordingUrl: row.recording_url,
    summary: row.summary,
    sentiment: row.sentiment,
    extracted: row.extracted_json ? (JSON.parse(row.extracted_json) as Record<string, unknown>) : null,
    error: row.error,
  };
}

export interface NewAttempt {
  campaignId: number | null;
  contactId: number | null;
  phone: string;
  attempt: number;
  idempotencyKey: string;
  provider: ProviderName;
  variablesJson: string;
  /** BCP 47 tag the call is placed in; null or absent = the voice agent's own language. */
  language?: string | null;
  createdAt: number;
}

/** Columns the lifecycle may change on a call; only these names are ever interpolated into SQL. */
export const CALL_PATCH_COLUMNS = [
  'provider_call_id',
  'status',
  'result',
  'outcome',
  'conversation',
  'counts_as_attempt',
  'started_at',
  'answered_at',
  'ended_at',
  'last_event_at',
  'duration_s',
  'cost',
  'hangup_reason',
  'recording_url',
  'summary',
  'sentiment',
  'extracted_json',
  'error',
  'stale',
] as const;
export type CallPatch = Partial<Pick<CallRow, (typeof CALL_PATCH_COLUMNS)[number]>>;

export interface CallFilter {
  campaignId?: number;
  statuses?: CallStatus[];
  live?: boolean;
  limit: number;
}

export class CallsRepository {
  private prep<P extends unknown[] | [Record<string, unknown>] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    return prepareCached<P, R>(this.db, sql);
  }

  private readonly byIdStmt;
  private readonly byProviderIdStmt;
  private readonly insertStmt;
  private readonly eventExistsStmt;
  private readonly insertEventStmt;
  private readonly deleteTurnsStmt;
  private readonly insertTurnStmt;
  private readonly deleteSearchStmt;
  private readonly insertSearchStmt;
  private readonly patchStmts = new Map<string, ReturnType<Db['prepare']>>();

  constructor(private readonly db: Db) {
    this.byIdStmt = db.prepare<[number], CallRow>('SELECT * FROM calls WHERE id = ?');
    this.byProviderIdStmt = db.prepare<[string, string], CallRow>(
      'SELECT * FROM calls WHERE provider = ? AND provider_call_id = ?',
    );
    this.insertStmt = db.prepare(
      `INSERT INTO calls (campaign_id, contact_id, phone, attempt, idempotency_key, provider, status, variables_json, language, created_at, last_event_at)
       VALUES (@campaignId, @contactId, @phone, @attempt, @idempotencyKey, @provider, 'dialing', @variablesJson, @language, @createdAt, @createdAt)`,
    );
    this.eventExistsStmt = db.prepare<[string, string], { id: number }>(
      `SELECT id FROM call_events WHERE provider = ? AND dedupe_key = ? AND disposition <> 'duplicate'`,
    );
    this.insertEventStmt = db.prepare(
      `INSERT INTO call_events (call_id, inbox_id, provider, provider_call_id, dedupe_key, kind, status, disposition, occurred_at, received_at, raw)
       VALUES (@callId, @inboxId, @provider, @providerCallId, @dedupeKey, @kind, @status, @disposition, @occurredAt, @receivedAt, @raw)`,
    );
    this.deleteTurnsStmt = db.prepare<[number]>('DELETE FROM transcript_turns WHERE call_id = ?');
    this.insertTurnStmt = db.prepare(
      'INSERT INTO transcript_turns (call_id, seq, speaker, text, at_ms) VALUES (@callId, @seq, @speaker, @text, @atMs)',
    );
    this.deleteSearchStmt = db.prepare<[number]>('DELETE FROM call_search WHERE rowid = ?');
    this.insertSearchStmt = db.prepare<[number, string, string]>(
      'INSERT INTO call_search (rowid, transcript, summary) VALUES (?, ?, ?)',
    );
  }

  byId(id: number): CallRow | undefined {
    return this.byIdStmt.get(id);
  }
  byProviderCallId(provider: string, providerCallId: string): CallRow | undefined {
    return this.byProviderIdStmt.get(provider, providerCallId);
  }
  /** The call as the contract shows it (with the contact's name). */
  getCall(id: number): Call | undefined {
    const row = this.prep<[number], WithName>(`${SELECT_CALL} WHERE calls.id = ?`).get(id);
    return row ? toCall(row) : undefined;
  }

  /** Throws SQLITE_CONSTRAINT_UNIQUE when the phone already has a live call (calls_one_live_per_phone). */
  insertAttempt(a: NewAttempt): number {
    return Number(this.insertStmt.run({ ...a, language: a.language ?? null }).lastInsertRowid);
  }

  patch(id: number, patch: CallPatch): void {
    const cols = CALL_PATCH_COLUMNS.filter((c) => patch[c] !== undefined);
    if (cols.length === 0) return;
    const key = cols.join(',');
    let stmt = this.patchStmts.get(key);
    if (!stmt) {
      stmt = this.prep(`UPDATE calls SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
      this.patchStmts.set(key, stmt);
    }
    const params: Record<string, unknown> = { id };
    for (const c of cols) params[c] = patch[c];
    stmt.run(params);
  }

  eventSeen(provider: string, dedupeKey: string): boolean {
    return this.eventExistsStmt.get(provider, dedupeKey) !== undefined;
  }

  insertEvent(e: {
    callId: number | null;
    inboxId: number | null;
    provider: string;
    providerCallId: string | null;
    dedupeKey: string;
    kind: string;
    status: string | null;
    disposition: CallEventRecord['disposition'];
    occurredAt: number | null;
    receivedAt: number;
    raw: string;
  }): void {
    this.insertEventStmt.run(e);
  }

  events(callId: number): CallEventRecord[] {
    return this.prep<
      [number],
      {
        id: number;
        received_at: number;
        kind: string;
        status: string | null;
        disposition: CallEventRecord['disposition'];
        raw: string;
      }
    >('SELECT id, received_at, kind, status, disposition, raw FROM call_events WHERE call_id = ? ORDER BY id')
      .all(callId)
      .map((r) => ({
        id: r.id,
        receivedAt: r.received_at,
        kind: r.kind,
        status: r.status,
        disposition: r.disposition,
        raw: r.raw,
      }));
  }

  hasTranscript(callId: number): boolean {
    return (
      this.prep<[number], { one: number }>('SELECT 1 AS one FROM transcript_turns WHERE call_id = ? LIMIT 1').get(
        callId,
      ) !== undefined
    );
  }

  replaceTranscript(callId: number, turns: Omit<TranscriptTurn, 'seq'>[]): TranscriptTurn[] {
    this.deleteTurnsStmt.run(callId);
    const stored = turns.map((t, seq) => ({ seq, speaker: t.speaker, text: t.text, atMs: t.atMs ?? null }));
    for (const t of stored) this.insertTurnStmt.run({ callId, ...t });
    return stored;
  }

  transcript(callId: number): TranscriptTurn[] {
    return this.prep<[number], { seq: number; speaker: TranscriptTurn['speaker']; text: string; at_ms: number | null }>(
      'SELECT seq, speaker, text, at_ms FROM transcript_turns WHERE call_id = ? ORDER BY seq',
    )
      .all(callId)
      .map((r) => ({ seq: r.seq, speaker: r.speaker, text: r.text, atMs: r.at_ms }));
  }

  /** Rewrites the call's search document from its stored turns and summary. */
  reindex(callId: number, summary: string | null): void {
    const text = this.transcript(callId)
      .map((t) => t.text)
      .join('\n');
    this.deleteSearchStmt.run(callId);
    if (text || summary) this.insertSearchStmt.run(callId, text, summary ?? '');
  }

  list(filter: CallFilter): Call[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit };
    if (filter.campaignId !== undefined) {
      where.push('calls.campaign_id = @campaignId');
      params.campaignId = filter.campaignId;
    }
    if (filter.live) where.push(`calls.status <> 'ended'`);
    if (filter.statuses?.length) {
      where.push(`calls.status IN (${filter.statuses.map((_, i) => `@s${i}`).join(',')})`);
      filter.statuses.forEach((s, i) => (params[`s${i}`] = s));
    }
    const sql = `${SELECT_CALL} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY calls.id DESC LIMIT @limit`;
    return this.prep<[Record<string, unknown>], WithName>(sql).all(params).map(toCall);
  }

  /** Calls not yet ended, oldest first (crash recovery and the stale sweep). */
  live(): CallRow[] {
    return this.prep<[], CallRow>(`SELECT * FROM calls WHERE status <> 'ended' ORDER BY id`).all();
  }

  anyLive(): boolean {
    return (
      this.prep<[], { one: number }>(`SELECT 1 AS one FROM calls WHERE status <> 'ended' LIMIT 1`).get() !== undefined
    );
  }

  /** Live calls with no provider news since `before`. */
  silentSince(before: number): CallRow[] {
    return this.prep<[number], CallRow>(
      `SELECT * FROM calls WHERE status <> 'ended' AND COALESCE(last_event_at, started_at, created_at) < ? ORDER BY id`,
    ).all(before);
  }

  /**
   * Newest matching calls first: FTS5 walks its doclist backwards by rowid and stops at the limit, so a common word
   * over 100k transcripts costs the same as a rare one (ranking by bm25 would score every match first).
   */
  /**
   * Newest matching calls first: FTS5 walks its doclist backwards by rowid and stops at the limit, so a common word
   * over 100k transcripts costs about the same as a rare one (ranking by bm25 would score every match first).
   * snippet(-1) picks whichever column (transcript or summary) matched.
   */
  search(q: {
    match: string;
    campaignId?: number;
    outcome?: Outcome;
    result?: CallResult;
    endedAfter?: number;
    endedBefore?: number;
    limit: number;
  }): SearchHit[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { match: q.match, limit: q.limit };
    const filter = (key: 'campaignId' | 'outcome' | 'result' | 'endedAfter' | 'endedBefore', sql: string) => {
      if (q[key] === undefined) return;
      where.push(sql);
      params[key] = q[key];
    };
    filter('campaignId', 'calls.campaign_id = @campaignId');
    filter('outcome', 'calls.outcome = @outcome');
    filter('result', 'calls.result = @result');
    filter('endedAfter', 'calls.ended_at >= @endedAfter');
    filter('endedBefore', 'calls.ended_at < @endedBefore');
    return this.prep<[Record<string, unknown>], SearchHit>(
      `SELECT calls.id AS callId, contacts.name AS contactName, calls.phone AS phone, calls.ended_at AS endedAt, calls.outcome AS outcome,
              snippet(call_search, -1, '[[', ']]', '…', 16) AS snippet
       FROM call_search
       JOIN calls ON calls.id = call_search.rowid
       LEFT JOIN contacts ON contacts.id = calls.contact_id
       WHERE call_search MATCH @match ${where.map((w) => `AND ${w}`).join(' ')}
       ORDER BY call_search.rowid DESC LIMIT @limit`,
    ).all(params);
  }
}

export interface SearchHit {
  callId: number;
  contactName: string | null;
  phone: string;
  endedAt: number | null;
  outcome: Outcome | null;
  snippet: string;
}

export function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    ((err as { code: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' ||
      (err as { code: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}
