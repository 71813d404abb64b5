import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ProviderName } from '@shared/domain';
import { basicAuth, parseJson, providerRequest, trimBase, type ProviderHttpOptions } from './http';
import { toRecord, toText } from './normalize';
import { ProviderError } from './types';

// Twilio REST (calls only) and X-Twilio-Signature, as used behind a self-hosted Bolna (docs/providers.md,
// Self-hosted Bolna + Twilio).

/** X-Twilio-Signature: URL + sorted name/value pairs (distinct values sorted), HMAC-SHA1 with the Auth Token. */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]> = {},
): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const raw = params[name];
    const values = Array.isArray(raw) ? [...new Set(raw)].sort() : [raw];
    for (const value of values) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The SDK also accepts the URL with and without its default port, because Twilio is not consistent about it. */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const given = Buffer.from(header);
  for (const candidate of urlVariants(url)) {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
  }
  return false;
}

/**
 * Any request Twilio sends, whatever its content type, as the SDK's RequestValidator checks it: a form post signs
 * the URL plus its fields; a JSON (or other) body is signed through the URL, which then carries
 * `bodySHA256=<hex SHA-256 of the body>`, and that hash must match the body. A body that is neither a form nor
 * covered by bodySHA256 is not signed at all, so it is refused.
 */
export function verifyTwilioRequest(
  authToken: string,
  url: string,
  contentType: string | undefined,
  rawBody: Buffer,
  header: string | undefined,
): boolean {
  if ((contentType ?? '').includes('application/x-www-form-urlencoded'))
    return verifyTwilioSignature(authToken, url, formParams(rawBody), header);
  let bodyHash: string | null;
  try {
    bodyHash = new URL(url).searchParams.get('bodySHA256');
  } catch {
    return false;
  }
  if (bodyHash === null) return rawBody.length === 0 && verifyTwilioSignature(authToken, url, {}, header);
  const actual = Buffer.from(createHash('sha256').update(rawBody).digest('hex'));
  const given = Buffer.from(bodyHash.toLowerCase());
  const bodyMatches = actual.length === given.length && timingSafeEqual(actual, given);
  return verifyTwilioSignature(authToken, url, {}, header) && bodyMatches;
}

function urlVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  const withPort = url.replace(/^(https?:\/\/[^/:?#]+)(?=[/?#]|$)/, `$1:${defaultPort}`);
  const withoutPort = url.replace(new RegExp(`^(https?://[^/:?#]+):${defaultPort}(?=[/?#]|$)`), '$1');
  return [...new Set([url, withPort, withoutPort])];
}

/** Form body → params as Twilio signs them (repeated names keep every value). */
export function formParams(raw: Buffer | string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(raw.toString())) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export interface TwilioCall {
  sid: string;
  status: string;
  to: string;
  from: string;
  direction: string;
  dateCreated: number | null;
  startTime: number | null;
  endTime: number | null;
  duration: number | null;
  answeredBy: string | null;
  price: number | null;
}

export interface TwilioClientConfig {
  accountSid: string;
  authToken: string;
  baseUrl?: string;
  timeoutMs?: number;
  now?: () => number;
  /** Whose requests these are, for errors (Twilio behind self-hosted Bolna reports as bolna_twilio). */
  provider?: ProviderName;
}

export class TwilioClient {
  private readonly base: string;
  private readonly http: ProviderHttpOptions;
  constructor(private readonly config: TwilioClientConfig) {
    this.base = `${trimBase(config.baseUrl ?? 'https://api.twilio.com')}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}`;
    this.http = {
      provider: config.provider ?? 'bolna_twilio',
      label: 'Twilio',
      timeoutMs: config.timeoutMs ?? 15_000,
      now: config.now,
    };
  }

  private headers(): Record<string, string> {
    return { authorization: basicAuth(this.config.accountSid, this.config.authToken) };
  }

  async fetchAccount(): Promise<{ friendlyName: string | null; status: string | null }> {
    const res = await providerRequest(this.http, { method: 'GET', url: `${this.base}.json`, headers: this.headers() });
    const body = toRecord(parseJson(this.http, res)) ?? {};
    return { friendlyName: toText(body.friendly_name) ?? null, status: toText(body.status) ?? null };
  }

  /** Calls to a number started on or after the given day (Twilio filters by date, so callers refine by time). */
  async listCalls(filter: { to: string; startedOnOrAfter: number; pageSize?: number }): Promise<TwilioCall[]> {
    const q = new URLSearchParams({
      To: filter.to,
      'StartTime>': new Date(filter.startedOnOrAfter).toISOString().slice(0, 10),
      PageSize: String(filter.pageSize ?? 20),
    });
    const res = await providerRequest(this.http, {
      method: 'GET',
      url: `${this.base}/Calls.json?${q}`,
      headers: this.headers(),
    });
    const calls = toRecord(parseJson(this.http, res))?.calls;
    return Array.isArray(calls)
      ? calls.map((c) => toCall(toRecord(c) ?? {})).filter((c): c is TwilioCall => c !== null)
      : [];
  }

  async fetchCall(sid: string): Promise<TwilioCall | null> {
    const res = await providerRequest(this.http, {
      method: 'GET',
      url: `${this.base}/Calls/${encodeURIComponent(sid)}.json`,
      headers: this.headers(),
      accept: [404],
    });
    if (res.status === 404) return null;
    return toCall(toRecord(parseJson(this.http, res)) ?? {});
  }

  /** Call update: Twiml / Url to redirect, Status to end, StatusCallback to follow it. */
  async updateCall(sid: string, params: Record<string, string>): Promise<TwilioCall> {
    const res = await providerRequest(this.http, {
      method: 'POST',
      url: `${this.base}/Calls/${encodeURIComponent(sid)}.json`,
      headers: this.headers(),
      body: new URLSearchParams(params),
    });
    const call = toCall(toRecord(parseJson(this.http, res)) ?? {});
    if (!call)
      throw new ProviderError(this.http.provider, 'unknown', `Twilio answered the update of ${sid} without a call`);
    return call;
  }
}

function toCall(body: Record<string, unknown>): TwilioCall | null {
  const sid = toText(body.sid);
  if (!sid) return null;
  const date = (v: unknown): number | null => {
    const t = typeof v === 'string' ? Date.parse(v) : NaN;
    return Number.isNaN(t) ? null : t;
  };
  const num = (v: unknown): number | null =>
    v === null || v === undefined || v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : null;
  return {
    sid,
    status: toText(body.status) ?? 'unknown',
    to: toText(body.to) ?? '',
    from: toText(body.from) ?? '',
    direction: toText(body.direction) ?? '',
    dateCreated: date(body.date_created),
    startTime: date(body.start_time),
    endTime: date(body.end_time),
    duration: num(body.duration),
    answeredBy: toText(body.answered_by) ?? null,
    price: num(body.price),
  };
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}
