/** Tunables of the dialer itself (not per campaign); tests and the benchmark shorten them through CoreOptions. */
export interface DialerTuning {
  /** A live call with no provider news this long is reconciled, or failed as stale (docs/architecture.md, Dialer rules). */
  staleAfterMs: number;
  /** A live call silent this long is looked up with its provider where the provider can answer (not failed). */
  silentAfterMs: number;
  /** How often the stale sweep runs. */
  sweepEveryMs: number;
  /** How long a contact waits when its number is live in another call. */
  numberBusyRetryMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Consecutive provider refusals (rate limit, outage) after which a campaign pauses itself. */
  maxTransientFailures: number;
  /** Consecutive calls that failed to start after which a campaign pauses itself. */
  maxHardFailures: number;
  /** Minimum clock time between two progress events of a campaign. */
  progressEveryMs: number;
  /** Contacts examined per campaign per tick before yielding (keeps one tick short). */
  examinePerTick: number;
  random: () => number;
}

export const DEFAULT_TUNING: DialerTuning = {
  staleAfterMs: 15 * 60_000,
  silentAfterMs: 3 * 60_000,
  sweepEveryMs: 60_000,
  numberBusyRetryMs: 2 * 60_000,
  backoffBaseMs: 2_000,
  backoffMaxMs: 5 * 60_000,
  maxTransientFailures: 8,
  maxHardFailures: 5,
  progressEveryMs: 1_000,
  examinePerTick: 1_000,
  random: Math.random,
};
