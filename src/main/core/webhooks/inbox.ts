import type { ApplyDisposition } from '../calls/lifecycle';
import { errorText } from '../errors';
import type { Clock, Logger, TimerHandle } from '../platform';
import type { NormalizedEvent, VoiceProvider } from '../providers/types';
import type { Db } from '../store/db';
import { InboxRepository, type InboxDelivery, type InboxRow, type InboxState } from '../store/repositories/inbox';
import type { HookUrls } from './hook-urls';

/** How often deliveries for calls we did not know yet are tried again (calls may get their provider id late). */
export const UNKNOWN_RETRY_EVERY_MS = 15_000;
/** After this long, an event for an unknown call is left to reconciliation instead of being retried. */
export const UNKNOWN_RETRY_WINDOW_MS = 60 * 60_000;
/**
 * Time spent applying per event-loop turn. Short while deliveries keep arriving, so answers never wait long behind
 * a backlog; longer when none arrived since the last slice (or the backlog is large), so catching up costs fewer
 * commits.
 */
const APPLY_SLICE_BUSY_MS = 2;
const APPLY_SLICE_IDLE_MS = 8;
const LARGE_BACKLOG = 5_000;
const PAGE = 500;
/** How long a slice undone by a storage fault (a full disk) waits before it is tried again. */
const STORAGE_RETRY_MS = 1_000;

/** Where a delivery's events go: the call lifecycle, which applies each once and forward only. */
export interface EventApplier {
  applyEvent(event: NormalizedEvent, inboxId: number | null, raw: string): ApplyDisposition;
}

/** Finds the provider that parses a stored delivery again. */
export interface ProviderLookup {
  find(name: string): VoiceProvider | null;
}

export interface WebhookInboxDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  calls: EventApplier;
  providers: ProviderLookup;
  urls: HookUrls;
}

/** A delivery verified and parsed by the listener, waiting for the next group commit before it is answered. */
export interface ReceivedDelivery {
  delivery: InboxDelivery;
  events: NormalizedEvent[];
  /** Set when our parser failed: the bytes are kept (state 'error') and acknowledged, but nothing is applied. */
  fault: string | null;
  /** Committed: the sender may be answered. */
  stored(): void;
  /** Could not be committed: the sender must be told to deliver it again. */
  notStored(): void;
}

export interface InboxHealth {
  inbox: Partial<Record<InboxState, number>>;
  /** Deliveries acknowledged but not applied yet. */
  applying: number;
  lastWebhookAt: number | null;
}

interface ApplyJob {
  inboxId: number;
  events: NormalizedEvent[];
  raw: string;
}

/**
 * Store raw, answer, then apply. Deliveries read in the same event-loop turn share one commit and are answered
 * after it; their events are applied to calls on later turns, in arrival order, a few milliseconds of work per turn
 * so answers never wait behind a backlog. A crash after the answer loses nothing: start() re-applies rows still
 * pending, re-parsed from the stored bytes without re-checking signatures (their timestamps would have expired; they
 * were checked on arrival). Deliveries that named a call we did not know yet are retried for a while.
 */
export class WebhookInbox {
  private readonly inbox: InboxRepository;
  private readonly queue: ApplyJob[] = [];
  private queueHead = 0;
  private drainScheduled = false;
  private lastAt: number | null | undefined;
  private unknownTimer: TimerHandle | null = null;
  private running = false;
  private readonly applyTx: (job: ApplyJob, at: number) => InboxState;
  private readonly insertMany: (batch: ReceivedDelivery[]) => number[];
  private readonly applySlice: (until: number) => void;
  private readonly unsaved: ReceivedDelivery[] = [];
  private saveScheduled = false;
  private arrivedSinceSlice = false;

