import type { ReviewItem } from '@shared/contract/calls';
import type { EventBus } from '../bus';
import { ApiError } from '../errors';
import type { Clock } from '../platform';
import type { NormalizedEvent } from '../providers/types';
import type { Db } from '../store/db';
import { CallsRepository } from '../store/repositories/calls';
import { ReviewRepository, type ReviewItemRow } from '../store/repositories/review';
import type { CallLifecycle } from './lifecycle';

/**
 * The review list: provider events that named no call with certainty (the call lifecycle files them). A person
 * reads the raw body and attaches the event to a call, which applies it through the lifecycle like any provider
 * event, or dismisses it. Nothing here ever picks a call by itself.
 */
export class ReviewList {
  private readonly items: ReviewRepository;
  private readonly calls: CallsRepository;

  constructor(private readonly deps: { db: Db; bus: EventBus; clock: Clock; lifecycle: CallLifecycle }) {
    this.items = new ReviewRepository(deps.db);
    this.calls = new CallsRepository(deps.db);
  }

  list(input: { includeResolved: boolean; limit: number }): ReviewItem[] {
    return this.items
      .list(input.includeResolved ? ['open', 'attached', 'dismissed'] : ['open'], input.limit)
      .map(toItem);
  }

  attach(id: number, callId: number): ReviewItem {
    const item = this.open(id);
    const call = this.calls.byId(callId);
    if (!call) throw new ApiError('not_found', `Call ${callId} does not exist.`);
    if (call.provider !== item.provider) {
      const message = `Call ${callId} was placed through ${call.provider}; this event came from ${item.provider}.`;
      throw new ApiError('invalid_input', message, [
        { path: 'callId', message, fix: `choose a ${item.provider} call` },
      ]);
    }
    const stored = JSON.parse(item.eventJson) as NormalizedEvent;
    const event: NormalizedEvent = {
      ...stored,
      providerCallId: null,
      callId,
      // Its own key: the person's decision is one event on that call, recorded beside the provider's.
      dedupeKey: `review:${id}`,
      kind: `${stored.kind} (attached from review)`,
    };
    const disposition = this.deps.lifecycle.applyEvent(event, item.inboxId, item.raw);
    if (disposition === 'unknown_call' || disposition === 'review')
      throw new ApiError('invalid_input', `Call ${callId} could not take this event.`);
    this.items.resolve(id, 'attached', callId, this.deps.clock.now());
    this.changed();
    return toItem(this.items.get(id)!);
  }

  dismiss(id: number): ReviewItem {
    this.open(id);
    this.items.resolve(id, 'dismissed', null, this.deps.clock.now());
    this.changed();
    return toItem(this.items.get(id)!);
  }

  private open(id: number): ReviewItemRow {
    const item = this.items.get(id);
    if (!item) throw new ApiError('not_found', `Review item ${id} does not exist.`);
    if (item.state !== 'open')
      throw new ApiError(
        'conflict',
        `Review item ${id} was already ${item.state}${item.callId ? ` to call ${item.callId}` : ''}.`,
      );
    return item;
  }

  private changed(): void {
    this.deps.bus.publish('review.changed', { open: this.items.countOpen() });
  }
}

function toItem(row: ReviewItemRow): ReviewItem {
  return {
    id: row.id,
    provider: row.provider,
    kind: row.kind,
    reason: row.reason,
    receivedAt: row.receivedAt,
    raw: row.raw,
    state: row.state,
    callId: row.callId,
    resolvedAt: row.resolvedAt,
  };
}
