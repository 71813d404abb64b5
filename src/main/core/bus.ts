import { EventEmitter } from 'node:events';
import type { AnyEvent, EventName, Events } from '@shared/contract';
import type { z } from 'zod';

/**
 * Core → outside world events (the contract's events). The bindings subscribe and forward to the renderer in
 * batches; core services publish. Listener errors are isolated so one bad subscriber cannot stop the dialer.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(100);
  }
  publish<K extends EventName>(type: K, payload: z.output<Events[K]>): void {
    const event = { type, payload } as AnyEvent;
    for (const listener of this.emitter.listeners('event') as ((e: AnyEvent) => void)[]) {
      try {
        listener(event);
      } catch {
        // a failing subscriber must not break the publisher
      }
    }
  }
  subscribe(listener: (event: AnyEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
