import { CampaignSettings, type ProviderName } from '@shared/domain';
import type { CallLifecycle } from '../calls/lifecycle';
import type { Platform } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import type { VoiceProvider } from '../providers/types';
import type { Db } from '../store/db';
import { CallsRepository, type CallRow } from '../store/repositories/calls';
import { CampaignsRepository } from '../store/repositories/campaigns';
import { type DialerActivity, errorText } from './activity';

/**
 * Calls whose fate is unknown: those left in flight by a previous run, and live calls the provider has said nothing
 * about for too long. Providers that can answer are asked where each call stands; the others' calls keep waiting for
 * webhooks until they are stale, and are then failed so the contact can be retried.
 */
/** For calls outside a campaign (a manual test call). */
const DEFAULT_MAX_CALL_MS = CampaignSettings.parse({}).maxCallMs;

export class CallReconciler {
  private readonly callRows: CallsRepository;
  private readonly campaignRows: CampaignsRepository;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      db: Db;
      platform: Platform;
      providers: ProviderRegistry;
      calls: CallLifecycle;
      activity: DialerActivity;
      staleAfterMs: number;
      /** A live call of a provider that can answer, silent this long, is looked up (never failed for it). */
      silentAfterMs: number;
    },
  ) {
    this.callRows = new CallsRepository(deps.db);
    this.campaignRows = new CampaignsRepository(deps.db);
  }

  /** After a restart: every call not yet ended. */
  async inFlight(): Promise<void> {
    await this.reconcile(this.callRows.live(), 'restart');
  }

  /**
   * Live calls with no provider news for staleAfterMs; sooner, calls silent for silentAfterMs whose provider can
   * say where they stand (a call whose webhooks were lost or refused frees its slot within minutes); then calls that
   * make no progress whatever the provider says: not answered staleAfterMs after they were placed, or in progress
   * longer than the campaign's maxCallMs.
   */
  sweepStale(now: number): Promise<void> {
    // One sweep at a time: a slow provider must not have two sweeps ask (and hang up) the same call.
    this.sweeping ??= this.sweep(now).finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweep(now: number): Promise<void> {
    const stale = this.callRows.silentSince(now - this.deps.staleAfterMs);
    if (stale.length) await this.reconcile(stale, 'stale');
    const staleIds = new Set(stale.map((row) => row.id));
    const silent = this.callRows
      .silentSince(now - this.deps.silentAfterMs)
      .filter((row) => !staleIds.has(row.id) && row.provider_call_id !== null && this.canAnswer(row.provider));
    if (silent.length) await this.reconcile(silent, 'silent');
    await this.endOverdue(now);
  }

  private canAnswer(name: string): boolean {
    try {
      return this.deps.providers.get(name as ProviderName).capabilities.reconcile;
    } catch {
      return false;
    }
  }

  /**
   * A provider that keeps answering "ringing" (or a call that never hangs up) must not hold a campaign's slot: such a
   * call is hung up through the provider where it can be, ended as stale, and counted (docs/architecture.md, Dialer
   * rules).
   */
  private async endOverdue(now: number): Promise<void> {
    const maxCallMs = new Map<number, number>();
    for (const row of this.callRows.live()) {
      const why = this.overdue(row, now, maxCallMs);
      if (!why) continue;
      let provider: VoiceProvider | null;
      try {
        provider = this.deps.providers.get(row.provider as ProviderName);
      } catch {
        provider = null;
      }
      if (provider?.capabilities.cancel && row.provider_call_id) {
        try {
          await provider.cancelCall(row.provider_call_id);
        } catch (err) {
          this.deps.activity.log(
            row.campaign_id,
            row.id,
            'warn',
            `Could not hang up stale call ${row.id} through ${row.provider}: ${errorText(err)}`,
          );
        }
      }
      const ended = this.deps.calls.finish(row.id, {
        result: 'failed',
        error: `Stale: ${why}; hung up and marked failed so the contact can be retried`,
        countsAsAttempt: true,
        stale: true,
      });
      if (ended)
        this.deps.activity.log(
          row.campaign_id,
          row.id,
          'warn',
          `Call ${row.id} to ${row.phone} ended as stale: ${why}`,
        );
    }
  }

  private overdue(row: CallRow, now: number, maxCallMs: Map<number, number>): string | null {
    const min = (ms: number) => Math.round(ms / 60_000);
    if (row.status === 'dialing' || row.status === 'initiated' || row.status === 'ringing') {
      const since = row.started_at ?? row.created_at;
      if (now - since < this.deps.staleAfterMs) return null;
      return `${row.status} for ${min(now - since)} min without being answered`;
    }
    // A call handed to a person (transferring) is theirs to end.
    if (row.answered_at === null || row.status !== 'in_progress') return null;
    let limit = row.campaign_id === null ? undefined : maxCallMs.get(row.campaign_id);
    if (limit === undefined) {
      const campaign = row.campaign_id === null ? undefined : this.campaignRows.get(row.campaign_id);
      limit = campaign?.settings.maxCallMs ?? DEFAULT_MAX_CALL_MS;
      if (row.campaign_id !== null) maxCallMs.set(row.campaign_id, limit);
    }
    if (now - row.answered_at < limit) return null;
    return `in progress for ${min(now - row.answered_at)} min, longer than the maximum call length (${min(limit)} min)`;
  }

  /**
   * For an attempt with no provider id: the id of the call the provider made for it, 'absent' when the provider is
   * certain there is none, null when that cannot be known (then the attempt waits for webhooks or goes stale).
   */
  private async findPlacement(provider: VoiceProvider, row: CallRow): Promise<string | 'absent' | null> {
    if (!provider.findPlacement) return null;
    try {
      const lookup = await provider.findPlacement({
        callId: row.id,
        idempotencyKey: row.idempotency_key,
        to: row.phone,
        voiceAgentId: row.campaign_id === null ? null : (this.campaignRows.get(row.campaign_id)?.voiceAgentId ?? null),
        sentAt: row.created_at,
      });
      if (lookup.found) {
        this.deps.calls.markPlaced(row.id, lookup.providerCallId);
        return lookup.providerCallId;
      }
      return lookup.certain ? 'absent' : null;
    } catch (err) {
      this.deps.activity.log(
        row.campaign_id,
        row.id,
        'warn',
        `Could not ask ${row.provider} whether call ${row.id} was placed: ${errorText(err)}`,
      );
      return null;
    }
  }

  private async reconcile(rows: CallRow[], why: 'restart' | 'stale' | 'silent'): Promise<void> {
    const now = this.deps.platform.clock.now();
    for (const row of rows) {
      let provider: VoiceProvider | null;
      try {
        provider = this.deps.providers.get(row.provider as ProviderName);
      } catch {
        provider = null;
      }
      let providerCallId = row.provider_call_id;
      if (provider && !providerCallId) {
        const lookup = await this.findPlacement(provider, row);
        if (lookup === 'absent') {
          // Certain: the provider never created a call for this attempt's key, so nobody was rung.
          this.deps.calls.finish(row.id, {
            result: 'failed',
            error: `Not placed: ${row.provider} has no call for this attempt (reconciled after ${why}); not counted as an attempt`,
            countsAsAttempt: false,
          });
          continue;
        }
        providerCallId = lookup;
      }
      if (provider?.capabilities.reconcile && providerCallId) {
        try {
          const state = await provider.getCall(providerCallId);
          if (state === null) {
            // It had a provider id, so a call was placed: it counts, whatever became of it.
            this.deps.calls.finish(row.id, {
              result: 'failed',
              error: `${row.provider} does not know this call (reconciled after ${why})`,
              countsAsAttempt: true,
              stale: true,
            });
            continue;
          }
          this.deps.calls.applyEvent(
            {
              ...state,
              provider: row.provider as ProviderName,
              providerCallId,
              callId: row.id,
              dedupeKey: `reconcile:${row.id}:${state.status ?? ''}:${state.result ?? ''}`,
            },
            null,
            JSON.stringify({ reconciled: why, state }),
          );
          if (this.callRows.byId(row.id)?.status !== 'ended') this.deps.calls.touch(row.id);
          continue;
        } catch (err) {
          this.deps.activity.log(
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
        this.deps.activity.log(
          row.campaign_id,
          row.id,
          'warn',
          `Call ${row.id} to ${row.phone} marked failed (stale: no provider news for ${silentMin} min)`,
        );
      }
    }
  }
}
