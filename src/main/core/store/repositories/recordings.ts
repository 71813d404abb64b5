import type { RecordingJob, RecordingState, RecordingStats } from '@shared/contract/recordings';
import type { Db } from '../db';

// SQL for the recordings pipeline. Every state change is one statement or one transaction, committed
// before the next network request, which is what makes a restart resume instead of repeat.

export type Step = 'queued' | 'transcribing' | 'posting';

export interface JobRow {
  id: number;
  source: 'zapier' | 'console';
  external_id: string;
  payload_json: string;
  direction: 'incoming' | 'outgoing';
  support_number: string;
  customer_number: string;
  state: RecordingState;
  failed_step: Step | null;
  error: string | null;
  attempts: number;
  next_at: number | null;
  deliveries: number;
  upload_url: string | null;
  transcript_id: string | null;
  polls: number;
  transcript_text: string | null;
  call_id: number | null;
  slack_messages_json: string | null;
  slack_parts_posted: number;
  slack_inflight_part: number | null;
  received_at: number;
  updated_at: number;
  posted_at: number | null;
  slack_parts_total: number | null;
}

export interface NewJob {
  source: 'zapier' | 'console';
  externalId: string;
  payloadJson: string;
  direction: 'incoming' | 'outgoing';
  supportNumber: string;
  customerNumber: string;
  now: number;
}

export interface StoredCall {
  phone: string;
  providerCallId: string | null;
  endedAt: number;
  durationS: number | null;
  recordingUrl: string | null;
  summary: string;
  turns: { speaker: string; text: string; atMs: number | null }[];
  searchText: string;
}

const ACTIVE = `state IN ('queued','transcribing','posting')`;
// The number of Slack messages is counted in SQL so listing jobs never parses their (large) message JSON.
const COLUMNS = '*, json_array_length(slack_messages_json) AS slack_parts_total';

