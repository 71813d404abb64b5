import { LIVE_CALL_STATUSES, type CampaignContactState, type WaitReason } from '@shared/domain';
import type { Statement } from 'better-sqlite3';
import { prepareCached, type Db } from '../db';

// The dialer's work queue: one campaign_contacts row per contact per campaign, picked by due time
// (index campaign_contacts_due: campaign_id, priority DESC, next_at WHERE state = 'pending').

export interface QueueRow {
  contact_id: number;
  state: CampaignContactState;
  priority: number;
  attempts: number;
  next_at: number | null;
  wait_reason: WaitReason | null;
  last_result: string | null;
  outcome: string | null;
}

export interface WaitingRow {
  contactId: number;
  name: string;
  phone: string | null;
  timezone: string | null;
  attempts: number;
  nextAt: number | null;
  waitReason: WaitReason | null;
  lastResult: string | null;
}

export interface DialTarget {
  id: number;
  name: string;
  phone: string | null;
  timezone: string | null;
  email: string | null;
  phone_raw: string;
  language: string | null;
  variables_json: string;
  callable: number;
  /** Rows of a connected Google Sheet: the Status and Last Attempt Time the row shows, and the sheet's rules. */
  source_status: string | null;
  source_attempt_at: number | null;
  sheet_rules_json: string | null;
}

/** Why the enqueue rules or the dial-time check left a contact out (shown in the campaign view). */
export const ON_DNC = 'on the do-not-call list';
const SAME_NUMBER = 'same number as another contact in this campaign';

const LIVE_IN = `(${LIVE_CALL_STATUSES.map((s) => `'${s}'`).join(',')})`;

