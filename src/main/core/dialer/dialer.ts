import { randomUUID } from 'node:crypto';
import {
  type Call,
  type Campaign,
  type CampaignProgress,
  CampaignSettings,
  type CampaignState,
  type ProviderName,
} from '../../../shared/domain';
import type { WaitingContact } from '../../../shared/contract/campaigns';
import { ApiError } from '../api';
import type { EventBus } from '../bus';
import type { CallLifecycle } from '../calls/lifecycle';
import type { LogLevel, Platform, TimerHandle } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import { ProviderError, type VoiceProvider } from '../providers/types';
import type { SettingsService } from '../settings/settings';
import type { Db } from '../store/db';
import { ActivityRepository, type ActivityEntry } from '../store/repositories/activity';
import { CallsRepository, isUniqueViolation, type CallRow } from '../store/repositories/calls';
import { CampaignsRepository } from '../store/repositories/campaigns';
import { DialerRepository, type QueueRow } from '../store/repositories/dialer';
import { DncRepository } from '../store/repositories/dnc';
import type { WebhookServer } from '../webhooks/server';
import { recipientZones } from './timezones';
import { nextOpen } from './window';

export interface DialerDeps {
  db: Db;
  bus: EventBus;
  platform: Platform;
  providers: ProviderRegistry;
  calls: CallLifecycle;
  webhooks: WebhookServer;
  settings: SettingsService;
}

/** Tunables of the engine itself (not per campaign); tests and the benchmark shorten them. */
export interface DialerTuning {
  /** A live call with no provider news this long is reconciled, or failed as stale (docs/architecture.md, Dialer rules). */
  staleAfterMs: number;
  /** How often the stale sweep runs. */
  sweepEveryMs: number;
  /** How long a contact waits when its number is live in another call. */
  numberBusyRetryMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Consecutive provider refusals (rate limit, outage) after which a campaign pauses itself. */
  maxTransientFailures: number;
  /** Consecutive calls that failed to start after which a campaign pauses itself. */
  maxHardFailures: number;
  /** Minimum clock time between two progress events of a campaign. */
  progressEveryMs: number;
  /** Contacts examined per campaign per tick before yielding (keeps one tick short). */
  examinePerTick: number;
  random: () => number;
}

export const DEFAULT_TUNING: DialerTuning = {
  staleAfterMs: 15 * 60_000,
  sweepEveryMs: 60_000,
  numberBusyRetryMs: 2 * 60_000,
  backoffBaseMs: 2_000,
  backoffMaxMs: 5 * 60_000,
  maxTransientFailures: 8,
  maxHardFailures: 5,
  progressEveryMs: 1_000,
  examinePerTick: 1_000,
  random: Math.random,
};

export interface CreateCampaignInput {
  name: string;
  listIds: number[];
  provider: ProviderName;
  agentId: string | null;
  settings: Partial<CampaignSettings>;
  startAt: number | null;
}

const PRIORITY_BOOST = 1_000_000;

/**
 * Campaigns and the engine that places their calls (docs/architecture.md, Dialer rules). Work is picked by due time
 * from the campaign_contacts_due index; every rule is checked at the moment of dialling, inside the transaction that
 * writes the attempt row (with its idempotency key) before the provider is asked.
 */
export class Dialer {
  readonly tuning: DialerTuning;
  private readonly campaigns: CampaignsRepository;
  private readonly queue: DialerRepository;
  private readonly callRows: CallsRepository;
  private readonly dnc: DncRepository;
  private readonly activity: ActivityRepository;
  /** One transaction wrapper, built once (better-sqlite3 builds a new one per db.transaction() call). */
  private readonly tx: (fn: () => unknown) => unknown;
  private immediate<T>(fn: () => T): T {
    return this.tx(fn) as T;
  }
  private started = false;
  private timer: TimerHandle | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  private lastUnknownRetry = Number.NEGATIVE_INFINITY;
  private readonly inflight = new Set<Promise<void>>();
  private readonly lastStart = new Map<number, number>();
  private readonly backoff = new Map<ProviderName, { until: number; failures: number }>();
  private readonly transientFailures = new Map<number, number>();
  private readonly hardFailures = new Map<number, number>();
  private readonly progressDue = new Map<
    number,
    { timer: TimerHandle | null; lastAt: number; wallCost: number; lastWall: number }
  >();
  /** Window answers for the current instant, per campaign and zone set (one tick asks the same question often). */
  private windowMemo = { at: -1, map: new Map<string, number | null>() };

