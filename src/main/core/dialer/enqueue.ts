import type { Campaign, CampaignSettings } from '@shared/domain';
import type { SheetVerdict } from '../sources/sheet-rules';
import type { Db } from '../store/db';
import { CampaignsRepository } from '../store/repositories/campaigns';
import { DialerRepository } from '../store/repositories/dialer';

/** The retry delay before the attempt after `attempts` (the last value repeats). */
export function retryDelayAfter(settings: Pick<CampaignSettings, 'retryDelaysMs'>, attempts: number): number {
  const delays = settings.retryDelaysMs;
  return delays[Math.min(Math.max(attempts, 1), delays.length) - 1];
}

/** Call-now contacts go ahead of everything else the campaign has queued. */
const CALL_NOW_PRIORITY_BOOST = 1_000_000;

/**
 * The one way contacts join a campaign's queue, whichever door they come through: the campaign's lists (create,
 * start, resume, re-run), call now or add to campaign, and a row new to a connected sheet. The same rules decide for
 * each whether it is queued or excluded and why (no callable number, on the do-not-call list, a number another
 * contact of the campaign holds; never twice). Runs inside the caller's transaction.
 */
export class CampaignEnqueuer {
  private readonly campaigns: CampaignsRepository;
  private readonly queue: DialerRepository;

  constructor(db: Db) {
    this.campaigns = new CampaignsRepository(db);
    this.queue = new DialerRepository(db);
  }

  /** Every contact of the campaign's lists not queued yet. */
  fromLists(campaign: Pick<Campaign, 'id' | 'settings'>, at: number): void {
    this.queue.enqueueFromLists(campaign.id, campaign.settings.priority, at, at);
  }

  /**
   * Call now / add to campaign: the chosen contacts go ahead of the queue. New ones join; ones already waiting are
   * brought forward; finished ones without a conversation get a fresh round. Returns how many will be dialled.
   */
  callNow(campaign: Pick<Campaign, 'id' | 'settings'>, contactIds: number[], at: number): number {
    const ids = [...new Set(contactIds)];
    const priority = campaign.settings.priority + CALL_NOW_PRIORITY_BOOST;
    const already = this.queue.queuedAmong(campaign.id, ids);
    const fresh = ids.filter((id) => !already.has(id));
    this.queue.enqueueChosen(campaign.id, fresh, priority, at, at);
    let queued = fresh.filter((id) => this.queue.row(campaign.id, id)?.state === 'pending').length;
    for (const id of already) if (this.queue.bringForward(campaign.id, id, priority, at)) queued++;
    return queued;
  }

  /** A sheet row that came back: its contact rejoins the queues it left when the row was removed. */
  returnedSheetRow(contactId: number, reason: string, at: number): number {
    return this.queue.restoreExcluded(contactId, reason, at);
  }

  /**
   * What a sheet row's Status and Last Attempt Time now say, applied to every open campaign of its list: final holds
   * nobody back any more (the contact is done), a retry or someone's live call pushes the due time out, and a status
   * a person cleared (`reopened`) gives a finished contact a fresh round. The sheet wins over the queue.
   */
  sheetRow(
    listId: number,
    contactId: number,
    verdict: (settings: CampaignSettings, attempts: number) => SheetVerdict,
    reopened: boolean,
    at: number,
  ): void {
    for (const c of this.campaigns.openWithList(listId)) {
      const row = this.queue.row(c.id, contactId);
      if (!row) continue;
      const v = verdict(c.settings, row.attempts);
      if (row.state === 'pending') {
        if (v.kind === 'final') this.queue.finish(c.id, contactId, row.last_result, at);
        else if (v.kind === 'retry') this.queue.holdUntil(c.id, contactId, v.at, 'retry_delay', at);
        else if (v.kind === 'active') this.queue.holdUntil(c.id, contactId, v.until, 'number_busy', at);
      } else if (row.state === 'done' && reopened && v.kind === 'call') {
        this.queue.bringForward(c.id, contactId, c.settings.priority, at);
      }
    }
  }

  /** A contact new to a list joins every campaign of that list that can still call. Returns how many queue it. */
  newListContact(listId: number, contactId: number, at: number): number {
    let queued = 0;
    for (const c of this.campaigns.openWithList(listId)) {
      this.queue.enqueueChosen(c.id, [contactId], c.settings.priority, at, at);
      if (this.queue.row(c.id, contactId)?.state === 'pending') queued++;
    }
    return queued;
  }
}
