import { randomUUID } from 'node:crypto';
import type { Campaign, ProviderName } from '@shared/domain';
import { resolveZone } from '@shared/time/zones';
import { ApiError } from '../errors';
import type { CallLifecycle } from '../calls/lifecycle';
import type { LogLevel, Platform } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import { ProviderError, type PlacementLookup, type PlacementQuery, type VoiceProvider } from '../providers/types';
import type { Db } from '../store/db';
import { CallsRepository, isUniqueViolation } from '../store/repositories/calls';
import { CampaignsRepository } from '../store/repositories/campaigns';
import { DialerRepository, ON_DNC, type QueueRow } from '../store/repositories/dialer';
import { DncRepository } from '../store/repositories/dnc';
import type { WebhookServer } from '../webhooks/server';
import { type DialerActivity, errorText } from './activity';
import type { CampaignStateMachine } from './campaigns';
import type { ProviderBackoff } from './endings';
import type { CampaignProgressReporter } from './progress';
import type { CallReconciler } from './reconcile';
import { sheetRowHold } from './sheet-rows';
import { dialVariables } from './variables';
import type { DialerTuning } from './tuning';
import type { WakeTimer } from './wake-timer';
import { nextOpen } from './window';

/**
 * The loop that places the calls of running campaigns (docs/architecture.md, Dialer rules). Work is picked by due
 * time from the campaign_contacts_due index; every rule is checked at the moment of dialling, inside the transaction
 * that writes the attempt row (with its idempotency key) before the provider is asked. Pacing, concurrency and
 * provider backoff decide when the loop wakes next; a call's end decides the contact's next step (endings.ts).
 */
export class DialerEngine {
  private readonly campaignRows: CampaignsRepository;
  private readonly queue: DialerRepository;
  private readonly callRows: CallsRepository;
  private readonly dnc: DncRepository;
  /** One transaction wrapper, built once (better-sqlite3 builds a new one per db.transaction() call). */
  private readonly tx: (fn: () => unknown) => unknown;
  private immediate<T>(fn: () => T): T {
    return this.tx(fn) as T;
  }
  private lastSweep = Number.NEGATIVE_INFINITY;
  private lastUnknownRetry = Number.NEGATIVE_INFINITY;
  private readonly inflight = new Set<Promise<void>>();
  private readonly lastStart = new Map<number, number>();
  /** Window answers for the current instant, per campaign and zone set (one tick asks the same question often). */
  private windowMemo = { at: -1, map: new Map<string, number | null>() };

  constructor(
    private readonly deps: {
      db: Db;
      platform: Platform;
      providers: ProviderRegistry;
      calls: CallLifecycle;
      webhooks: Pick<WebhookServer, 'hookUrl' | 'retryUnknown'>;
      campaigns: CampaignStateMachine;
      progress: CampaignProgressReporter;
      activity: DialerActivity;
      reconciler: CallReconciler;
      timer: WakeTimer;
      backoff: ProviderBackoff;
      tuning: DialerTuning;
    },
  ) {
    const tx = deps.db.transaction((fn: () => unknown) => fn());
    this.tx = (fn) => tx.immediate(fn);
    this.campaignRows = new CampaignsRepository(deps.db);
    this.queue = new DialerRepository(deps.db);
    this.callRows = new CallsRepository(deps.db);
    this.dnc = new DncRepository(deps.db);
  }

  private get now(): number {
    return this.deps.platform.clock.now();
  }

  private get tuning(): DialerTuning {
    return this.deps.tuning;
  }

  private log(campaignId: number | null, callId: number | null, level: LogLevel, message: string): void {
    this.deps.activity.log(campaignId, callId, level, message);
  }

  // ───────────────────────── the loop ─────────────────────────

  /** Reconciles attempts left in flight by a previous run, then starts the due-time loop. */
  async start(): Promise<void> {
    if (this.deps.timer.running) return;
    this.deps.timer.start(() => this.tick());
    this.deps.progress.start();
    await this.deps.reconciler.inFlight();
    this.lastSweep = this.now;
    this.deps.timer.kick();
  }