  constructor(
    readonly deps: DialerDeps,
    tuning: Partial<DialerTuning> = {},
  ) {
    this.tuning = { ...DEFAULT_TUNING, ...tuning };
    const tx = deps.db.transaction((fn: () => unknown) => fn());
    this.tx = (fn) => tx.immediate(fn);
    this.campaigns = new CampaignsRepository(deps.db);
    this.queue = new DialerRepository(deps.db);
    this.callRows = new CallsRepository(deps.db);
    this.dnc = new DncRepository(deps.db);
    this.activity = new ActivityRepository(deps.db);
    deps.calls.onLateConversation.push((call) => this.onLateConversation(call));
  }

  private get now(): number {
    return this.deps.platform.clock.now();
  }

  // ───────────────────────── lifecycle of the engine ─────────────────────────

  /** Reconciles attempts left in flight by a previous run, then starts the due-time loop. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.reconcile(this.callRows.live(), 'restart');
    this.lastSweep = this.now;
    this.wake(this.now);
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) this.deps.platform.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    for (const p of this.progressDue.values()) if (p.timer) this.deps.platform.clock.clearTimeout(p.timer);
    this.progressDue.clear();
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
    for (const c of this.campaigns.inStates(['scheduled'])) {
      if ((c.startAt ?? 0) <= now) this.moveState(c, 'running', null, 'Scheduled start time reached');
    }
    if (now - this.lastSweep >= this.tuning.sweepEveryMs) {
      this.lastSweep = now;
      launched.push(this.sweepStale(now));
    }
    // The stale sweep only matters while calls are live.
    let wakeAt = this.callRows.anyLive() ? this.lastSweep + this.tuning.sweepEveryMs : Number.POSITIVE_INFINITY;
    const running = this.campaigns.inStates(['running']).sort((a, b) => b.settings.priority - a.settings.priority);
    for (const c of running) wakeAt = Math.min(wakeAt, this.dialCampaign(c, now, launched));
    for (const c of this.campaigns.inStates(['scheduled']))
      if (c.startAt !== null) wakeAt = Math.min(wakeAt, c.startAt);
    if (this.started && wakeAt < Number.POSITIVE_INFINITY) this.wake(Math.max(wakeAt, now));
    await Promise.allSettled(launched);
  }

  /** Schedules a tick at `at` unless one is already due sooner. */
  private wake(at: number): void {
    if (!this.started || at >= this.timerAt) return;
    if (this.timer) this.deps.platform.clock.clearTimeout(this.timer);
    this.timerAt = at;
    const timer = this.deps.platform.clock.setTimeout(
      () => {
        if (this.timer !== timer) return;
        this.timer = null;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.tick().catch((err: unknown) =>
          this.deps.platform.logger.log('error', 'dialer', 'Dialer tick failed', { error: String(err) }),
        );
      },
      Math.max(0, at - this.now),
    );
    timer.unref?.();
    this.timer = timer;
  }

  private kick(): void {
    this.wake(this.now);
  }

  // ───────────────────────── dialling ─────────────────────────

