import type { Clock, TimerHandle } from '../../src/main/core/platform';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  /** Fired or cleared: it will not run (again). */
  done: boolean;
}

/**
 * A clock the test moves by hand; timers fire in time order (then in the order they were set) as it advances. The
 * timers sit in a binary heap, so simulations with hundreds of thousands of them stay fast.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private live = 0;
  private readonly heap: Pending[] = [];
  constructor(start = Date.UTC(2026, 4, 19, 6, 0, 0)) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Pending = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, done: false };
    this.push(timer);
    this.live++;
    return timer as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    const timer = handle as unknown as Pending;
    if (timer.done) return;
    timer.done = true;
    this.live--;
  }
  /** How many timers are set and have neither fired nor been cleared: 0 means nothing will happen on this clock. */
  pending(): number {
    return this.live;
  }
  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }
  /** Moves time forward to `target` (never back), running every timer that falls due, in order. */
  advanceTo(target: number): void {
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > target) break;
      this.pop();
      if (top.done) continue;
      top.done = true;
      this.live--;
      this.current = Math.max(this.current, top.at);
      top.fn();
    }
    this.current = Math.max(this.current, target);
  }

  private before(a: Pending, b: Pending): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
  private push(timer: Pending): void {
    const h = this.heap;
    h.push(timer);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }
  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < h.length && this.before(h[left], h[least])) least = left;
      if (right < h.length && this.before(h[right], h[least])) least = right;
      if (least === i) break;
      [h[i], h[least]] = [h[least], h[i]];
      i = least;
    }
  }
}
