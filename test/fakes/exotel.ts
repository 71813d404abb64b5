import { randomBytes } from 'node:crypto';
import { deliver, E164, fixture, HttpFake, json, type FakeRequest, type FakeResponse } from './http-fake';

// Exotel Voice v1 as documented: basic auth api_key:api_token, form-encoded connect.json,
// call details, and the StatusCallback (JSON when asked), Passthru GET and Connect "dial whom" GET requests.

interface ExoCall {
  sid: string;
  from: string;
  customField: string;
  statusCallback: string;
  contentType: string;
  events: string[];
  status: string;
  conversationS: number;
  /** Exotel settles Duration and ConversationDuration minutes after the call; until then details show null. */
  settled: boolean;
}

export type ExotelEncoding = 'json' | 'urlencoded' | 'multipart';

/** A callback body as Exotel sends it in each encoding (multipart built by the Web FormData encoder). */
export async function encodeExotelBody(
  payload: Record<string, unknown>,
  encoding: ExotelEncoding,
): Promise<{ body: Buffer; contentType: string }> {
  if (encoding === 'json') return { body: Buffer.from(JSON.stringify(payload)), contentType: 'application/json' };
  const fields = Object.entries(payload).map(([k, v]): [string, string] => [
    k,
    v === null || v === undefined ? '' : String(v),
  ]);
  if (encoding === 'urlencoded')
    return {
      body: Buffer.from(new URLSearchParams(fields).toString()),
      contentType: 'application/x-www-form-urlencoded',
    };
  const form = new FormData();
  for (const [k, v] of fields) form.append(k, v);
  const request = new Request('http://exotel.invalid/', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') as string,
  };
}

export class ExotelFake extends HttpFake {
  readonly calls = new Map<string, ExoCall>();

  constructor(
    readonly accountSid: string,
    readonly apiKey: string,
    readonly apiToken: string,
  ) {
    super((req) => this.route(req));
  }

  private route(req: FakeRequest): FakeResponse {
    const expected = `Basic ${Buffer.from(`${this.apiKey}:${this.apiToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected)
      return json(401, {
        RestException: { Status: 401, Message: 'Authentication is required to view this resource.' },
      });
    const prefix = `/v1/Accounts/${this.accountSid}`;
    if (!req.path.startsWith(prefix))
      return json(404, { RestException: { Status: 404, Message: 'Account not found' } });
    const rest = req.path.slice(prefix.length);
    if (req.method === 'POST' && rest === '/Calls/connect.json') return this.connect(req);
    if (req.method === 'GET' && rest === '/Calls.json')
      return json(200, { Calls: [...this.calls.values()].slice(0, 1).map((c) => this.callJson(c)) });
    const m = /^\/Calls\/([^/]+)\.json$/.exec(rest);
    if (req.method === 'GET' && m) {
      const c = this.calls.get(m[1]);
      if (!c) return json(404, { RestException: { Status: 404, Message: 'Call not found' } });
      const out: Record<string, unknown> = { Call: this.callJson(c) };
      if (req.query.get('details') === 'true') {
        (out.Call as Record<string, unknown>).Details = {
          ConversationDuration: c.settled ? c.conversationS : null,
          Leg1Status: c.status,
          Leg2Status: null,
          Legs: [],
        };
      }
      return json(200, out);
    }
    return json(404, { RestException: { Status: 404, Message: 'Not found' } });
  }

