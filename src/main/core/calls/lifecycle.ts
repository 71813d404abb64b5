import type { Call } from '../../../shared/domain';
import type { EventBus } from '../bus';
import type { Clock, Logger } from '../platform';
import type { NormalizedEvent } from '../providers/types';
import type { Db } from '../store/db';

export type ApplyDisposition = 'applied' | 'duplicate' | 'stale' | 'enriched' | 'unknown_call';

export interface CallEndedHook {
  /** Runs inside the transaction that ends the call, so campaign bookkeeping commits (or not) with it. */
  (call: Call): void;
}

/**
 * Applies normalised provider events to calls: once each (dedupe), forward only (monotonic status), keeping
 * every event in call_events. OWNER: calls/webhooks work (issue 2 / 4).
 */
export class CallLifecycle {
  constructor(
    readonly deps: { db: Db; bus: EventBus; clock: Clock; logger: Logger; onEnded: CallEndedHook[] },
  ) {}

  applyEvent(_event: NormalizedEvent, _inboxId: number | null, _raw: string): ApplyDisposition {
    throw new Error('CallLifecycle.applyEvent is not implemented yet');
  }
}
