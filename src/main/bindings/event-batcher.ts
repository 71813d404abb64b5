import type { AnyEvent } from '@shared/contract';
import type { EventBus } from '../core/bus';
import type { Clock, TimerHandle } from '../core/platform';

/**
 * Collects core events and hands them to a sink at most every `intervalMs`, so 200 live calls produce a few
 * messages a second instead of thousands. Consecutive updates of the same call are coalesced (last one wins).
 */
export function batchEvents(
  bus: EventBus,
  clock: Clock,
  sink: (events: AnyEvent[]) => void,
  intervalMs = 100,
): () => void {
  let queue: AnyEvent[] = [];
  const latestCallIndex = new Map<number, number>();
  let timer: TimerHandle | null = null;
  const flush = () => {
    timer = null;
    const events = queue;
    queue = [];
    latestCallIndex.clear();
    if (events.length) sink(events);
  };
  const unsubscribe = bus.subscribe((event) => {
    if (event.type === 'call.updated') {
      const existing = latestCallIndex.get(event.payload.id);
      if (existing !== undefined) {
        queue[existing] = event;
        return;
      }
      latestCallIndex.set(event.payload.id, queue.length);
    }
    queue.push(event);
    if (!timer) timer = clock.setTimeout(flush, intervalMs);
  });
  return () => {
    unsubscribe();
    if (timer) clock.clearTimeout(timer);
    flush();
  };
}