  async stop(): Promise<void> {
    this.deps.timer.stop();
    this.deps.progress.stop();
    await this.idle();
  }

  /** Resolves when no provider request started by the dialer is still pending. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /**
   * One pass of the engine: starts scheduled campaigns, sweeps stale calls, dials what is due within capacity,
   * pacing and backoff, completes finished campaigns, and sets the next wake-up. Resolves when the provider
   * requests it started have settled.
   */
  async tick(): Promise<void> {
    const now = this.now;
    const launched: Promise<void>[] = [];
    for (const c of this.campaignRows.inStates(['scheduled'])) {
      if ((c.startAt ?? 0) <= now) this.deps.campaigns.moveState(c, 'running', null, 'Scheduled start time reached');
    }
    if (now - this.lastSweep >= this.tuning.sweepEveryMs) {
      this.lastSweep = now;
      launched.push(this.deps.reconciler.sweepStale(now));
    }
    let wakeAt = Number.POSITIVE_INFINITY;
    const running = this.campaignRows.inStates(['running']).sort((a, b) => b.settings.priority - a.settings.priority);
    for (const c of running) wakeAt = Math.min(wakeAt, this.dialCampaign(c, now, launched));
    // The stale sweep only matters while calls are live, counting those this pass has just placed: a lone stuck
    // call must still be swept when nothing else wakes the loop.
    if (this.callRows.anyLive()) wakeAt = Math.min(wakeAt, this.lastSweep + this.tuning.sweepEveryMs);
    for (const c of this.campaignRows.inStates(['scheduled']))
      if (c.startAt !== null) wakeAt = Math.min(wakeAt, c.startAt);
    if (wakeAt < Number.POSITIVE_INFINITY) this.deps.timer.wake(Math.max(wakeAt, now));
    await Promise.allSettled(launched);
  }

  // ───────────────────────── dialling ─────────────────────────

