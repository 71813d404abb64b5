import type { EventBus } from '../bus';
import type { Clock, Logger } from '../platform';
import type { Db } from '../store/db';
import { ActivityRepository } from '../store/repositories/activity';
import { ContactsRepository } from '../store/repositories/contacts';
import { DncRepository, type DncRow } from '../store/repositories/dnc';

// The do-not-call list has one owner. Whatever puts a number on it (the DNC view, a grid selection, a call's outcome,
// an agent's disposition) goes through here, so the same things always happen together: the entry, every contact
// with that number made not callable, an activity-log line, and a lists.changed for every list that holds the number.

/** Who put the number on the list: a person (DNC view, grid) or a call's outcome / an agent's disposition. */
export type DncSource = 'manual' | 'outcome';

export interface DncAddition {
  source: DncSource;
  reason: string | null;
  /** The campaign and call that led to it, for the activity log. */
  campaignId?: number | null;
  callId?: number | null;
}

export interface DncChange {
  /** Numbers that were not on the list before (added) or were on it (removed). */
  numbers: number;
  /** Contacts whose callable flag changed. */
  contacts: number;
}

/** Every contact made not callable by the list has a reason starting with this (and only those get it back). */
export const DNC_REASON_PREFIX = 'do-not-call list';

/** The not-callable reason a contact with a number on the list carries. */
function dncReason(entry: { source: string; reason: string | null }): string {
  return `${DNC_REASON_PREFIX} (${entry.source}${entry.reason ? `: ${entry.reason}` : ''})`;
}

export class DncService {
  private readonly repo: DncRepository;
  private readonly contacts: ContactsRepository;
  private readonly activity: ActivityRepository;
  private readonly tx: (fn: () => DncChange) => DncChange;

  constructor(private readonly deps: { db: Db; bus: EventBus; clock: Clock; logger: Logger }) {
    this.repo = new DncRepository(deps.db);
    this.contacts = new ContactsRepository(deps.db);
    this.activity = new ActivityRepository(deps.db);
    // Immediate when it is the outermost transaction; a savepoint inside a caller's (a call's outcome).
    const tx = deps.db.transaction((fn: () => DncChange) => fn());
    this.tx = (fn) => tx.immediate(fn);
  }

  /** Puts numbers on the list; every contact with one of them, in any list, becomes not callable. */
  add(phones: string[], how: DncAddition): DncChange {
    const unique = [...new Set(phones)];
    if (unique.length === 0) return { numbers: 0, contacts: 0 };
    const at = this.deps.clock.now();
    const change = this.tx(() => {
      const added = unique.filter((p) => this.repo.add(p, how.source, how.reason, at));
      // A number already on the list keeps its first entry; its contacts carry that entry's reason.
      const byReason = new Map<string, string[]>();
      for (const phone of unique) {
        const reason = dncReason(this.repo.get(phone) ?? how);
        byReason.set(reason, [...(byReason.get(reason) ?? []), phone]);
      }
      let contacts = 0;
      for (const [reason, group] of byReason) contacts += this.contacts.markNotCallableByPhones(group, reason, at);
      if (added.length > 0) {
        const what = added.length === 1 ? added[0] : `${added.length} numbers`;
        this.log(how, `${what} added to the do-not-call list (${how.source}${how.reason ? `: ${how.reason}` : ''})`);
      }
      return { numbers: added.length, contacts };
    });
    this.listsChanged(unique);
    return change;
  }

  /** Takes numbers off the list; their contacts that were not callable only because of it become callable again. */
  remove(phones: string[]): DncChange {
    const unique = [...new Set(phones)];
    if (unique.length === 0) return { numbers: 0, contacts: 0 };
    const at = this.deps.clock.now();
    const change = this.tx(() => {
      const removed = unique.filter((p) => this.repo.remove(p));
      const contacts = this.contacts.restoreCallableByPhones(unique, DNC_REASON_PREFIX, at);
      if (removed.length > 0) {
        const what = removed.length === 1 ? removed[0] : `${removed.length} numbers`;
        this.log({}, `${what} removed from the do-not-call list`);
      }
      return { numbers: removed.length, contacts };
    });
    this.listsChanged(unique);
    return change;
  }

  /** Checked right before every dial. */
  isBlocked(phone: string): boolean {
    return this.repo.has(phone);
  }

  /** The not-callable reason for a contact with this number, or null when the number may be called. */
  blockReason(phone: string): string | null {
    const entry = this.repo.get(phone);
    return entry ? dncReason(entry) : null;
  }

  /**
   * `blockReason` for many numbers (a file import): one scan of the list up front, or a lookup per number when the
   * list is too large to hold in memory.
   */
  blockReasons(): (phone: string) => string | null {
    if (this.repo.count() > 500_000) return (phone) => this.blockReason(phone);
    const all = new Map<string, string>();
    for (const e of this.repo.all()) all.set(e.phone, dncReason(e));
    return (phone) => all.get(phone) ?? null;
  }

  /** Newest first. */
  list(limit: number): DncRow[] {
    return this.repo.list(limit);
  }

  private log(how: { campaignId?: number | null; callId?: number | null }, message: string): void {
    const campaignId = how.campaignId ?? null;
    const callId = how.callId ?? null;
    this.activity.add({ at: this.deps.clock.now(), level: 'info', scope: 'dnc', campaignId, callId, message });
    this.deps.logger.log('info', 'dnc', message, { campaignId, callId });
  }

  /** Inside a caller's transaction the notice waits until that transaction has ended (better-sqlite3 is synchronous). */
  private listsChanged(phones: string[]): void {
    const publish = () => {
      for (const listId of this.contacts.listsWithPhones(phones)) this.deps.bus.publish('lists.changed', { listId });
    };
    if (this.deps.db.inTransaction) queueMicrotask(publish);
    else publish();
  }
}
