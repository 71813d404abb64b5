import type { ProviderName } from '@shared/domain';
import { ProviderError } from './types';

// The one way provider clients talk HTTP: a hard timeout on every request, and every failure turned into a
// ProviderError whose kind tells the dialer whether to back off (429, 5xx, timeouts) or fail the attempt.

export interface ProviderHttpOptions {
  provider: ProviderName;
  /** Shown in messages ("Retell", "Twilio (for self-hosted Bolna)"). */
  label: string;
  timeoutMs: number;
  now?: () => number;
}

export interface ProviderHttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; URLSearchParams as a form; strings as they are. */
  body?: unknown;
  /** Status codes the caller handles itself instead of getting an error (e.g. 404 for "unknown call"). */
  accept?: number[];
}

export interface ProviderHttpResponse {
  status: number;
  contentType: string;
  text: string;
}

/** Network errors raised before a byte of the request left this machine. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export async function providerRequest(
  opts: ProviderHttpOptions,
  req: ProviderHttpRequest,
): Promise<ProviderHttpResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let body: string | undefined;
  if (req.body instanceof URLSearchParams) {
    body = req.body.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (typeof req.body === 'string') {
    body = req.body;
  } else if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] = 'application/json';
  }
  const where = `${req.method} ${new URL(req.url).pathname}`;
  let res: Response;
  try {
    res = await fetch(req.url, { method: req.method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const why = timedOut ? `no answer within ${Math.round(opts.timeoutMs / 1000)} s` : networkReason(err);
    // Only a connection that never opened is certain not to have delivered the request.
    const neverSent = !timedOut && NEVER_SENT.has(networkReason(err));
    throw new ProviderError(
      opts.provider,
      'unavailable',
      `${opts.label} could not be reached (${where}): ${why}. Dialing pauses and retries.`,
      { mayHaveReached: !neverSent },
    );
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new ProviderError(
      opts.provider,
      'unavailable',
      `${opts.label} dropped the answer to ${where}: ${networkReason(err)}.`,
      { mayHaveReached: true },
    );
  }
  const out = { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
  if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) return out;
  const detail = errorDetail(text);
  const suffix = detail ? `: ${detail}` : '';
  if (res.status === 401 || res.status === 403) {
    throw new ProviderError(
      opts.provider,
      'auth',
      `${opts.label} refused the credentials (HTTP ${res.status}${suffix}). Check the key in Settings → Providers.`,
      { status: res.status },
    );
  }
  if (res.status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), opts.now ?? Date.now);
    throw new ProviderError(
      opts.provider,
      'rate_limited',
      `${opts.label} is rate limiting requests (HTTP 429${suffix}); dialing pauses${retryAfterMs !== undefined ? ` for ${Math.ceil(retryAfterMs / 1000)} s` : ''}.`,
      { status: 429, retryAfterMs },
    );
  }
  if (res.status >= 500) {
    throw new ProviderError(
      opts.provider,
      'unavailable',
      `${opts.label} had a server error (HTTP ${res.status}${suffix}) on ${where}.`,
      {
        status: res.status,
      },
    );
  }
  if (res.status === 404) {
    throw new ProviderError(opts.provider, 'not_found', `${opts.label} does not know ${where} (HTTP 404${suffix}).`, {
      status: 404,
    });
  }
  throw new ProviderError(
    opts.provider,
    'invalid_request',
    `${opts.label} rejected ${where} (HTTP ${res.status}${suffix}).`,
    {
      status: res.status,
    },
  );
}

/** Parses a JSON answer, naming the provider when it is not JSON (a proxy's HTML page, say). */
export function parseJson(opts: ProviderHttpOptions, res: ProviderHttpResponse): unknown {
  try {
    return JSON.parse(res.text) as unknown;
  } catch {
    throw new ProviderError(
      opts.provider,
      'unknown',
      `${opts.label} answered something that is not JSON: ${res.text.slice(0, 120)}`,
    );
  }
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: () => number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}

function errorDetail(text: string): string {
  if (!text) return '';
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const rest = body.RestException as Record<string, unknown> | undefined;
    const candidate = rest?.Message ?? body.message ?? body.error_message ?? body.detail ?? body.error;
    if (typeof candidate === 'string') return candidate.slice(0, 300);
  } catch {
    // not JSON: plain text bodies ("Access denied") are shown as they are
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function networkReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? err.message;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Strips a trailing slash so `${base}/path` never doubles it. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}
