import {
  CALL_STATUS_RANK,
  CampaignSettings,
  type Call,
  type CallResult,
  type CallStatus,
  type Outcome,
  type TranscriptTurn,
} from '@shared/domain';
import type { EventBus } from '../bus';
import type { Clock, Logger } from '../platform';
import type { NormalizedEvent } from '../providers/types';
import type { Db } from '../store/db';
import { ActivityRepository } from '../store/repositories/activity';
import { CallsRepository, type CallPatch, type CallRow } from '../store/repositories/calls';
import { CampaignsRepository } from '../store/repositories/campaigns';
import { ReviewRepository } from '../store/repositories/review';
import { type CallOutcomes, lowerCaseKeys, resolveOutcome } from './outcome';

/** `review`: the event named no call with certainty and was filed in the review list (calls/review.ts). */
export type ApplyDisposition = 'applied' | 'duplicate' | 'stale' | 'enriched' | 'unknown_call' | 'review';

/**
 * Who moves a call's contact on in its campaign (the dialer's endings). Both run inside the transaction that
 * changed the call, so the campaign bookkeeping commits (or not) with it.
 */
export interface CallEndedSink {
  onCallEnded(call: Call): void;
  /** A call that had already ended turns out to have had a conversation after all (a provider's late analysis). */
  onLateConversation(call: Call): void;
}

/** How the console itself ends an attempt (provider refused it, nobody heard of it for too long, it was cancelled). */
export interface ConsoleEnding {
  result: CallResult;
  error: string;
  /** False when the provider never placed the call (rate limit, outage): the contact keeps the attempt. */
  countsAsAttempt: boolean;
  /** Ended by the stale sweep: the contact may be retried whatever the retry policy says. */
  stale?: boolean;
}

/**
 * Applies normalised provider events to calls: once each (dedupe), forward only (monotonic status), keeping
 * every event in call_events. One SQLite transaction per event; bus events go out after the commit.
 */
export class CallLifecycle {
  private readonly calls: CallsRepository;
  private readonly campaigns: CampaignsRepository;
  private readonly review: ReviewRepository;
  private readonly mappings = new Map<string, Record<string, Outcome>>();
  /** One transaction wrapper, built once (better-sqlite3 builds a new one per db.transaction() call). */
  private readonly tx: (fn: () => unknown) => unknown;
  private immediate<T>(fn: () => T): T {
    return this.tx(fn) as T;
  }

  constructor(
    readonly deps: {
      db: Db;
      bus: EventBus;
      clock: Clock;
      logger: Logger;
      endings: CallEndedSink;
      outcomes: CallOutcomes;
    },
  ) {
    const tx = deps.db.transaction((fn: () => unknown) => fn());
    this.tx = (fn) => tx.immediate(fn);
    this.calls = new CallsRepository(deps.db);
    this.campaigns = new CampaignsRepository(deps.db);
    this.review = new ReviewRepository(deps.db);
    this.activity = new ActivityRepository(deps.db);
  }

  private readonly activity: ActivityRepository;

  /** One line in the logs per status change of a call, with its time (the logs view filters by call). */
  private logStatus(row: CallRow, to: CallStatus, result: string | null, at: number): void {
    const message = `Call ${row.id} to ${row.phone}: ${row.status} → ${to}${result ? ` (${result})` : ''}`;
    this.activity.add({ at, level: 'info', scope: 'calls', campaignId: row.campaign_id, callId: row.id, message });
  }

  /**
   * The attempt row is written and the provider is about to be asked: say so (the sheet shows `initiating`, the logs
   * a line) before the request goes out.
   */
  announceAttempt(callId: number): void {
    const row = this.calls.byId(callId);
    if (!row) return;
    this.activity.add({
      at: this.deps.clock.now(),
      level: 'info',
      scope: 'calls',
      campaignId: row.campaign_id,
      callId,
      message: `Call ${callId} to ${row.phone}: attempt ${row.attempt} placed with ${row.provider} (${row.status})`,
    });
    this.publish(callId, null);
  }

