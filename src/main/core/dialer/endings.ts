import type { Call, ProviderName } from '@shared/domain';
import type { CallEndedSink } from '../calls/lifecycle';
import type { Clock } from '../platform';
import type { Db } from '../store/db';
import { CallsRepository } from '../store/repositories/calls';
import { CampaignsRepository } from '../store/repositories/campaigns';
import { DialerRepository } from '../store/repositories/dialer';
import type { CampaignProgressReporter } from './progress';
import type { WakeTimer } from './wake-timer';

/** Dialing paused per provider after rate limits and outages: the engine sets it, the loop and the endings read it. */
export type ProviderBackoff = Map<ProviderName, { until: number; failures: number }>;

/**
 * A call's end decides its contact's next step in the campaign: retry later, wait out a provider's backoff, or done.
 * The call lifecycle runs this inside the transaction that ends the call, so it needs nothing that places calls.
 */
export class CampaignEndings implements CallEndedSink {
  private readonly campaigns: CampaignsRepository;
  private readonly queue: DialerRepository;
  private readonly callRows: CallsRepository;

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      backoff: ProviderBackoff;
      progress: CampaignProgressReporter;
      timer: WakeTimer;
    },
  ) {
    this.campaigns = new CampaignsRepository(deps.db);
    this.queue = new DialerRepository(deps.db);
    this.callRows = new CallsRepository(deps.db);
  }

  onCallEnded(call: Call): void {
    if (call.campaignId === null || call.contactId === null) return;
    const row = this.queue.row(call.campaignId, call.contactId);
    const c = this.campaigns.get(call.campaignId);
    const callRow = this.callRows.byId(call.id);
    if (!row || !c || !callRow || row.state !== 'active') return;
    const now = this.deps.clock.now();
    const result = call.result ?? 'failed';
    if (!callRow.counts_as_attempt) {
      const until = Math.max(now, this.deps.backoff.get(c.provider)?.until ?? now);
      this.queue.wait(c.id, call.contactId, until, 'provider_backoff', now, {
        attempts: Math.max(0, row.attempts - 1),
      });
    } else if (callRow.conversation) {
      this.queue.finish(c.id, call.contactId, result, now);
    } else if (row.attempts < c.settings.maxAttempts && (c.settings.retryOn.includes(result) || callRow.stale === 1)) {
      const delays = c.settings.retryDelaysMs;
      const delay = delays[Math.min(row.attempts - 1, delays.length - 1)] ?? delays[delays.length - 1];
      this.queue.wait(c.id, call.contactId, now + delay, 'retry_delay', now, { lastResult: result });
    } else {
      this.queue.finish(c.id, call.contactId, result, now);
    }
    this.deps.progress.changed(c.id);
    this.deps.timer.kick();
  }

  /** A provider's late analysis says an ended call had a conversation: that contact is not called again. */
  onLateConversation(call: Call): void {
    if (call.campaignId === null || call.contactId === null) return;
    const row = this.queue.row(call.campaignId, call.contactId);
    if (row?.state === 'pending')
      this.queue.finish(call.campaignId, call.contactId, 'completed', this.deps.clock.now());
  }
}