export class RecordingsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Inserts the job, or counts one more delivery of a record already known (the UNIQUE external_id decides, so
   * two deliveries racing each other still make one job).
   */
  insertOrCountDuplicate(job: NewJob): { id: number; duplicate: boolean } {
    return this.db
      .transaction(() => {
        const inserted = this.db
          .prepare(
            `INSERT INTO recording_jobs (source, external_id, payload_json, direction, support_number, customer_number,
               state, next_at, received_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)
             ON CONFLICT(external_id) DO NOTHING`,
          )
          .run(
            job.source,
            job.externalId,
            job.payloadJson,
            job.direction,
            job.supportNumber,
            job.customerNumber,
            job.now,
            job.now,
            job.now,
          );
        if (inserted.changes === 1) return { id: Number(inserted.lastInsertRowid), duplicate: false };
        const row = this.db
          .prepare<[string], { id: number }>('SELECT id FROM recording_jobs WHERE external_id = ?')
          .get(job.externalId);
        if (!row) throw new Error(`recording job ${job.externalId} vanished during insert`);
        this.db.prepare('UPDATE recording_jobs SET deliveries = deliveries + 1 WHERE id = ?').run(row.id);
        return { id: row.id, duplicate: true };
      })
      .immediate();
  }

  get(id: number): JobRow | undefined {
    return this.db.prepare<[number], JobRow>(`SELECT ${COLUMNS} FROM recording_jobs WHERE id = ?`).get(id);
  }

  byExternalId(externalId: string): JobRow | undefined {
    return this.db
      .prepare<[string], JobRow>(`SELECT ${COLUMNS} FROM recording_jobs WHERE external_id = ?`)
      .get(externalId);
  }

  list(states: RecordingState[] | undefined, limit: number): JobRow[] {
    if (states && states.length > 0) {
      const marks = states.map(() => '?').join(',');
      return this.db
        .prepare<unknown[], JobRow>(
          `SELECT ${COLUMNS} FROM recording_jobs WHERE state IN (${marks}) ORDER BY received_at DESC, id DESC LIMIT ?`,
        )
        .all(...states, limit);
    }
    return this.db
      .prepare<[number], JobRow>(`SELECT ${COLUMNS} FROM recording_jobs ORDER BY received_at DESC, id DESC LIMIT ?`)
      .all(limit);
  }

  due(now: number, limit: number): JobRow[] {
    return this.db
      .prepare<[number, number], JobRow>(
        `SELECT ${COLUMNS} FROM recording_jobs WHERE ${ACTIVE} AND next_at <= ? ORDER BY next_at, id LIMIT ?`,
      )
      .all(now, limit);
  }

  nextDueAt(): number | null {
    const row = this.db
      .prepare<[], { at: number | null }>(`SELECT MIN(next_at) AS at FROM recording_jobs WHERE ${ACTIVE}`)
      .get();
    return row?.at ?? null;
  }

  /** Parts that were being sent when the process stopped: Slack may or may not have them. */
  inflightPosts(): JobRow[] {
    return this.db
      .prepare<[], JobRow>(`SELECT ${COLUMNS} FROM recording_jobs WHERE slack_inflight_part IS NOT NULL`)
      .all();
  }

  setUploaded(id: number, uploadUrl: string, now: number): void {
    this.db.prepare('UPDATE recording_jobs SET upload_url = ?, updated_at = ? WHERE id = ?').run(uploadUrl, now, id);
  }

  setSubmitted(id: number, transcriptId: string, nextAt: number, now: number): void {
    this.db
      .prepare(
        `UPDATE recording_jobs SET state = 'transcribing', transcript_id = ?, polls = 0, attempts = 0, error = NULL,
           next_at = ?, updated_at = ? WHERE id = ?`,
      )
      .run(transcriptId, nextAt, now, id);
  }

  /** AssemblyAI says the transcript is done: poll it now instead of at the next scheduled check. */
  wakeTranscript(transcriptId: string, now: number): number | null {
    const row = this.db
      .prepare<[number, number, string], { id: number }>(
        `UPDATE recording_jobs SET next_at = ?, updated_at = ? WHERE transcript_id = ? AND state = 'transcribing' RETURNING id`,
      )
      .get(now, now, transcriptId);
    return row?.id ?? null;
  }

  setPolled(id: number, nextAt: number, now: number): void {
    this.db
      .prepare('UPDATE recording_jobs SET polls = polls + 1, attempts = 0, next_at = ?, updated_at = ? WHERE id = ?')
      .run(nextAt, now, id);
  }

  /** A transient failure: try the same step again later. */
  setRetryLater(id: number, error: string, nextAt: number, now: number): void {
    this.db
      .prepare('UPDATE recording_jobs SET attempts = attempts + 1, error = ?, next_at = ?, updated_at = ? WHERE id = ?')
      .run(error, nextAt, now, id);
  }

  setFailed(id: number, step: Step, error: string, now: number): void {
    this.db
      .prepare(
        `UPDATE recording_jobs SET state = 'failed', failed_step = ?, error = ?, next_at = NULL, slack_inflight_part = NULL,
           updated_at = ? WHERE id = ?`,
      )
      .run(step, error, now, id);
  }

  /** Back to the step it failed at; a failed transcription starts over (new upload and transcript). */
  requeue(id: number, now: number): boolean {
    const row = this.get(id);
    if (!row || row.state !== 'failed' || !row.failed_step) return false;
    const restart = row.failed_step === 'transcribing' || row.failed_step === 'queued';
    this.db
      .prepare(
        `UPDATE recording_jobs SET state = ?, failed_step = NULL, error = NULL, attempts = 0, next_at = ?, updated_at = ?,
           upload_url = CASE WHEN ? THEN NULL ELSE upload_url END,
           transcript_id = CASE WHEN ? THEN NULL ELSE transcript_id END
         WHERE id = ?`,
      )
      .run(restart ? 'queued' : row.failed_step, now, now, restart ? 1 : 0, restart ? 1 : 0, id);
    return true;
  }

  /**
   * The transcript becomes a call of its own (or enriches the console call it came from), searchable like the rest,
   * and the Slack messages are fixed, all in one transaction with the move to 'posting'.
   */
  storeTranscript(
    id: number,
    input: {
      text: string;
      messagesJson: string;
      now: number;
      existingCallId: number | null;
      call: StoredCall;
      idempotencyKey: string;
    },
  ): number {
    return this.db
      .transaction(() => {
        let callId = input.existingCallId;
        if (callId === null) {
          const existing = input.call.providerCallId
            ? this.db
                .prepare<[string], { id: number }>(
                  `SELECT id FROM calls WHERE provider = 'exotel' AND provider_call_id = ?`,
                )
                .get(input.call.providerCallId)
            : undefined;
          callId = existing?.id ?? null;
        }
        if (callId === null) {
          const c = input.call;
          const res = this.db
            .prepare(
              `INSERT INTO calls (phone, idempotency_key, provider, provider_call_id, status, result, conversation,
                 created_at, started_at, ended_at, last_event_at, duration_s, recording_url, summary)
               VALUES (?, ?, 'exotel', ?, 'ended', 'completed', 1, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              c.phone,
              input.idempotencyKey,
              c.providerCallId,
              input.now,
              c.durationS !== null ? c.endedAt - c.durationS * 1000 : c.endedAt,
              c.endedAt,
              input.now,
              c.durationS,
              c.recordingUrl,
              c.summary,
            );
          callId = Number(res.lastInsertRowid);
        }
        // A console call keeps the transcript its provider sent; ours is added only where there is none.
        const hasTurns = this.db
          .prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM transcript_turns WHERE call_id = ?')
          .get(callId);
        if (!hasTurns || hasTurns.n === 0) {
          const insertTurn = this.db.prepare(
            'INSERT INTO transcript_turns (call_id, seq, speaker, text, at_ms) VALUES (?, ?, ?, ?, ?)',
          );
          input.call.turns.forEach((t, seq) => insertTurn.run(callId, seq, t.speaker, t.text, t.atMs));
          this.db.prepare('DELETE FROM call_search WHERE rowid = ?').run(callId);
          this.db
            .prepare('INSERT INTO call_search (rowid, transcript, summary) VALUES (?, ?, ?)')
            .run(callId, input.call.searchText, input.call.summary);
        }
        this.db
          .prepare(
            `UPDATE recording_jobs SET state = 'posting', transcript_text = ?, call_id = ?, slack_messages_json = ?,
               slack_parts_posted = 0, slack_inflight_part = NULL, attempts = 0, error = NULL, next_at = ?, updated_at = ?
             WHERE id = ?`,
          )
          .run(input.text, callId, input.messagesJson, input.now, input.now, id);
        return callId;
      })
      .immediate();
  }

  /** Written (and committed) before the part is sent. */
  markSending(id: number, part: number, now: number): void {
    this.db
      .prepare('UPDATE recording_jobs SET slack_inflight_part = ?, updated_at = ? WHERE id = ?')
      .run(part, now, id);
  }

  /** Slack acknowledged the part; the last part completes the job. */
  markPartPosted(id: number, part: number, total: number, now: number): void {
    const done = part + 1 >= total;
    this.db
      .prepare(
        `UPDATE recording_jobs SET slack_parts_posted = ?, slack_inflight_part = NULL, attempts = 0, error = NULL,
           state = CASE WHEN ? THEN 'posted' ELSE state END,
           posted_at = CASE WHEN ? THEN ? ELSE posted_at END,
           next_at = CASE WHEN ? THEN NULL ELSE ? END,
           updated_at = ?
         WHERE id = ?`,
      )
      .run(part + 1, done ? 1 : 0, done ? 1 : 0, now, done ? 1 : 0, now, now, id);
  }

  /** Slack answered with an error, so the part was not posted: nothing is in flight any more. */
  clearSending(id: number): void {
    this.db.prepare('UPDATE recording_jobs SET slack_inflight_part = NULL WHERE id = ?').run(id);
  }

  stats(): RecordingStats {
    const row = this.db
      .prepare<[], { processed: number; posted: number; failed: number; pending: number; duplicates: number | null }>(
        `SELECT COUNT(*) AS processed,
                SUM(state = 'posted') AS posted,
                SUM(state = 'failed') AS failed,
                SUM(${ACTIVE}) AS pending,
                SUM(deliveries - 1) AS duplicates
         FROM recording_jobs`,
      )
      .get();
    return {
      processed: row?.processed ?? 0,
      posted: row?.posted ?? 0,
      failed: row?.failed ?? 0,
      pending: row?.pending ?? 0,
      duplicates: row?.duplicates ?? 0,
    };
  }
}

export function toRecordingJob(
  row: JobRow,
  payload: {
    agentName: string | null;
    agentSlackHandle: string | null;
    department: string | null;
    durationS: number | null;
    occurredAt: number | null;
  },
): RecordingJob {
  return {
    id: row.id,
    source: row.source,
    externalId: row.external_id,
    direction: row.direction,
    supportNumber: row.support_number,
    customerNumber: row.customer_number,
    ...payload,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    state: row.state,
    failedStep: row.failed_step,
    error: row.error,
    attempts: row.attempts,
    nextAt: row.next_at,
    deliveries: row.deliveries,
    callId: row.call_id,
    slackPartsPosted: row.slack_parts_posted,
    slackPartsTotal: row.slack_parts_total,
    postedAt: row.posted_at,
  };
}