  applyEvent(event: NormalizedEvent, inboxId: number | null, raw: string): ApplyDisposition {
    if (event.unmatched !== undefined) return this.fileForReview(event, inboxId, raw);
    const receivedAt = this.deps.clock.now();
    let changed: number | null = null;
    let transcript: TranscriptTurn[] | null = null;
    const disposition = this.immediate((): ApplyDisposition => {
      const row = this.findCall(event);
      if (!row) return 'unknown_call';
      const record = (d: 'applied' | 'duplicate' | 'stale' | 'enriched') =>
        this.calls.insertEvent({
          callId: row.id,
          inboxId,
          provider: event.provider,
          providerCallId: event.providerCallId,
          dedupeKey: event.dedupeKey,
          kind: event.kind,
          status: event.status ?? null,
          disposition: d,
          occurredAt: event.occurredAt ?? null,
          receivedAt,
          raw,
        });
      if (this.calls.eventSeen(event.provider, event.dedupeKey)) {
        record('duplicate');
        return 'duplicate';
      }
      const patch: CallPatch = {};
      if (!row.provider_call_id && event.providerCallId) patch.provider_call_id = event.providerCallId;
      const target: CallStatus | undefined = event.status ?? (event.result ? 'ended' : undefined);
      const backwards =
        row.status === 'ended' || (target !== undefined && CALL_STATUS_RANK[target] < CALL_STATUS_RANK[row.status]);
      let d: 'applied' | 'stale' | 'enriched';
      let ended = false;
      let lateConversation = false;
      if (backwards) {
        const filled = this.enrichment(row, event, patch);
        transcript = filled.transcript;
        lateConversation = filled.lateConversation;
        d = filled.any ? 'enriched' : 'stale';
      } else {
        transcript = this.fullUpdate(row, event, patch);
        if (target && CALL_STATUS_RANK[target] > CALL_STATUS_RANK[row.status]) {
          patch.status = target;
          const at = event.occurredAt ?? receivedAt;
          if (row.started_at === null) patch.started_at = at;
          if (target === 'in_progress' && row.answered_at === null) patch.answered_at = event.answeredAt ?? at;
          if (target === 'ended') {
            ended = true;
            const result = event.result ?? 'failed';
            patch.result = result;
            patch.ended_at = event.endedAt ?? at;
            patch.conversation = (event.conversation ?? result === 'completed') ? 1 : 0;
            if (!event.result && !event.error && !row.error)
              patch.error = 'The provider ended the call without saying how';
            const answeredAt = patch.answered_at ?? row.answered_at;
            if (event.durationS === undefined && row.duration_s === null && answeredAt !== null) {
              patch.duration_s = Math.max(0, (patch.ended_at - answeredAt) / 1000);
            }
          }
        }
        d = 'applied';
      }
      const resolved = resolveOutcome(event.outcomeHint, event.extracted, this.outcomeMapping(row.campaign_id));
      // A late or lower event may give an outcome only where the call has none yet.
      const outcome = resolved && resolved !== row.outcome && (!backwards || row.outcome === null) ? resolved : null;
      if (outcome && backwards) d = 'enriched';
      patch.last_event_at = receivedAt;
      this.calls.patch(row.id, patch);
      if (patch.status) this.logStatus(row, patch.status, patch.result ?? null, event.occurredAt ?? receivedAt);
      record(d);
      if (outcome) this.deps.outcomes.setOutcome(row.id, outcome, { by: 'provider' });
      if (transcript || patch.summary !== undefined) this.calls.reindex(row.id, patch.summary ?? row.summary);
      if (ended || lateConversation) {
        const call = this.calls.getCall(row.id);
        if (call && ended) this.deps.endings.onCallEnded(call);
        else if (call) this.deps.endings.onLateConversation(call);
      }
      changed = row.id;
      return d;
    });
    if (changed !== null) {
      this.publish(changed, transcript);
      if (event.transfer) {
        this.deps.bus.publish('call.transfer', {
          callId: changed,
          state: event.transfer.state,
          destination: event.transfer.destination ?? null,
        });
      }
    }
    return disposition;
  }