  /** Dials what one campaign may dial now; returns when it next needs attention. */
  private dialCampaign(c: Campaign, now: number, launched: Promise<void>[]): number {
    let provider: VoiceProvider;
    try {
      provider = this.deps.providers.get(c.provider);
    } catch (err) {
      this.deps.campaigns.autoPause(c, `Provider ${c.provider} cannot be used: ${errorText(err)}`);
      return Number.POSITIVE_INFINITY;
    }
    const backoff = this.deps.backoff.get(c.provider);
    if (backoff && backoff.until > now) return backoff.until;

    const live = this.queue.liveCalls(c.id);
    let capacity = c.settings.concurrency - live;
    if (capacity <= 0) return Number.POSITIVE_INFINITY;
    if (c.settings.pacingMs > 0) {
      const next = (this.lastStart.get(c.id) ?? Number.NEGATIVE_INFINITY) + c.settings.pacingMs;
      if (next > now) return next;
      capacity = 1;
    }
    let examined = 0;
    let dialled = 0;
    while (capacity > 0 && examined < this.tuning.examinePerTick) {
      const batch = this.queue.due(c.id, now, Math.min(capacity, this.tuning.examinePerTick - examined));
      if (batch.length === 0) break;
      for (const row of batch) {
        examined++;
        const placed = this.tryDial(c, provider, row, now);
        if (placed) {
          launched.push(placed);
          dialled++;
          capacity--;
        }
        if (capacity <= 0) break;
      }
    }
    if (dialled > 0) this.deps.progress.changed(c.id);
    if (examined >= this.tuning.examinePerTick) return now;
    if (c.settings.pacingMs > 0 && dialled > 0) return now + c.settings.pacingMs;
    if (live + dialled === 0 && !this.queue.hasPending(c.id)) {
      // Watching: rows the sheet gains join the queue and wake the loop (sources' onQueued).
      if (c.settings.watchSources) return Number.POSITIVE_INFINITY;
      this.deps.campaigns.moveState(c, 'completed', null, 'Every contact has reached a final state');
      return Number.POSITIVE_INFINITY;
    }
    if (capacity <= 0) return Number.POSITIVE_INFINITY; // a call ending wakes the loop
    return this.queue.nextDueAt(c.id) ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Applies every rule to one due contact. Returns the provider request when an attempt was placed, else null
   * (the contact now waits, is finished, or is excluded).
   */
  private tryDial(c: Campaign, provider: VoiceProvider, row: QueueRow, now: number): Promise<void> | null {
    const contactId = row.contact_id;
    const target = this.queue.target(contactId);
    if (!target || !target.phone || !target.callable) {
      this.queue.exclude(c.id, contactId, 'no callable phone number', now);
      return null;
    }
    const phone = target.phone;
    const sheet = sheetRowHold(c.settings, row.attempts, target, now);
    if (sheet && 'finish' in sheet) {
      this.queue.finish(c.id, contactId, row.last_result, now);
      this.log(c.id, null, 'info', `${phone} not called: its sheet row says "${sheet.status}"`);
      return null;
    }
    if (sheet) {
      this.queue.wait(c.id, contactId, sheet.waitUntil, sheet.reason, now);
      return null;
    }
    if (this.queue.hadConversation(c.id, contactId)) {
      this.queue.finish(c.id, contactId, 'completed', now);
      return null;
    }
    if (row.attempts >= c.settings.maxAttempts) {
      this.queue.finish(c.id, contactId, row.last_result, now);
      return null;
    }
    if (!c.settings.ignoreWindow) {
      const opensAt = this.windowOpensAt(c, target.timezone, phone, now);
      if (opensAt === null) {
        this.queue.wait(c.id, contactId, now + 24 * 3_600_000, 'window', now);
        this.log(
          c.id,
          null,
          'warn',
          `${phone}: no calling day in the next two weeks (check the campaign's days and holidays)`,
        );
        return null;
      }
      if (opensAt > now) {
        this.queue.wait(c.id, contactId, opensAt, 'window', now);
        return null;
      }
    }
    const attempt = row.attempts + 1;
    const variables = dialVariables(c.settings, target);
    const language = target.language ?? c.settings.defaultLanguage;
    const idempotencyKey = `c${c.id}-k${contactId}-a${attempt}-${randomUUID()}`;
    const callId = this.immediate((): number | 'dnc' | 'busy' => {
      // DNC is checked here, in the transaction that writes the attempt, immediately before the provider request.
      if (this.dnc.has(phone)) {
        this.queue.exclude(c.id, contactId, ON_DNC, now);
        return 'dnc';
      }
      let id: number;
      try {
        id = this.callRows.insertAttempt({
          campaignId: c.id,
          contactId,
          phone,
          attempt,
          idempotencyKey,
          provider: c.provider,
          variablesJson: JSON.stringify(variables),
          language,
          createdAt: now,
        });
      } catch (err) {
        // calls_one_live_per_phone: the number is in a live call (maybe another campaign's); wait, do not race it.
        if (!isUniqueViolation(err)) throw err;
        this.queue.wait(c.id, contactId, now + this.tuning.numberBusyRetryMs, 'number_busy', now);
        return 'busy';
      }
      this.queue.activate(c.id, contactId, attempt, now);
      return id;
    });
    if (callId === 'dnc') {
      this.log(c.id, null, 'info', `${phone} skipped: on the do-not-call list`);
      return null;
    }
    if (callId === 'busy') return null;
    this.lastStart.set(c.id, now);

    let webhookUrl: string;
    try {
      webhookUrl = this.deps.webhooks.hookUrl(c.provider);
    } catch (err) {
      this.deps.calls.finish(callId, {
        result: 'failed',
        error: `Not placed: no webhook URL (${errorText(err)})`,
        countsAsAttempt: false,
      });
      this.deps.campaigns.autoPause(
        c,
        `The webhook server is not running, so ${c.provider} could not report call progress: ${errorText(err)}`,
      );
      return null;
    }
    this.deps.calls.announceAttempt(callId);
    const request = (async () => {
      try {
        const placed = await provider.placeCall({
          callId,
          idempotencyKey,
          to: phone,
          from: null,
          voiceAgentId: c.voiceAgentId,
          contactName: target.name,
          language,
          variables,
          webhookUrl,
          simSpeed: c.settings.simSpeed,
        });
        this.placed(c, callId, placed.providerCallId, provider);
      } catch (err) {
        if (err instanceof ProviderError && err.transient && err.options.mayHaveReached) {
          await this.placementUnanswered(
            c,
            provider,
            { callId, idempotencyKey, to: phone, voiceAgentId: c.voiceAgentId, sentAt: now },
            err,
          );
        } else this.placementFailed(c, callId, phone, err);
      }
    })();
    this.inflight.add(request);
    void request.finally(() => this.inflight.delete(request));
    return request;
  }

  private placed(c: Campaign, callId: number, providerCallId: string | null, provider: VoiceProvider): void {
    this.deps.calls.markPlaced(callId, providerCallId);
    // Webhooks that raced ahead of this answer (and named only the provider's id) can find their call now.
    if (providerCallId && this.now - this.lastUnknownRetry >= 1_000) {
      this.lastUnknownRetry = this.now;
      try {
        this.deps.webhooks.retryUnknown();
      } catch (err) {
        this.deps.platform.logger.log('warn', 'dialer', 'Retrying unmatched webhooks failed', {
          error: errorText(err),
        });
      }
    }
    this.deps.campaigns.failures.reset(c.id);
    const b = this.deps.backoff.get(c.provider);
    if (b) b.failures = 0;
    // Cancelled while the request was on its way: stop the call now that it has an id.
    const state = this.campaignRows.get(c.id)?.state;
    if (state === 'cancelled' && providerCallId && provider.capabilities.cancel) {
      provider
        .cancelCall(providerCallId)
        .catch((err: unknown) => this.log(c.id, callId, 'warn', `Cancel of call ${callId} failed: ${errorText(err)}`));
    }
  }

  /** Pauses dialing through the campaign's provider after a refusal or an outage; returns the delay. */
  private backOff(c: Campaign, err: ProviderError): number {
    const b = this.deps.backoff.get(c.provider) ?? { until: 0, failures: 0 };
    b.failures++;
    const exponential = Math.min(this.tuning.backoffMaxMs, this.tuning.backoffBaseMs * 2 ** (b.failures - 1));
    const jitter = exponential * 0.25 * this.tuning.random();
    const delay = Math.max(err.options.retryAfterMs ?? 0, exponential) + jitter;
    b.until = Math.max(b.until, this.now + delay);
    this.deps.backoff.set(c.provider, b);
    this.deps.timer.wake(b.until);
    return delay;
  }

  /**
   * The request may have reached the provider but its answer never came (a timeout, a dropped connection): a call
   * may be ringing. It is looked up, never sent again; unless the provider is certain there is none, the attempt
   * stays open and counted, and its webhooks or reconciliation settle it (docs/architecture.md, Dialer rules).
   */
  private async placementUnanswered(
    c: Campaign,
    provider: VoiceProvider,
    query: PlacementQuery,
    err: ProviderError,
  ): Promise<void> {
    const delay = this.backOff(c, err);
    let lookup: PlacementLookup | null = null;
    if (provider.findPlacement) {
      try {
        lookup = await provider.findPlacement(query);
      } catch (lookupErr) {
        this.log(
          c.id,
          query.callId,
          'warn',
          `Could not ask ${c.provider} about call ${query.callId}: ${errorText(lookupErr)}`,
        );
      }
    }
    if (lookup?.found) {
      this.log(
        c.id,
        query.callId,
        'info',
        `Call ${query.callId}: the answer was lost (${err.message}), but ${c.provider} placed it`,
      );
      this.placed(c, query.callId, lookup.providerCallId, provider);
      return;
    }
    if (lookup && lookup.certain) {
      this.placementFailed(c, query.callId, query.to, err, delay);
      return;
    }
    this.deps.campaigns.failures.add(c.id, 'transient');
    this.log(
      c.id,
      query.callId,
      'warn',
      `Call ${query.callId} to ${query.to} may have been placed (${err.message}); it counts as an attempt and is not dialled again: its webhooks or reconciliation will settle it`,
    );
  }

  private placementFailed(c: Campaign, callId: number, phone: string, err: unknown, backedOff?: number): void {
    if (err instanceof ProviderError && err.transient) {
      const delay = backedOff ?? this.backOff(c, err);
      const failures = this.deps.campaigns.failures.add(c.id, 'transient');
      this.deps.calls.finish(callId, {
        result: 'failed',
        error: `Not placed: ${c.provider} ${err.kind === 'rate_limited' ? 'rate limit' : 'unavailable'} (${err.message}); not counted as an attempt`,
        countsAsAttempt: false,
      });
      this.log(
        c.id,
        callId,
        'warn',
        `${c.provider} ${err.kind === 'rate_limited' ? 'is rate limiting' : 'is unavailable'} (${err.message}); dialing resumes in ${Math.ceil(delay / 1000)} s` +
          (err.options.retryAfterMs ? ` (Retry-After ${Math.ceil(err.options.retryAfterMs / 1000)} s)` : ''),
      );
      if (failures >= this.tuning.maxTransientFailures) {
        this.deps.campaigns.autoPause(
          c,
          `${c.provider} refused ${failures} calls in a row (${err.message}). Check the provider's status and limits, then resume.`,
        );
      }
      return;
    }
    const message = errorText(err);
    const auth = err instanceof ProviderError && err.kind === 'auth';
    this.deps.calls.finish(callId, { result: 'failed', error: `Not placed: ${message}`, countsAsAttempt: !auth });
    this.log(c.id, callId, 'error', `Call to ${phone} could not be placed: ${message}`);
    const failures = this.deps.campaigns.failures.add(c.id, 'hard');
    if (auth)
      this.deps.campaigns.autoPause(
        c,
        `${c.provider} rejected the credentials (${message}). Fix the key in Settings → Providers, then resume.`,
      );
    else if (failures >= this.tuning.maxHardFailures) {
      this.deps.campaigns.autoPause(
        c,
        `${failures} calls in a row could not be placed (last: ${message}). Fix the cause, then resume.`,
      );
    }
  }

  private windowOpensAt(c: Campaign, timezone: string | null, phone: string, now: number): number | null {
    const { zones } = resolveZone(timezone, phone, c.settings.defaultTimezone);
    if (this.windowMemo.at !== now) this.windowMemo = { at: now, map: new Map() };
    const key = `${c.id}:${c.updatedAt}:${zones.join('|')}`;
    const memo = this.windowMemo.map.get(key);
    if (memo !== undefined) return memo;
    // Zones of one country that never share an open moment (a narrow window): fall back to the first zone.
    const at =
      nextOpen(c.settings, zones, now) ?? (zones.length > 1 ? nextOpen(c.settings, zones.slice(0, 1), now) : null);
    this.windowMemo.map.set(key, at);
    return at;
  }

  /** Dialing paused for this provider until then (rate limit or outage), or null. */
  backoffUntil(provider: ProviderName): number | null {
    const b = this.deps.backoff.get(provider);
    return b && b.until > this.now ? b.until : null;
  }

  /** Hangs up (or cancels before answer) one live call, where the provider can. */
  async hangup(callId: number): Promise<void> {
    const row = this.callRows.byId(callId);
    if (!row) throw new ApiError('not_found', `Call ${callId} does not exist.`);
    if (row.status === 'ended') throw new ApiError('conflict', `Call ${callId} has already ended.`);
    const provider = this.deps.providers.get(row.provider as ProviderName);
    if (!provider.capabilities.cancel)
      throw new ApiError('unavailable', `${provider.label} cannot end calls from the console.`);
    if (!row.provider_call_id)
      throw new ApiError('conflict', `Call ${callId} is still being placed; try again in a moment.`);
    await provider.cancelCall(row.provider_call_id);
    this.log(row.campaign_id, callId, 'info', `Hang-up of call ${callId} requested`);
  }
}