  constructor(private readonly deps: WebhookInboxDeps) {
    this.inbox = new InboxRepository(deps.db);
    this.applyTx = deps.db.transaction((job: ApplyJob, at: number): InboxState => {
      let state: InboxState = 'processed';
      for (const event of job.events) {
        if (deps.calls.applyEvent(event, job.inboxId, job.raw) === 'unknown_call') state = 'unknown_call';
      }
      this.inbox.mark(job.inboxId, state, null, at);
      return state;
    });
    this.insertMany = deps.db.transaction((batch: ReceivedDelivery[]): number[] =>
      batch.map((item) => this.inbox.insert(item.delivery, item.fault ? 'error' : 'pending', item.fault)),
    );
    // One outer transaction per slice (each delivery still atomic inside it): one commit per slice, not per event.
    this.applySlice = deps.db.transaction((until: number): void => {
      while (this.queueHead < this.queue.length && performance.now() < until) {
        const job = this.queue[this.queueHead];
        this.queueHead++;
        this.apply(job);
      }
    });
  }

  /** Synchronous, so what was acknowledged before a crash is applied before anything new is read. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.recoverPending();
    this.retryUnknown();
    this.armUnknownRetry();
  }

  /** Stores and answers what was read, then applies what was acknowledged (recovery would; this is faster). */
  stop(): void {
    this.running = false;
    if (this.unknownTimer) this.deps.clock.clearTimeout(this.unknownTimer);
    this.unknownTimer = null;
    this.save();
    this.drain(Number.POSITIVE_INFINITY);
  }

  /** Takes a delivery for the next group commit (later in this event-loop turn). */
  receive(item: ReceivedDelivery): void {
    this.unsaved.push(item);
    if (!this.saveScheduled) {
      this.saveScheduled = true;
      setImmediate(() => this.save());
    }
  }

  /** Deliveries read but not yet stored, or stored but not yet applied (cheap: no query). */
  get backlog(): number {
    return this.unsaved.length + this.queueLength();
  }

  health(): InboxHealth {
    if (this.lastAt === undefined) this.lastAt = this.inbox.lastReceivedAt();
    return { inbox: this.inbox.countsByState(), applying: this.queueLength(), lastWebhookAt: this.lastAt };
  }

  /**
   * Re-applies deliveries that named a call we did not know (its provider id may have arrived since). Runs on
   * start, periodically, and whenever a caller knows it is worth trying (e.g. after storing a provider call id).
   * Returns how many deliveries now found their call.
   */
  retryUnknown(): number {
    const since = this.deps.clock.now() - UNKNOWN_RETRY_WINDOW_MS;
    let resolved = 0;
    let afterId = 0;
    for (;;) {
      const rows = this.inbox.unknownSince(since, afterId, PAGE);
      for (const row of rows) {
        afterId = row.id;
        const job = this.jobFromRow(row);
        if (job && this.apply(job) !== 'unknown_call') resolved++;
      }
      if (rows.length < PAGE) return resolved;
    }
  }

  /**
   * Group commit: every delivery read in one turn of the event loop is written in one transaction, and only then
   * answered. One commit per turn instead of one per request is what keeps the answer fast under load.
   */
  private save(): void {
    this.saveScheduled = false;
    const batch = this.unsaved.splice(0);
    if (batch.length === 0) return;
    let ids: number[];
    try {
      ids = this.insertMany(batch);
    } catch (err) {
      // Not stored means not acknowledged: the providers will deliver them again.
      this.deps.logger.log('error', 'webhooks', `could not store ${batch.length} webhook(s): ${errorText(err)}`);
      for (const item of batch) item.notStored();
      return;
    }
    this.lastAt = batch[batch.length - 1].delivery.receivedAt;
    this.arrivedSinceSlice = true;
    batch.forEach((item, i) => {
      item.stored();
      if (!item.fault)
        this.queue.push({ inboxId: ids[i], events: item.events, raw: item.delivery.body.toString('utf8') });
    });
    this.scheduleDrain();
  }