  /**
   * An event no call can be found for with certainty goes to the review list with its raw body, once per delivery
   * (a delivery applied again after a restart keeps its one item). A person attaches it to a call or dismisses it.
   */
  private fileForReview(event: NormalizedEvent, inboxId: number | null, raw: string): ApplyDisposition {
    const { unmatched, ...rest } = event;
    const filed = this.review.file({
      provider: event.provider,
      inboxId,
      kind: event.kind,
      reason: unmatched ?? 'no call could be found for this event',
      receivedAt: this.deps.clock.now(),
      raw,
      eventJson: JSON.stringify(rest),
    });
    if (filed.created) {
      this.deps.logger.log(
        'warn',
        'calls',
        `a ${event.provider} ${event.kind} event went to the review list (item ${filed.id}): ${unmatched}`,
      );
      this.deps.bus.publish('review.changed', { open: this.review.countOpen() });
    }
    return 'review';
  }

  /** The provider accepted the request: record its id and move dialing → initiated (never backwards). */
  markPlaced(callId: number, providerCallId: string | null): void {
    const now = this.deps.clock.now();
    const moved = this.immediate(() => {
      const row = this.calls.byId(callId);
      if (!row) return false;
      const patch: CallPatch = {};
      if (providerCallId && !row.provider_call_id && !this.calls.byProviderCallId(row.provider, providerCallId)) {
        patch.provider_call_id = providerCallId;
      }
      if (row.started_at === null) patch.started_at = now;
      if (CALL_STATUS_RANK[row.status] < CALL_STATUS_RANK.initiated) {
        patch.status = 'initiated';
        patch.last_event_at = now;
        this.logStatus(row, 'initiated', null, now);
      }
      this.calls.patch(callId, patch);
      return Object.keys(patch).length > 0;
    });
    if (moved) this.publish(callId, null);
  }

  /**
   * Ends a call on the console's own authority (provider refusal, stale, cancel before placing). Recorded as a
   * console event beside the provider's. Returns false when the call had already ended.
   */
  finish(callId: number, ending: ConsoleEnding): boolean {
    const now = this.deps.clock.now();
    const done = this.immediate(() => {
      const row = this.calls.byId(callId);
      if (!row || row.status === 'ended') return false;
      this.calls.patch(callId, {
        status: 'ended',
        result: ending.result,
        ended_at: now,
        last_event_at: now,
        error: ending.error,
        counts_as_attempt: ending.countsAsAttempt ? 1 : 0,
        conversation: 0,
        stale: ending.stale ? 1 : 0,
      });
      this.logStatus(row, 'ended', ending.result, now);
      this.calls.insertEvent({
        callId,
        inboxId: null,
        provider: 'console',
        providerCallId: row.provider_call_id,
        dedupeKey: `console:${callId}:ended`,
        kind: ending.stale ? 'console.stale' : 'console.ended',
        status: 'ended',
        disposition: 'applied',
        occurredAt: now,
        receivedAt: now,
        raw: JSON.stringify({ result: ending.result, error: ending.error, countsAsAttempt: ending.countsAsAttempt }),
      });
      const call = this.calls.getCall(callId);
      if (call) this.deps.endings.onCallEnded(call);
      return true;
    });
    if (done) this.publish(callId, null);
    return done;
  }

  /** Marks that the provider confirmed the call still exists (reconcile), so the stale sweep leaves it alone. */
  touch(callId: number): void {
    this.calls.patch(callId, { last_event_at: this.deps.clock.now() });
  }

  private findCall(event: NormalizedEvent): CallRow | undefined {
    if (event.providerCallId) {
      const byProvider = this.calls.byProviderCallId(event.provider, event.providerCallId);
      if (byProvider) return byProvider;
    }
    if (event.callId !== null && event.callId !== undefined) {
      const row = this.calls.byId(event.callId);
      // The id must belong to this provider and not to a different provider call (a forged or misrouted echo).
      if (row && row.provider === event.provider && (!row.provider_call_id || !event.providerCallId)) return row;
    }
    return undefined;
  }