export class DialerRepository {
  private prep<P extends unknown[] | [Record<string, unknown>] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    return prepareCached<P, R>(this.db, sql);
  }

  private readonly dueStmt;
  private readonly nextPriorityStmt;
  private readonly minDueStmt;
  private readonly rowStmt;
  private readonly targetStmt;
  private readonly waitStmt;
  private readonly activeStmt;
  private readonly finishStmt;
  private readonly excludeStmt;
  private readonly liveCountStmt;
  private readonly anyPendingStmt;
  private readonly conversationStmt;
  private readonly outcomeStmt;

  constructor(private readonly db: Db) {
    this.dueStmt = db.prepare<[number, number, number, number], QueueRow>(
      `SELECT contact_id, state, priority, attempts, next_at, wait_reason, last_result, outcome FROM campaign_contacts
       WHERE campaign_id = ? AND state = 'pending' AND priority = ? AND next_at <= ? ORDER BY next_at LIMIT ?`,
    );
    this.nextPriorityStmt = db.prepare<[number, number], { priority: number }>(
      `SELECT priority FROM campaign_contacts WHERE campaign_id = ? AND state = 'pending' AND priority < ?
       ORDER BY priority DESC LIMIT 1`,
    );
    this.minDueStmt = db.prepare<[number, number], { at: number | null }>(
      `SELECT MIN(next_at) AS at FROM campaign_contacts WHERE campaign_id = ? AND state = 'pending' AND priority = ?`,
    );
    this.rowStmt = db.prepare<[number, number], QueueRow>(
      `SELECT contact_id, state, priority, attempts, next_at, wait_reason, last_result, outcome FROM campaign_contacts
       WHERE campaign_id = ? AND contact_id = ?`,
    );
    this.targetStmt = db.prepare<[number], DialTarget>(
      `SELECT id, name, phone, phone_raw, timezone, language, email, variables_json, callable, source_status, source_attempt_at,
              (SELECT s.rules_json FROM sheet_connections s WHERE s.list_id = contacts.list_id) AS sheet_rules_json
         FROM contacts WHERE id = ?`,
    );
    this.waitStmt = db.prepare(
      `UPDATE campaign_contacts SET state = 'pending', next_at = @nextAt, wait_reason = @reason, attempts = COALESCE(@attempts, attempts),
              last_result = COALESCE(@lastResult, last_result), updated_at = @at
       WHERE campaign_id = @campaignId AND contact_id = @contactId`,
    );
    this.activeStmt = db.prepare(
      `UPDATE campaign_contacts SET state = 'active', attempts = @attempts, next_at = NULL, wait_reason = NULL, updated_at = @at
       WHERE campaign_id = @campaignId AND contact_id = @contactId`,
    );
    this.finishStmt = db.prepare(
      `UPDATE campaign_contacts SET state = 'done', next_at = NULL, wait_reason = NULL, last_result = @lastResult, updated_at = @at
       WHERE campaign_id = @campaignId AND contact_id = @contactId`,
    );
    this.excludeStmt = db.prepare(
      `UPDATE campaign_contacts SET state = 'excluded', next_at = NULL, wait_reason = NULL, excluded_reason = @reason, updated_at = @at
       WHERE campaign_id = @campaignId AND contact_id = @contactId`,
    );
    this.liveCountStmt = db.prepare<[number], { n: number }>(
      `SELECT COUNT(*) AS n FROM calls WHERE campaign_id = ? AND status IN ${LIVE_IN}`,
    );
    this.anyPendingStmt = db.prepare<[number], { one: number }>(
      `SELECT 1 AS one FROM campaign_contacts WHERE campaign_id = ? AND state = 'pending' LIMIT 1`,
    );
    this.conversationStmt = db.prepare<[number, number], { one: number }>(
      `SELECT 1 AS one FROM calls WHERE contact_id = ? AND campaign_id = ? AND conversation = 1 LIMIT 1`,
    );
    this.outcomeStmt = db.prepare<[string, number, number]>(
      `UPDATE campaign_contacts SET outcome = ? WHERE campaign_id = ? AND contact_id = ?`,
    );
  }

  /**
   * The enqueue rules, in one statement: each candidate contact not yet in the campaign joins it pending, or excluded
   * with the reason of the first rule it breaks: no callable number (the contact's own reason, e.g. do-not-call), a
   * number on the do-not-call list, or a number another contact of the campaign holds (the lowest id among the
   * candidates, or the one queued already, keeps it). `candidates` selects contact ids as `c` from `contacts c`.
   */
  private enqueue(candidates: string, params: Record<string, unknown>): number {
    return this.prep<[Record<string, unknown>]>(
      `INSERT OR IGNORE INTO campaign_contacts (campaign_id, contact_id, state, priority, attempts, next_at, wait_reason, excluded_reason, updated_at)
         SELECT @campaignId, id,
                CASE WHEN reason IS NULL THEN 'pending' ELSE 'excluded' END,
                @priority, 0,
                CASE WHEN reason IS NULL THEN @nextAt END,
                CASE WHEN reason IS NULL THEN 'new' END,
                reason,
                @at
         FROM (SELECT c.id,
                      CASE WHEN c.phone IS NULL OR c.callable = 0 THEN COALESCE(c.not_callable_reason, 'no valid phone number')
                           WHEN EXISTS (SELECT 1 FROM dnc WHERE dnc.phone = c.phone) THEN @onDnc
                           WHEN ROW_NUMBER() OVER (PARTITION BY c.phone ORDER BY c.id) > 1
                                OR EXISTS (SELECT 1 FROM contacts o
                                             JOIN campaign_contacts q ON q.campaign_id = @campaignId AND q.contact_id = o.id
                                            WHERE o.phone = c.phone AND o.id <> c.id)
                             THEN @sameNumber
                      END AS reason
               FROM ${candidates})`,
    ).run({ ...params, onDnc: ON_DNC, sameNumber: SAME_NUMBER }).changes;
  }

  /** Every contact of the campaign's lists not yet queued, through the enqueue rules. */
  enqueueFromLists(campaignId: number, priority: number, nextAt: number, at: number): number {
    return this.enqueue('contacts c JOIN campaign_lists l ON l.list_id = c.list_id AND l.campaign_id = @campaignId', {
      campaignId,
      priority,
      nextAt,
      at,
    });
  }

  /** Chosen contacts not yet queued, through the enqueue rules. */
  enqueueChosen(campaignId: number, contactIds: number[], priority: number, nextAt: number, at: number): number {
    return this.enqueue('contacts c WHERE c.id IN (SELECT value FROM json_each(@ids))', {
      campaignId,
      priority,
      nextAt,
      at,
      ids: JSON.stringify(contactIds),
    });
  }

  /** The contacts among `contactIds` that already have a row in the campaign. */
  queuedAmong(campaignId: number, contactIds: number[]): Set<number> {
    return new Set(
      this.prep<[number, string], { contact_id: number }>(
        `SELECT contact_id FROM campaign_contacts WHERE campaign_id = ? AND contact_id IN (SELECT value FROM json_each(?))`,
      )
        .all(campaignId, JSON.stringify(contactIds))
        .map((r) => r.contact_id),
    );
  }

  /**
   * Call now for a contact already in the campaign: waiting brings it forward, finished without a conversation gives
   * it a fresh round, while its number may still be called. Returns whether it will be dialled.
   */
  bringForward(campaignId: number, contactId: number, priority: number, at: number): boolean {
    return (
      this.prep(
        `UPDATE campaign_contacts SET state = 'pending', priority = @priority, next_at = @at, wait_reason = 'new',
                attempts = CASE WHEN state = 'done' THEN 0 ELSE attempts END, updated_at = @at
         WHERE campaign_id = @campaignId AND contact_id = @contactId AND state IN ('pending', 'done')
           AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.campaign_id = @campaignId AND calls.contact_id = @contactId
                             AND calls.conversation = 1)
           AND EXISTS (SELECT 1 FROM contacts c WHERE c.id = @contactId AND c.phone IS NOT NULL AND c.callable = 1
                         AND NOT EXISTS (SELECT 1 FROM dnc WHERE dnc.phone = c.phone))`,
      ).run({ campaignId, contactId, priority, at }).changes > 0
    );
  }

  /**
   * A contact whose sheet row came back: it returns to the queues it left when the row was removed, while its number
   * may still be called. Returns how many queues it rejoined.
   */
  restoreExcluded(contactId: number, reason: string, at: number): number {
    return this.prep(
      `UPDATE campaign_contacts SET state = 'pending', excluded_reason = NULL, next_at = @at, wait_reason = 'new', updated_at = @at
         WHERE contact_id = @contactId AND state = 'excluded' AND excluded_reason = @reason
           AND EXISTS (SELECT 1 FROM contacts c WHERE c.id = @contactId AND c.phone IS NOT NULL AND c.callable = 1
                         AND NOT EXISTS (SELECT 1 FROM dnc WHERE dnc.phone = c.phone))`,
    ).run({ contactId, reason, at }).changes;
  }

  /** A waiting contact is not dialled before `notBefore` (a later due time it has already is kept). */
  holdUntil(campaignId: number, contactId: number, notBefore: number, reason: WaitReason, at: number): void {
    this.prep(
      `UPDATE campaign_contacts SET next_at = MAX(COALESCE(next_at, 0), @notBefore), wait_reason = @reason, updated_at = @at
         WHERE campaign_id = @campaignId AND contact_id = @contactId AND state = 'pending' AND next_at < @notBefore`,
    ).run({ campaignId, contactId, notBefore, reason, at });
  }

  /** Re-run: every contact not reached (no conversation, not excluded) gets a fresh round of attempts. */
  requeueUnreached(campaignId: number, at: number): number {
    return this.prep(
      `UPDATE campaign_contacts SET state = 'pending', attempts = 0, next_at = @at, wait_reason = 'new', updated_at = @at
         WHERE campaign_id = @campaignId AND state IN ('pending', 'done')
           AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.campaign_id = @campaignId
                             AND calls.contact_id = campaign_contacts.contact_id AND calls.conversation = 1)`,
    ).run({ campaignId, at }).changes;
  }

  /** Pending contacts due at `now`, highest priority first, then longest waiting; walks priorities by index seeks. */
  due(campaignId: number, now: number, limit: number): QueueRow[] {
    const out: QueueRow[] = [];
    let below = Number.MAX_SAFE_INTEGER;
    while (out.length < limit) {
      const p = this.nextPriorityStmt.get(campaignId, below);
      if (!p) break;
      out.push(...this.dueStmt.all(campaignId, p.priority, now, limit - out.length));
      below = p.priority;
    }
    return out;
  }

  /** Earliest next_at among pending contacts (to set the wake-up timer). */
  nextDueAt(campaignId: number): number | null {
    let below = Number.MAX_SAFE_INTEGER;
    let min: number | null = null;
    for (;;) {
      const p = this.nextPriorityStmt.get(campaignId, below);
      if (!p) return min;
      const at = this.minDueStmt.get(campaignId, p.priority)?.at ?? null;
      if (at !== null && (min === null || at < min)) min = at;
      below = p.priority;
    }
  }

  row(campaignId: number, contactId: number): QueueRow | undefined {
    return this.rowStmt.get(campaignId, contactId);
  }
  target(contactId: number): DialTarget | undefined {
    return this.targetStmt.get(contactId);
  }

  wait(
    campaignId: number,
    contactId: number,
    nextAt: number,
    reason: WaitReason,
    at: number,
    extra: { attempts?: number; lastResult?: string } = {},
  ): void {
    this.waitStmt.run({
      campaignId,
      contactId,
      nextAt,
      reason,
      at,
      attempts: extra.attempts ?? null,
      lastResult: extra.lastResult ?? null,
    });
  }
  activate(campaignId: number, contactId: number, attempts: number, at: number): void {
    this.activeStmt.run({ campaignId, contactId, attempts, at });
  }
  finish(campaignId: number, contactId: number, lastResult: string | null, at: number): void {
    this.finishStmt.run({ campaignId, contactId, lastResult, at });
  }
  exclude(campaignId: number, contactId: number, reason: string, at: number): void {
    this.excludeStmt.run({ campaignId, contactId, reason, at });
  }
  setOutcome(campaignId: number, contactId: number, outcome: string): void {
    this.outcomeStmt.run(outcome, campaignId, contactId);
  }

  liveCalls(campaignId: number): number {
    return this.liveCountStmt.get(campaignId)?.n ?? 0;
  }
  hasPending(campaignId: number): boolean {
    return this.anyPendingStmt.get(campaignId) !== undefined;
  }
  hadConversation(campaignId: number, contactId: number): boolean {
    return this.conversationStmt.get(contactId, campaignId) !== undefined;
  }

  /** Waiting contacts, soonest first, with their reason (campaign view); a due one waits for a free line. */
  waiting(campaignId: number, now: number, limit: number, offset: number): WaitingRow[] {
    return this.prep<[number, number, number, number], WaitingRow>(
      `SELECT cc.contact_id AS contactId, c.name, c.phone, c.timezone, cc.attempts, cc.next_at AS nextAt,
                CASE WHEN cc.next_at <= ? THEN 'capacity' ELSE cc.wait_reason END AS waitReason, cc.last_result AS lastResult
         FROM campaign_contacts cc JOIN contacts c ON c.id = cc.contact_id
         WHERE cc.campaign_id = ? AND cc.state = 'pending' ORDER BY cc.priority DESC, cc.next_at LIMIT ? OFFSET ?`,
    ).all(now, campaignId, limit, offset);
  }

  /** The pending contact whose calling window opens first (reason 'window' and still in the future). */
  soonestWindowWait(
    campaignId: number,
    now: number,
  ): { nextAt: number; phone: string | null; timezone: string | null } | undefined {
    return this.prep<[number, number], { nextAt: number; phone: string | null; timezone: string | null }>(
      `SELECT cc.next_at AS nextAt, c.phone, c.timezone
         FROM campaign_contacts cc JOIN contacts c ON c.id = cc.contact_id
         WHERE cc.campaign_id = ? AND cc.state = 'pending' AND cc.wait_reason = 'window' AND cc.next_at > ?
         ORDER BY cc.next_at LIMIT 1`,
    ).get(campaignId, now);
  }

  counts(
    campaignId: number,
    now: number,
  ): {
    total: number;
    byContactState: Record<string, number>;
    byWaitReason: Record<string, number>;
    byOutcome: Record<string, number>;
    byCallStatus: Record<string, number>;
    byResult: Record<string, number>;
  } {
    const byContactState: Record<string, number> = {};
    const byWaitReason: Record<string, number> = {};
    const byOutcome: Record<string, number> = {};
    const byCallStatus: Record<string, number> = {};
    const byResult: Record<string, number> = {};
    let total = 0;
    const rows = this.prep<
      [number, number],
      { state: string; reason: string | null; outcome: string | null; n: number }
    >(
      // A due contact that is still pending is waiting for capacity (a free line, pacing or provider backoff).
      `SELECT state, CASE WHEN state = 'pending' AND next_at <= ? THEN 'capacity' ELSE wait_reason END AS reason, outcome, COUNT(*) AS n
         FROM campaign_contacts WHERE campaign_id = ? GROUP BY 1, 2, 3`,
    ).all(now, campaignId);
    for (const r of rows) {
      total += r.n;
      byContactState[r.state] = (byContactState[r.state] ?? 0) + r.n;
      if (r.state === 'pending' && r.reason) byWaitReason[r.reason] = (byWaitReason[r.reason] ?? 0) + r.n;
      if (r.outcome) byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + r.n;
    }
    const calls = this.prep<[number], { status: string; result: string | null; n: number }>(
      `SELECT status, result, COUNT(*) AS n FROM calls WHERE campaign_id = ? AND counts_as_attempt = 1 GROUP BY 1, 2`,
    ).all(campaignId);
    for (const c of calls) {
      byCallStatus[c.status] = (byCallStatus[c.status] ?? 0) + c.n;
      if (c.result) byResult[c.result] = (byResult[c.result] ?? 0) + c.n;
    }
    return { total, byContactState, byWaitReason, byOutcome, byCallStatus, byResult };
  }
}