  private connect(req: FakeRequest): FakeResponse {
    if (!(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      return json(400, { RestException: { Status: 400, Message: 'Expected a form body' } });
    }
    const f = new URLSearchParams(req.body);
    const from = f.get('From');
    if (!from || !E164.test(from))
      return json(400, { RestException: { Status: 400, Message: "Invalid 'From' number" } });
    if (!f.get('CallerId')) return json(400, { RestException: { Status: 400, Message: "'CallerId' is mandatory" } });
    if (!f.get('Url') && !f.get('To'))
      return json(400, { RestException: { Status: 400, Message: "Either 'Url' or 'To' is required" } });
    const customField = f.get('CustomField') ?? '';
    if (customField.length > 128)
      return json(400, { RestException: { Status: 400, Message: 'CustomField is longer than 128 characters' } });
    const sid = randomBytes(16).toString('hex');
    const events = [...f.entries()].filter(([k]) => k.startsWith('StatusCallbackEvents[')).map(([, v]) => v);
    const call: ExoCall = {
      sid,
      from,
      customField,
      statusCallback: f.get('StatusCallback') ?? '',
      contentType: f.get('StatusCallbackContentType') ?? 'multipart/form-data',
      events,
      status: 'in-progress',
      conversationS: 0,
      settled: false,
    };
    this.calls.set(sid, call);
    return json(200, { Call: this.callJson(call) });
  }

  private callJson(c: ExoCall): Record<string, unknown> {
    const base = fixture('responses/exotel-calls-connect.json').Call as Record<string, unknown>;
    return {
      ...base,
      Sid: c.sid,
      AccountSid: this.accountSid,
      From: c.from,
      Status: c.status,
      Duration: c.settled ? String(c.conversationS + 4) : null,
      Uri: `/v1/Accounts/${this.accountSid}/Calls/${c.sid}.json`,
    };
  }

  /** POSTs a StatusCallback (answered or terminal) the way the call asked for it. */
  async callback(
    sid: string,
    eventType: 'answered' | 'terminal',
    status: string,
    conversationS = 0,
  ): Promise<{ status: number; body: string; payload: string }> {
    const c = this.calls.get(sid);
    if (!c) throw new Error(`no call ${sid}`);
    if (!c.events.includes(eventType)) throw new Error(`call ${sid} did not subscribe to ${eventType}`);
    c.status = eventType === 'terminal' ? status : 'in-progress';
    c.conversationS = conversationS;
    if (eventType === 'terminal') c.settled = true;
    const base = fixture(status === 'no-answer' ? 'exotel-status-no-answer.json' : 'exotel-status-completed.json');
    const payload: Record<string, unknown> = {
      ...base,
      CallSid: sid,
      EventType: eventType,
      Status: status,
      From: c.from,
      ConversationDuration: String(conversationS),
      RecordingUrl: conversationS > 0 ? `https://recordings.example/${sid}.mp3` : '',
    };
    // CustomField comes back only with the terminal event.
    if (eventType === 'terminal') payload.CustomField = c.customField;
    else delete payload.CustomField;
    return this.post(c, payload);
  }

  /**
   * The basic StatusCallback Exotel sends when the call subscribed to no events: only CallSid, Status, RecordingUrl
   * and DateUpdated, in the content type the call asked for (multipart/form-data by default). The call's duration
   * is not settled yet: the details API shows it only after `settle`.
   */
  async basicCallback(
    sid: string,
    status: 'completed' | 'busy' | 'failed' | 'no-answer',
    conversationS = 0,
  ): Promise<{ status: number; body: string; payload: string }> {
    const c = this.calls.get(sid);
    if (!c) throw new Error(`no call ${sid}`);
    c.status = status;
    c.conversationS = conversationS;
    return this.post(c, {
      CallSid: sid,
      Status: status,
      RecordingUrl: conversationS > 0 ? `https://recordings.example/${sid}.mp3` : '',
      DateUpdated: '2026-05-19 13:01:31',
    });
  }

  /** Exotel has settled the call's duration (about five minutes after the call). */
  settle(sid: string): void {
    const c = this.calls.get(sid);
    if (!c) throw new Error(`no call ${sid}`);
    c.settled = true;
  }

  private async post(c: ExoCall, payload: Record<string, unknown>) {
    const encoding: ExotelEncoding =
      c.contentType === 'application/json'
        ? 'json'
        : c.contentType === 'application/x-www-form-urlencoded'
          ? 'urlencoded'
          : 'multipart';
    const { body, contentType } = await encodeExotelBody(payload, encoding);
    const res = await deliver(c.statusCallback, { body, headers: { 'content-type': contentType } });
    return { ...res, payload: body.toString('utf8') };
  }

  /** The content type the call's StatusCallback will use (a flow or account set up without our JSON choice). */
  useContentType(sid: string, contentType: string): void {
    const c = this.calls.get(sid);
    if (!c) throw new Error(`no call ${sid}`);
    c.contentType = contentType;
  }

  /** A GET from a Passthru applet or the Connect applet's "dial whom" URL, with the documented query params. */
  async applet(
    url: string,
    sid: string,
    extra: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    const c = this.calls.get(sid);
    const q = {
      ...(fixture('exotel-passthru-query.json') as Record<string, string>),
      CallSid: sid,
      CallFrom: c?.from ?? '',
      CustomField: c?.customField ?? '',
      ...extra,
    };
    const target = new URL(url);
    for (const [k, v] of Object.entries(q)) target.searchParams.set(k, v);
    return deliver(target.toString(), { method: 'GET' });
  }
}