  /** A forward (or same-status) event: its data replaces what is stored. Returns the new turns when it had some. */
  private fullUpdate(row: CallRow, event: NormalizedEvent, patch: CallPatch): TranscriptTurn[] | null {
    if (event.durationS !== undefined) patch.duration_s = event.durationS;
    if (event.cost !== undefined) patch.cost = event.cost;
    if (event.hangupReason !== undefined) patch.hangup_reason = event.hangupReason;
    if (event.recordingUrl !== undefined) patch.recording_url = event.recordingUrl;
    if (event.summary !== undefined) patch.summary = event.summary;
    if (event.sentiment !== undefined) patch.sentiment = event.sentiment;
    if (event.error !== undefined) patch.error = event.error;
    if (event.answeredAt !== undefined && row.answered_at === null) patch.answered_at = event.answeredAt;
    if (event.extracted !== undefined) {
      const previous = row.extracted_json ? (JSON.parse(row.extracted_json) as Record<string, unknown>) : {};
      patch.extracted_json = JSON.stringify({ ...previous, ...event.extracted });
    }
    return event.transcript ? this.calls.replaceTranscript(row.id, event.transcript) : null;
  }

  /** A late or lower event: it may only fill final data the call is missing. */
  private enrichment(
    row: CallRow,
    event: NormalizedEvent,
    patch: CallPatch,
  ): { any: boolean; transcript: TranscriptTurn[] | null; lateConversation: boolean } {
    let any = false;
    const fill = <K extends keyof CallPatch>(key: K, current: unknown, value: CallPatch[K] | undefined) => {
      if (value !== undefined && value !== null && (current === null || current === undefined)) {
        patch[key] = value;
        any = true;
      }
    };
    fill('summary', row.summary, event.summary);
    fill('duration_s', row.duration_s, event.durationS);
    fill('cost', row.cost, event.cost);
    fill('recording_url', row.recording_url, event.recordingUrl);
    fill('sentiment', row.sentiment, event.sentiment);
    fill('hangup_reason', row.hangup_reason, event.hangupReason);
    if (event.extracted) {
      const previous = row.extracted_json ? (JSON.parse(row.extracted_json) as Record<string, unknown>) : {};
      const merged = { ...previous };
      for (const [k, v] of Object.entries(event.extracted)) {
        if (!(k in merged)) {
          merged[k] = v;
          any = true;
        }
      }
      if (any && Object.keys(merged).length !== Object.keys(previous).length)
        patch.extracted_json = JSON.stringify(merged);
    }
    let transcript: TranscriptTurn[] | null = null;
    if (event.transcript && event.transcript.length > 0) {
      const stored = this.calls.transcript(row.id).length;
      if (event.transcript.length > stored) {
        transcript = this.calls.replaceTranscript(row.id, event.transcript);
        any = true;
      }
    }
    // A provider's final analysis may reveal a conversation the first "ended" event did not report. A call ended as
    // no_answer for want of talk time (e.g. from call details whose duration had not settled) is corrected by a fuller
    // report that it completed with a conversation.
    let lateConversation = false;
    const correctsNoAnswer = row.result === 'no_answer' && event.result === 'completed';
    if (
      row.status === 'ended' &&
      row.conversation === 0 &&
      event.conversation === true &&
      (row.result === 'completed' || correctsNoAnswer)
    ) {
      patch.conversation = 1;
      if (correctsNoAnswer) {
        patch.result = 'completed';
        if (event.durationS !== undefined) patch.duration_s = event.durationS;
      }
      lateConversation = true;
      any = true;
    }
    return { any, transcript, lateConversation };
  }

  private outcomeMapping(campaignId: number | null): Record<string, Outcome> {
    if (campaignId === null) return {};
    const json = this.campaigns.settingsJson(campaignId);
    if (!json) return {};
    let mapping = this.mappings.get(json);
    if (!mapping) {
      const parsed = CampaignSettings.safeParse(JSON.parse(json));
      mapping = parsed.success ? lowerCaseKeys(parsed.data.outcomeMapping) : {};
      if (this.mappings.size > 100) this.mappings.clear();
      this.mappings.set(json, mapping);
    }
    return mapping;
  }

  private publish(callId: number, transcript: TranscriptTurn[] | null): void {
    const call = this.calls.getCall(callId);
    if (call) this.deps.bus.publish('call.updated', call);
    if (transcript) this.deps.bus.publish('call.transcript', { callId, turns: transcript });
  }
}