  private queueLength(): number {
    return this.queue.length - this.queueHead;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      const busy = this.arrivedSinceSlice && this.queueLength() < LARGE_BACKLOG;
      this.arrivedSinceSlice = false;
      const written = this.drain(busy ? APPLY_SLICE_BUSY_MS : APPLY_SLICE_IDLE_MS);
      if (this.queueLength() === 0) return;
      if (written) this.scheduleDrain();
      else this.deps.clock.setTimeout(() => this.scheduleDrain(), STORAGE_RETRY_MS);
    });
  }

  /** False when the database could not be written (a full disk): the slice is undone and tried again later. */
  private drain(budgetMs: number): boolean {
    if (this.queueLength() === 0) return true;
    const first = this.queueHead;
    try {
      this.applySlice(performance.now() + budgetMs);
    } catch (err) {
      // SQLite rolled the whole slice back; its deliveries are still stored as pending, so nothing is lost.
      this.queueHead = first;
      this.deps.logger.log(
        'error',
        'webhooks',
        `Could not save webhook events (${errorText(err)}); ${this.queueLength()} stored deliveries wait and are applied again in ${STORAGE_RETRY_MS / 1000} s.`,
      );
      return false;
    }
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    }
    return true;
  }

  /** Applies one delivery's events and records the outcome on its inbox row, atomically. */
  private apply(job: ApplyJob): InboxState {
    const at = this.deps.clock.now();
    try {
      return this.applyTx(job, at);
    } catch (err) {
      // A storage fault (disk full, I/O error) is not this delivery's fault, and SQLite has already undone the
      // enclosing slice: it goes up to drain(), which tries the slice again later.
      if (isStorageFault(err)) throw err;
      const message = errorText(err);
      this.deps.logger.log('error', 'webhooks', `applying webhook #${job.inboxId} failed: ${message}`);
      this.inbox.mark(job.inboxId, 'error', message, at);
      return 'error';
    }
  }

  private recoverPending(): void {
    let afterId = 0;
    let recovered = 0;
    for (;;) {
      const rows = this.inbox.withState('pending', afterId, PAGE);
      for (const row of rows) {
        afterId = row.id;
        const job = this.jobFromRow(row);
        if (job) this.apply(job);
        recovered++;
      }
      if (rows.length < PAGE) break;
    }
    if (recovered)
      this.deps.logger.log('info', 'webhooks', `re-applied ${recovered} webhook(s) stored before a restart`);
  }

  /** Rebuilds the request from the stored bytes and parses it again; null (row marked 'error') if that fails. */
  private jobFromRow(row: InboxRow): ApplyJob | null {
    const at = this.deps.clock.now();
    const provider = this.deps.providers.find(row.provider);
    if (!provider) {
      this.inbox.mark(row.id, 'error', `provider ${row.provider} is not available`, at);
      return null;
    }
    const path = this.deps.urls.hookPath(row.provider);
    try {
      const events = provider.parseWebhook({
        method: row.method,
        path,
        query: new URLSearchParams(row.query ?? ''),
        headers: row.headers,
        rawBody: row.body,
        url: this.deps.urls.calledUrl(row.query ? `${path}?${row.query}` : path),
        receivedAt: row.receivedAt,
      });
      return { inboxId: row.id, events, raw: row.body.toString('utf8') };
    } catch (err) {
      this.inbox.mark(row.id, 'error', `could not parse again: ${errorText(err)}`, at);
      return null;
    }
  }

  private armUnknownRetry(): void {
    this.unknownTimer = this.deps.clock.setTimeout(() => {
      if (!this.running) return;
      this.retryUnknown();
      this.armUnknownRetry();
    }, UNKNOWN_RETRY_EVERY_MS);
    this.unknownTimer.unref?.();
  }
}

/** SQLite's codes for a database that cannot be written at the moment, whatever is written. */
function isStorageFault(err: unknown): boolean {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED)/.test(code);
}
