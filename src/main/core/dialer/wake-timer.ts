import type { Clock, Logger, TimerHandle } from '../platform';

/**
 * The dialer loop's one timer: runs the next pass at the earliest moment anything asked for. Asking for a later
 * moment than the one already set changes nothing; the pass itself asks again for what it still needs.
 */
export class WakeTimer {
  private timer: TimerHandle | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private pass: (() => Promise<void>) | null = null;

  constructor(private readonly deps: { clock: Clock; logger: Logger }) {}

  /** From now on, wake-ups run `pass`. */
  start(pass: () => Promise<void>): void {
    this.pass = pass;
  }

  stop(): void {
    this.pass = null;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  get running(): boolean {
    return this.pass !== null;
  }

  /** Schedules a pass at `at` unless one is already due sooner. */
  wake(at: number): void {
    if (!this.pass || at >= this.timerAt) return;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timerAt = at;
    const timer = this.deps.clock.setTimeout(
      () => {
        if (this.timer !== timer) return;
        this.timer = null;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pass?.().catch((err: unknown) =>
          this.deps.logger.log('error', 'dialer', 'Dialer tick failed', { error: String(err) }),
        );
      },
      Math.max(0, at - this.deps.clock.now()),
    );
    timer.unref?.();
    this.timer = timer;
  }

  /** A pass as soon as possible. */
  kick(): void {
    this.wake(this.deps.clock.now());
  }
}
