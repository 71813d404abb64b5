// How the recordings pipeline talks to the outside world (Exotel, AssemblyAI, Slack): a hard timeout on every
// request, and every failure classified so the queue knows whether to try again later, stop and show it, or (for a
// Slack post) stop because the message may already be in the channel.

export type FailureKind =
  /** Worth trying again later: network trouble, 429, 5xx. */
  | 'transient'
  /** Will fail the same way until the user changes something (key, URL, channel). */
  | 'permanent'
  /** The request may have been received: a resend could duplicate it. */
  | 'in_doubt';

export class StepError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

// Errors raised before a byte of the request left this machine: the server cannot have acted on it.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_INVALID_URL',
]);

function causeCode(err: unknown): string | undefined {
  const cause = err instanceof Error ? (err as Error & { cause?: unknown }).cause : undefined;
  if (cause && typeof cause === 'object' && 'code' in cause) return String((cause as { code: unknown }).code);
  return undefined;
}

export function networkReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'no answer in time';
  const code = causeCode(err);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  return code ?? (err instanceof Error ? err.message : String(err));
}

/** True when the failed request certainly never reached the server (so resending cannot duplicate anything). */
export function certainlyNotSent(err: unknown): boolean {
  const code = causeCode(err);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, 3_600_000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, Math.min(at - now, 3_600_000)) : undefined;
}

/** Host of a URL for messages and logs: paths and query strings of recording and webhook URLs can hold tokens. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid address';
  }
}
