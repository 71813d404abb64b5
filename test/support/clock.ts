import type { Clock, TimerHandle } from '../../src/main/core/platform';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock the test moves by hand; timers fire in time order as it advances. */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers: Pending[] = [];
  constructor(start = Date.UTC(2026, 4, 19, 6, 0, 0)) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Pending = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return timer as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    (handle as unknown as Pending).cancelled = true;
  }
  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => !t.cancelled && t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      due.cancelled = true;
      // Fired and cancelled timers are dropped so long simulations stay linear.
      this.prune();
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }
  private prune(): void {
    let kept = 0;
    for (const timer of this.timers) if (!timer.cancelled) this.timers[kept++] = timer;
    this.timers.length = kept;
  }
  set(time: number): void {
    this.current = time;
  }
}