  /** Dials what one campaign may dial now; returns when it next needs attention. */
  private dialCampaign(c: Campaign, now: number, launched: Promise<void>[]): number {
    let provider: VoiceProvider;
    try {
      provider = this.deps.providers.get(c.provider);
    } catch (err) {
      this.autoPause(c, `Provider ${c.provider} cannot be used: ${errorText(err)}`);
      return Number.POSITIVE_INFINITY;
    }
    const backoff = this.backoff.get(c.provider);
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
    if (dialled > 0) this.progressChanged(c.id);
    if (examined >= this.tuning.examinePerTick) return now;
    if (c.settings.pacingMs > 0 && dialled > 0) return now + c.settings.pacingMs;
    if (live + dialled === 0 && !this.queue.hasPending(c.id)) {
      this.moveState(c, 'completed', null, 'Every contact has reached a final state');
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
    const variables = this.variablesFor(c, target);
    const idempotencyKey = `c${c.id}-k${contactId}-a${attempt}-${randomUUID()}`;
    const callId = this.immediate((): number | 'dnc' | 'busy' => {
      // DNC is checked here, in the transaction that writes the attempt, immediately before the provider request.
      if (this.dnc.has(phone)) {
        this.queue.exclude(c.id, contactId, 'on the do-not-call list', now);
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
      this.autoPause(
        c,
        `The webhook server is not running, so ${c.provider} could not report call progress: ${errorText(err)}`,
      );
      return null;
    }
    const request = (async () => {
      try {
        const placed = await provider.placeCall({
          callId,
          idempotencyKey,
          to: phone,
          from: null,
          agentId: c.agentId,
          contactName: target.name,
          variables,
          webhookUrl,
          simSpeed: c.settings.simSpeed,
        });
        this.placed(c, callId, placed.providerCallId, provider);
      } catch (err) {
        this.placementFailed(c, callId, phone, err);
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
    this.transientFailures.set(c.id, 0);
    this.hardFailures.set(c.id, 0);
    const b = this.backoff.get(c.provider);
    if (b) b.failures = 0;
    // Cancelled while the request was on its way: stop the call now that it has an id.
    const state = this.campaigns.get(c.id)?.state;
    if (state === 'cancelled' && providerCallId && provider.capabilities.cancel) {
      provider
        .cancelCall(providerCallId)
        .catch((err: unknown) => this.log(c.id, callId, 'warn', `Cancel of call ${callId} failed: ${errorText(err)}`));
    }
  }

  private placementFailed(c: Campaign, callId: number, phone: string, err: unknown): void {
    const now = this.now;
    if (err instanceof ProviderError && err.transient) {
      const b = this.backoff.get(c.provider) ?? { until: 0, failures: 0 };
      b.failures++;
      const exponential = Math.min(this.tuning.backoffMaxMs, this.tuning.backoffBaseMs * 2 ** (b.failures - 1));
      const jitter = exponential * 0.25 * this.tuning.random();
      const delay = Math.max(err.options.retryAfterMs ?? 0, exponential) + jitter;
      b.until = Math.max(b.until, now + delay);
      this.backoff.set(c.provider, b);
      const failures = (this.transientFailures.get(c.id) ?? 0) + 1;
      this.transientFailures.set(c.id, failures);
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
        this.autoPause(
          c,
          `${c.provider} refused ${failures} calls in a row (${err.message}). Check the provider's status and limits, then resume.`,
        );
      }
      this.wake(b.until);
      return;
    }
    const message = errorText(err);
    const auth = err instanceof ProviderError && err.kind === 'auth';
    this.deps.calls.finish(callId, { result: 'failed', error: `Not placed: ${message}`, countsAsAttempt: !auth });
    this.log(c.id, callId, 'error', `Call to ${phone} could not be placed: ${message}`);
    const failures = (this.hardFailures.get(c.id) ?? 0) + 1;
    this.hardFailures.set(c.id, failures);
    if (auth)
      this.autoPause(
        c,
        `${c.provider} rejected the credentials (${message}). Fix the key in Settings → Providers, then resume.`,
      );
    else if (failures >= this.tuning.maxHardFailures) {
      this.autoPause(
        c,
        `${failures} calls in a row could not be placed (last: ${message}). Fix the cause, then resume.`,
      );
    }
  }

  private windowOpensAt(c: Campaign, timezone: string | null, phone: string, now: number): number | null {
    const { zones } = recipientZones(timezone, phone, c.settings.defaultTimezone);
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

  private variablesFor(
    c: Campaign,
    target: { name: string; phone: string | null; variables_json: string },
  ): Record<string, string> {
    const base: Record<string, string> = {
      ...(JSON.parse(target.variables_json) as Record<string, string>),
      name: target.name,
      phone: target.phone ?? '',
    };
    const mapping = c.settings.variableMapping;
    if (Object.keys(mapping).length === 0) return base;
    const out: Record<string, string> = {};
    for (const [field, as] of Object.entries(mapping)) if (base[field] !== undefined) out[as] = base[field];
    return out;
  }

  // ───────────────────────── endings (inside the lifecycle's transaction) ─────────────────────────

  /** Called inside the transaction that ended the call: decides the contact's next step in its campaign. */
  onCallEnded(call: Call): void {
    if (call.campaignId === null || call.contactId === null) return;
    const row = this.queue.row(call.campaignId, call.contactId);
    const c = this.campaigns.get(call.campaignId);
    const callRow = this.callRows.byId(call.id);
    if (!row || !c || !callRow || row.state !== 'active') return;
    const now = this.now;
    const result = call.result ?? 'failed';
    if (!callRow.counts_as_attempt) {
      const until = Math.max(now, this.backoff.get(c.provider)?.until ?? now);
      this.queue.wait(c.id, call.contactId, until, 'provider_backoff', now, {
        attempts: Math.max(0, row.attempts - 1),
      });
    } else if (callRow.conversation) {
      this.queue.finish(c.id, call.contactId, result, now);
    } else if (row.attempts < c.settings.maxAttempts && (c.settings.retryOn.includes(result) || isStale(callRow))) {
      const delays = c.settings.retryDelaysMs;
      const delay = delays[Math.min(row.attempts - 1, delays.length - 1)] ?? delays[delays.length - 1];
      this.queue.wait(c.id, call.contactId, now + delay, 'retry_delay', now, { lastResult: result });
    } else {
      this.queue.finish(c.id, call.contactId, result, now);
    }
    this.progressChanged(c.id);
    this.kick();
  }

  /** A provider's late analysis says an ended call had a conversation: that contact is not called again. */
  private onLateConversation(call: Call): void {
    if (call.campaignId === null || call.contactId === null) return;
    const row = this.queue.row(call.campaignId, call.contactId);
    if (row?.state === 'pending') this.queue.finish(call.campaignId, call.contactId, 'completed', this.now);
  }

  // ───────────────────────── crash recovery and stale calls ─────────────────────────

  /** Asks providers that can answer where each call stands; the others keep waiting for webhooks until stale. */
  private async reconcile(rows: CallRow[], why: 'restart' | 'stale'): Promise<void> {
    const now = this.now;
    for (const row of rows) {
      let provider: VoiceProvider | null = null;
      try {
        provider = this.deps.providers.get(row.provider as ProviderName);
      } catch {
        provider = null;
      }
      if (provider?.capabilities.reconcile && row.provider_call_id) {
        try {
          const state = await provider.getCall(row.provider_call_id);
          if (state === null) {
            this.deps.calls.finish(row.id, {
              result: 'failed',
              error: `${row.provider} does not know this call (reconciled after ${why})`,
              countsAsAttempt: false,
              stale: true,
            });
            continue;
          }
          this.deps.calls.applyEvent(
            {
              ...state,
              provider: row.provider as ProviderName,
              providerCallId: row.provider_call_id,
              callId: row.id,
              dedupeKey: `reconcile:${row.id}:${state.status ?? ''}:${state.result ?? ''}`,
            },
            null,
            JSON.stringify({ reconciled: why, state }),
          );
          if (this.callRows.byId(row.id)?.status !== 'ended') this.deps.calls.touch(row.id);
          continue;
        } catch (err) {
          this.log(
            row.campaign_id,
            row.id,
            'warn',
            `Could not ask ${row.provider} about call ${row.id}: ${errorText(err)}`,
          );
        }
      }
      if (why === 'stale') {
        const silentMin = Math.round((now - (row.last_event_at ?? row.created_at)) / 60_000);
        this.deps.calls.finish(row.id, {
          result: 'failed',
          error: `Stale: no news from ${row.provider} for ${silentMin} min; marked failed so the contact can be retried`,
          countsAsAttempt: true,
          stale: true,
        });
        this.log(
          row.campaign_id,
          row.id,
          'warn',
          `Call ${row.id} to ${row.phone} marked failed (stale: no provider news for ${silentMin} min)`,
        );
      }
    }
  }

  private async sweepStale(now: number): Promise<void> {
    const silent = this.callRows.silentSince(now - this.tuning.staleAfterMs);
    if (silent.length) await this.reconcile(silent, 'stale');
  }

  // ───────────────────────── campaigns ─────────────────────────

  create(input: CreateCampaignInput): Campaign {
    const now = this.now;
    const settings = CampaignSettings.parse(input.settings);
    validateSettings(settings);
    const listIds = [...new Set(input.listIds)];
    const existing = this.campaigns.existingListIds(listIds);
    const missing = listIds.filter((id) => !existing.includes(id));
    if (missing.length)
      throw new ApiError('not_found', `List ${missing.join(', ')} does not exist; pick lists from the Contacts view.`);
    const id = this.immediate(() => {
      const id = this.campaigns.create({ ...input, listIds, settings, state: 'draft', at: now });
      this.queue.enqueueFromLists(id, settings.priority, now, now);
      return id;
    });
    this.log(id, null, 'info', `Campaign created (${input.provider}, lists ${listIds.join(', ')})`);
    const campaign = this.get(id);
    this.deps.bus.publish('campaign.updated', campaign);
    return campaign;
  }

  get(id: number): Campaign {
    const c = this.campaigns.get(id);
    if (!c) throw new ApiError('not_found', `Campaign ${id} does not exist.`);
    return c;
  }

  list(): Campaign[] {
    return this.campaigns.list();
  }

  /** Changes a draft or paused campaign's name, agent, settings or start time. */
  update(
    id: number,
    patch: { name?: string; agentId?: string | null; settings?: Partial<CampaignSettings>; startAt?: number | null },
  ): Campaign {
    const c = this.get(id);
    if (!['draft', 'paused', 'scheduled'].includes(c.state)) {
      throw new ApiError('conflict', `Campaign ${id} is ${c.state}; pause it before changing its settings.`);
    }
    const settings = patch.settings ? CampaignSettings.parse({ ...c.settings, ...patch.settings }) : undefined;
    if (settings) validateSettings(settings);
    this.campaigns.update(id, { name: patch.name, agentId: patch.agentId, settings, startAt: patch.startAt }, this.now);
    this.log(id, null, 'info', 'Campaign settings changed');
    const updated = this.get(id);
    if (updated.state === 'scheduled' && updated.startAt !== null) this.wake(updated.startAt);
    this.deps.bus.publish('campaign.updated', updated);
    return updated;
  }

  startCampaign(id: number): Campaign {
    const c = this.get(id);
    if (c.state === 'running') return c;
    if (c.state === 'completed' || c.state === 'cancelled') {
      throw new ApiError('conflict', `Campaign ${id} is ${c.state}; use re-run to call the contacts not reached.`);
    }
    const now = this.now;
    this.immediate(() => this.queue.enqueueFromLists(id, c.settings.priority, now, now));
    const scheduled = c.startAt !== null && c.startAt > now && c.state === 'draft';
    return this.moveState(
      c,
      scheduled ? 'scheduled' : 'running',
      null,
      scheduled ? `Scheduled for ${new Date(c.startAt ?? now).toISOString()}` : 'Started',
    );
  }

  pause(id: number, reason: string | null = null): Campaign {
    const c = this.get(id);
    if (c.state === 'paused') return c;
    if (c.state !== 'running' && c.state !== 'scheduled')
      throw new ApiError(
        'conflict',
        `Campaign ${id} is ${c.state}; only a running or scheduled campaign can be paused.`,
      );
    return this.moveState(
      c,
      'paused',
      reason,
      reason ? `Paused: ${reason}` : 'Paused; calls in progress finish, no new calls start',
    );
  }

  resume(id: number): Campaign {
    const c = this.get(id);
    if (c.state === 'running') return c;
    if (c.state !== 'paused')
      throw new ApiError('conflict', `Campaign ${id} is ${c.state}; only a paused campaign can be resumed.`);
    this.transientFailures.set(id, 0);
    this.hardFailures.set(id, 0);
    const now = this.now;
    this.immediate(() => this.queue.enqueueFromLists(id, c.settings.priority, now, now));
    return this.moveState(c, 'running', null, 'Resumed');
  }

  /** Stops dialing for good: no new calls; live calls are cancelled where the provider can. */
  cancel(id: number): Campaign {
    const c = this.get(id);
    if (c.state === 'cancelled') return c;
    if (c.state === 'completed') throw new ApiError('conflict', `Campaign ${id} has already completed.`);
    const updated = this.moveState(
      c,
      'cancelled',
      'Cancelled by the user',
      'Cancelled; queued contacts will not be called',
    );
    let provider: VoiceProvider | null = null;
    try {
      provider = this.deps.providers.get(c.provider);
    } catch {
      provider = null;
    }
    const live = this.callRows.list({ campaignId: id, live: true, limit: 5000 });
    let asked = 0;
    for (const call of live) {
      if (provider?.capabilities.cancel && call.providerCallId) {
        asked++;
        provider
          .cancelCall(call.providerCallId)
          .catch((err: unknown) =>
            this.log(id, call.id, 'warn', `Cancel of call ${call.id} failed: ${errorText(err)}`),
          );
      }
    }
    if (live.length) {
      this.log(
        id,
        null,
        'info',
        provider?.capabilities.cancel
          ? `Asked ${c.provider} to cancel ${asked} live call(s)`
          : `${c.provider} cannot cancel calls; ${live.length} live call(s) will finish on their own`,
      );
    }
    return updated;
  }

  /** Calls again every contact the campaign did not reach (no conversation, not excluded), with fresh attempts. */
  rerun(id: number): Campaign {
    const c = this.get(id);
    if (c.state === 'running' || c.state === 'scheduled' || c.state === 'draft') {
      throw new ApiError(
        'conflict',
        `Campaign ${id} is ${c.state}; re-run is for completed, cancelled or paused campaigns.`,
      );
    }
    const now = this.now;
    const n = this.immediate(() => {
      this.queue.enqueueFromLists(id, c.settings.priority, now, now);
      return this.queue.requeueUnreached(id, now);
    });
    this.log(id, null, 'info', `Re-run: ${n} contact(s) not reached are queued again`);
    return this.moveState(c, 'running', null, 'Re-run started');
  }

  /**
   * Single call, selection or whole list "now": through the same engine, as a campaign. With campaignId the
   * contacts join that campaign ahead of its queue; without, a new running campaign holds just them.
   */
  callNow(input: {
    contactIds: number[];
    campaignId?: number;
    provider: ProviderName;
    agentId: string | null;
    settings: Partial<CampaignSettings>;
    name?: string;
  }): { campaign: Campaign; queued: number } {
    const now = this.now;
    const ids = [...new Set(input.contactIds)];
    if (!ids.some((id) => this.queue.target(id)))
      throw new ApiError('not_found', `None of the contacts ${ids.slice(0, 5).join(', ')} exists.`);
    let c: Campaign;
    if (input.campaignId !== undefined) {
      c = this.get(input.campaignId);
      if (c.state === 'cancelled') throw new ApiError('conflict', `Campaign ${c.id} is cancelled; start a new one.`);
    } else {
      const settings = CampaignSettings.parse(input.settings);
      validateSettings(settings);
      const id = this.campaigns.create({
        name: input.name ?? `Call now: ${ids.length} contact${ids.length === 1 ? '' : 's'}`,
        provider: input.provider,
        agentId: input.agentId,
        state: 'draft',
        settings,
        startAt: null,
        listIds: [],
        at: now,
      });
      c = this.get(id);
    }
    // The contacts' lists are not linked: starting or resuming must not pull in everyone else on them.
    const queued = this.immediate(() =>
      this.queue.enqueueContacts(c.id, ids, c.settings.priority + PRIORITY_BOOST, now),
    );
    this.log(c.id, null, 'info', `Call now: ${queued} of ${ids.length} contact(s) queued ahead of the rest`);
    const campaign =
      c.state === 'running' || c.state === 'paused'
        ? this.get(c.id)
        : this.moveState(this.get(c.id), 'running', null, 'Started by call now');
    this.kick();
    return { campaign, queued };
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

  progress(id: number): CampaignProgress {
    const c = this.get(id);
    const counts = this.queue.counts(id, this.now);
    return {
      campaignId: id,
      state: c.state,
      stateReason: c.stateReason,
      ...counts,
      nextDueAt: this.queue.nextDueAt(id),
    };
  }

  waiting(id: number, limit: number, offset: number): WaitingContact[] {
    this.get(id);
    return this.queue.waiting(id, this.now, limit, offset);
  }

  activityLog(id: number, limit: number, beforeId?: number): ActivityEntry[] {
    this.get(id);
    return this.activity.forCampaign(id, limit, beforeId);
  }

  /** Dialing paused for this provider until then (rate limit or outage), or null. */
  backoffUntil(provider: ProviderName): number | null {
    const b = this.backoff.get(provider);
    return b && b.until > this.now ? b.until : null;
  }

  private autoPause(c: Campaign, reason: string): void {
    const current = this.campaigns.get(c.id);
    if (!current || current.state !== 'running') return;
    this.moveState(current, 'paused', reason, `Paused automatically: ${reason}`, 'error');
    this.deps.bus.publish('notice', {
      level: 'error',
      message: `Campaign "${c.name}" paused: ${reason}`,
      at: this.now,
    });
  }

  private moveState(
    c: Campaign,
    state: CampaignState,
    reason: string | null,
    message: string,
    level: LogLevel = 'info',
  ): Campaign {
    this.campaigns.setState(c.id, state, reason, this.now);
    this.log(c.id, null, level, message);
    const updated = this.get(c.id);
    this.deps.bus.publish('campaign.updated', updated);
    this.progressChanged(c.id);
    if (state === 'running') this.kick();
    if (state === 'scheduled' && updated.startAt !== null) this.wake(updated.startAt);
    return updated;
  }

  private log(campaignId: number | null, callId: number | null, level: LogLevel, message: string): void {
    this.activity.add({ at: this.now, level, scope: 'dialer', campaignId, callId, message });
    this.deps.platform.logger.log(level, 'dialer', message, { campaignId, callId });
  }

  /**
   * Progress events at most every progressEveryMs of clock time per campaign, and never more than ~2% of wall time
   * (counting a 100k-contact campaign takes tens of milliseconds).
   */
  private progressChanged(id: number): void {
    let p = this.progressDue.get(id);
    if (!p) {
      p = { timer: null, lastAt: Number.NEGATIVE_INFINITY, wallCost: 0, lastWall: 0 };
      this.progressDue.set(id, p);
    }
    if (p.timer || !this.started) return;
    const entry = p;
    const delay = Math.max(0, entry.lastAt + this.tuning.progressEveryMs - this.now);
    entry.timer = this.deps.platform.clock.setTimeout(() => {
      entry.timer = null;
      const wall = performance.now();
      if (wall - entry.lastWall < entry.wallCost * 50) {
        entry.lastAt = this.now;
        this.progressChanged(id);
        return;
      }
      entry.lastAt = this.now;
      entry.lastWall = wall;
      try {
        this.deps.bus.publish('campaign.progress', this.progress(id));
      } catch (err) {
        this.deps.platform.logger.log('warn', 'dialer', 'Progress event failed', { error: errorText(err) });
      }
      entry.wallCost = performance.now() - wall;
    }, delay);
    entry.timer.unref?.();
  }
}

function isStale(row: CallRow): boolean {
  return row.error?.startsWith('Stale:') ?? false;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function validateSettings(s: CampaignSettings): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s.defaultTimezone });
  } catch {
    throw new ApiError(
      'invalid_input',
      `settings.defaultTimezone: "${s.defaultTimezone}" is not a time zone name; use an IANA name such as Asia/Kolkata.`,
    );
  }
  if (s.days.length === 0 && !s.ignoreWindow)
    throw new ApiError('invalid_input', 'settings.days: pick at least one calling day.');
}
