import { type Campaign, CampaignSettings, type CampaignState, type ProviderName } from '@shared/domain';
import { languageTag } from '@shared/languages';
import { timeZoneProblem } from '@shared/time/zones';
import { ApiError } from '../errors';
import type { EventBus } from '../bus';
import type { LogLevel, Platform } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import type { VoiceProvider } from '../providers/types';
import type { Db } from '../store/db';
import { CallsRepository } from '../store/repositories/calls';
import { CampaignsRepository } from '../store/repositories/campaigns';
import { DialerRepository } from '../store/repositories/dialer';
import { type DialerActivity, errorText } from './activity';
import type { CampaignEnqueuer } from './enqueue';
import type { CampaignProgressReporter } from './progress';
import type { WakeTimer } from './wake-timer';

export interface CreateCampaignInput {
  name: string;
  listIds: number[];
  provider: ProviderName;
  voiceAgentId: string | null;
  settings: Partial<CampaignSettings>;
  startAt: number | null;
}

/** Consecutive placement failures per campaign: enough of them pause it; resuming starts the count again. */
export class ConsecutiveFailures {
  private readonly transient = new Map<number, number>();
  private readonly hard = new Map<number, number>();

  /** Counts one more failure of that kind; returns the run of them so far. */
  add(campaignId: number, kind: 'transient' | 'hard'): number {
    const counts = kind === 'transient' ? this.transient : this.hard;
    const n = (counts.get(campaignId) ?? 0) + 1;
    counts.set(campaignId, n);
    return n;
  }

  reset(campaignId: number): void {
    this.transient.set(campaignId, 0);
    this.hard.set(campaignId, 0);
  }
}

/**
 * The campaign state machine: draft → scheduled → running ⇄ paused → completed | cancelled, and re-run. Every change
 * is written, logged in the campaign's activity, published, and wakes the dialer loop when there is work.
 */
export class CampaignStateMachine {
  readonly failures = new ConsecutiveFailures();
  private readonly campaigns: CampaignsRepository;
  private readonly queue: DialerRepository;
  private readonly callRows: CallsRepository;
  /** One transaction wrapper, built once (better-sqlite3 builds a new one per db.transaction() call). */
  private readonly tx: (fn: () => unknown) => unknown;
  private immediate<T>(fn: () => T): T {
    return this.tx(fn) as T;
  }

  constructor(
    private readonly deps: {
      db: Db;
      bus: EventBus;
      platform: Platform;
      providers: ProviderRegistry;
      activity: DialerActivity;
      progress: CampaignProgressReporter;
      timer: WakeTimer;
      enqueuer: CampaignEnqueuer;
    },
  ) {
    const tx = deps.db.transaction((fn: () => unknown) => fn());
    this.tx = (fn) => tx.immediate(fn);
    this.campaigns = new CampaignsRepository(deps.db);
    this.queue = new DialerRepository(deps.db);
    this.callRows = new CallsRepository(deps.db);
  }

  private get now(): number {
    return this.deps.platform.clock.now();
  }

  private log(campaignId: number | null, callId: number | null, level: LogLevel, message: string): void {
    this.deps.activity.log(campaignId, callId, level, message);
  }

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
      this.deps.enqueuer.fromLists({ id, settings }, now);
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
    patch: {
      name?: string;
      voiceAgentId?: string | null;
      settings?: Partial<CampaignSettings>;
      startAt?: number | null;
    },
  ): Campaign {
    const c = this.get(id);
    if (!['draft', 'paused', 'scheduled'].includes(c.state)) {
      throw new ApiError('conflict', `Campaign ${id} is ${c.state}; pause it before changing its settings.`);
    }
    const settings = patch.settings ? CampaignSettings.parse({ ...c.settings, ...patch.settings }) : undefined;
    if (settings) validateSettings(settings);
    this.campaigns.update(
      id,
      { name: patch.name, voiceAgentId: patch.voiceAgentId, settings, startAt: patch.startAt },
      this.now,
    );
    this.log(id, null, 'info', 'Campaign settings changed');
    const updated = this.get(id);
    if (updated.state === 'scheduled' && updated.startAt !== null) this.deps.timer.wake(updated.startAt);
    this.deps.bus.publish('campaign.updated', updated);
    return updated;
  }

  start(id: number): Campaign {
    const c = this.get(id);
    if (c.state === 'running') return c;
    if (c.state === 'completed' || c.state === 'cancelled') {
      throw new ApiError('conflict', `Campaign ${id} is ${c.state}; use re-run to call the contacts not reached.`);
    }
    const now = this.now;
    this.immediate(() => this.deps.enqueuer.fromLists(c, now));
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
    this.failures.reset(id);
    const now = this.now;
    this.immediate(() => this.deps.enqueuer.fromLists(c, now));
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
    let provider: VoiceProvider | null;
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
      this.deps.enqueuer.fromLists(c, now);
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
    voiceAgentId: string | null;
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
        voiceAgentId: input.voiceAgentId,
        state: 'draft',
        settings,
        startAt: null,
        listIds: [],
        at: now,
      });
      c = this.get(id);
    }
    // The contacts' lists are not linked: starting or resuming must not pull in everyone else on them.
    const queued = this.immediate(() => this.deps.enqueuer.callNow(c, ids, now));
    this.log(c.id, null, 'info', `Call now: ${queued} of ${ids.length} contact(s) queued ahead of the rest`);
    const campaign =
      c.state === 'running' || c.state === 'paused'
        ? this.get(c.id)
        : this.moveState(this.get(c.id), 'running', null, 'Started by call now');
    this.deps.timer.kick();
    return { campaign, queued };
  }

  /** Pauses a running campaign on the dialer's own authority (provider refusals, failures), with a notice. */
  autoPause(c: Campaign, reason: string): void {
    const current = this.campaigns.get(c.id);
    if (!current || current.state !== 'running') return;
    this.moveState(current, 'paused', reason, `Paused automatically: ${reason}`, 'error');
    this.deps.bus.publish('notice', {
      level: 'error',
      message: `Campaign "${c.name}" paused: ${reason}`,
      at: this.now,
    });
  }

  moveState(
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
    this.deps.progress.changed(c.id);
    if (state === 'running') this.deps.timer.kick();
    if (state === 'scheduled' && updated.startAt !== null) this.deps.timer.wake(updated.startAt);
    return updated;
  }
}

function validateSettings(s: CampaignSettings): void {
  const zoneProblem = timeZoneProblem(s.defaultTimezone);
  if (zoneProblem)
    throw new ApiError('invalid_input', `settings.defaultTimezone: ${zoneProblem}`, [
      { path: 'settings.defaultTimezone', message: zoneProblem },
    ]);
  if (s.defaultLanguage !== null) {
    const tag = languageTag(s.defaultLanguage);
    if (!tag) {
      const message = `"${s.defaultLanguage}" is not a language; use a BCP 47 tag such as hi-IN or ta-IN.`;
      throw new ApiError('invalid_input', `settings.defaultLanguage: ${message}`, [
        { path: 'settings.defaultLanguage', message },
      ]);
    }
    // Stored canonical (Hindi → hi-IN), so every provider maps one form.
    s.defaultLanguage = tag;
  }
  if (s.days.length === 0 && !s.ignoreWindow)
    throw new ApiError('invalid_input', 'settings.days: pick at least one calling day.');
}
