import { createHmac, randomBytes } from 'node:crypto';
import { deliver, E164, fixture, HttpFake, json, type FakeRequest, type FakeResponse } from './http-fake';

// Twilio's Calls API as documented: basic auth AccountSid:AuthToken, list/fetch/update calls,
// and signed (X-Twilio-Signature) form-encoded status callbacks and <Dial action> requests.
// Plus a stand-in for the self-hosted Bolna servers (agent server POST /agent, telephony server POST /call
// answering plain "done"), which create their calls in this fake Twilio.

export interface TwilioFakeCall {
  sid: string;
  to: string;
  from: string;
  status: string;
  dateCreated: number;
  /** Attached by call update (the self-hosted server sets none), so it only hears about the end of the call. */
  statusCallback: string | null;
  twiml: string | null;
  seq: number;
  duration: number;
  answeredBy: string | null;
}

/** Independent of the client's signer on purpose: both must agree with the SDK vector. */
function sign(token: string, url: string, params: Record<string, string>): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((k) => k + params[k])
      .join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

export class TwilioFake extends HttpFake {
  readonly calls = new Map<string, TwilioFakeCall>();

  constructor(
    readonly accountSid: string,
    readonly authToken: string,
    readonly now: () => number = Date.now,
  ) {
    super((req) => this.route(req));
  }

  private route(req: FakeRequest): FakeResponse {
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return json(401, { code: 20003, message: 'Authenticate', status: 401 });
    const prefix = `/2010-04-01/Accounts/${this.accountSid}`;
    if (req.method === 'GET' && req.path === `${prefix}.json`)
      return json(200, { sid: this.accountSid, friendly_name: 'Test account', status: 'active' });
    if (req.method === 'GET' && req.path === `${prefix}/Calls.json`) {
      const to = req.query.get('To');
      const day = req.query.get('StartTime>');
      const calls = [...this.calls.values()]
        .filter((c) => !to || c.to === to)
        .filter((c) => !day || new Date(c.dateCreated).toISOString().slice(0, 10) >= day)
        .sort((a, b) => b.dateCreated - a.dateCreated);
      return json(200, {
        calls: calls.map((c) => this.callJson(c)),
        page: 0,
        page_size: Number(req.query.get('PageSize') ?? 50),
      });
    }
    const m = new RegExp(`^${prefix}/Calls/([^/]+)\\.json$`).exec(req.path);
    if (m) {
      const call = this.calls.get(m[1]);
      if (!call)
        return json(404, { code: 20404, message: `The requested resource ${req.path} was not found`, status: 404 });
      if (req.method === 'GET') return json(200, this.callJson(call));
      if (req.method === 'POST') return this.update(call, new URLSearchParams(req.body));
    }
    return json(404, { code: 20404, message: 'Not found', status: 404 });
  }

  private update(call: TwilioFakeCall, form: URLSearchParams): FakeResponse {
    const status = form.get('Status');
    if (status === 'canceled' && !['queued', 'ringing'].includes(call.status))
      return json(400, { code: 21220, message: 'Call is not queued or ringing', status: 400 });
    if (status === 'completed' && call.status !== 'in-progress')
      return json(400, { code: 21220, message: 'Call is not in-progress', status: 400 });
    if (form.get('Twiml') && call.status !== 'in-progress')
      return json(400, { code: 21220, message: 'Call is not in-progress. Cannot redirect.', status: 400 });
    if (status) call.status = status;
    if (form.get('StatusCallback')) call.statusCallback = form.get('StatusCallback');
    if (form.get('Twiml')) call.twiml = form.get('Twiml');
    return json(200, this.callJson(call));
  }

  private callJson(c: TwilioFakeCall): Record<string, unknown> {
    return {
      ...fixture('responses/twilio-create-call.json'),
      sid: c.sid,
      account_sid: this.accountSid,
      to: c.to,
      from: c.from,
      status: c.status,
      duration: c.status === 'completed' ? String(c.duration) : null,
      answered_by: c.answeredBy,
      date_created: new Date(c.dateCreated).toUTCString().replace('GMT', '+0000'),
      uri: `/2010-04-01/Accounts/${this.accountSid}/Calls/${c.sid}.json`,
    };
  }

  /** What Twilio does when somebody (the self-hosted Bolna server) creates a call. */
  createCall(to: string, from: string): TwilioFakeCall {
    const call: TwilioFakeCall = {
      sid: `CA${randomBytes(16).toString('hex')}`,
      to,
      from,
      status: 'queued',
      dateCreated: this.now(),
      statusCallback: null,
      twiml: null,
      seq: 0,
      duration: 0,
      answeredBy: null,
    };
    this.calls.set(call.sid, call);
    return call;
  }

  /** Moves the call; at the end POSTs a signed status callback if one is attached. */
  async progress(
    sid: string,
    status: string,
    opts: { duration?: number; answeredBy?: string; signWith?: string } = {},
  ): Promise<{ status: number; body: string } | null> {
    const call = this.calls.get(sid);
    if (!call) throw new Error(`no call ${sid}`);
    call.status = status;
    if (opts.duration !== undefined) call.duration = opts.duration;
    if (opts.answeredBy) call.answeredBy = opts.answeredBy;
    const terminal = ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(status);
    // Without StatusCallbackEvent (which call update does not take) Twilio reports only the end.
    if (!call.statusCallback || !terminal) return null;
    const template =
      status === 'ringing'
        ? 'twilio-status-ringing.json'
        : status === 'in-progress'
          ? 'twilio-status-answered.json'
          : status === 'no-answer'
            ? 'twilio-status-no-answer.json'
            : 'twilio-status-completed.json';
    const params: Record<string, string> = {
      ...(fixture(template) as Record<string, string>),
      AccountSid: this.accountSid,
      CallSid: sid,
      To: call.to,
      Called: call.to,
      From: call.from,
      Caller: call.from,
      CallStatus: status,
      SequenceNumber: String(call.seq++),
      Timestamp: new Date(this.now()).toUTCString().replace('GMT', '+0000'),
    };
    if (terminal) params.CallDuration = String(call.duration);
    else delete params.CallDuration;
    if (opts.answeredBy) params.AnsweredBy = opts.answeredBy;
    return this.post(call.statusCallback, params, opts.signWith);
  }

  /** The <Dial action> request after a transfer's dialled leg ends. */
  async dialResult(sid: string, dialStatus: string, duration = 42): Promise<{ status: number; body: string }> {
    const call = this.calls.get(sid);
    const action = call?.twiml ? /action="([^"]+)"/.exec(call.twiml)?.[1]?.replace(/&amp;/g, '&') : undefined;
    if (!call || !action) throw new Error(`call ${sid} has no <Dial action>`);
    return this.post(action, {
      AccountSid: this.accountSid,
      CallSid: sid,
      CallStatus: 'in-progress',
      DialCallSid: `CA${randomBytes(16).toString('hex')}`,
      DialCallStatus: dialStatus,
      DialCallDuration: String(duration),
      To: call.to,
      From: call.from,
    });
  }

  /** POST a form with a signature over the exact URL and params, as Twilio does. */
  async post(
    url: string,
    params: Record<string, string>,
    signWith = this.authToken,
  ): Promise<{ status: number; body: string }> {
    return deliver(url, {
      body: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': sign(signWith, url, params),
      },
    });
  }
}

/** The self-hosted Bolna servers of the COD confirmation flow (agent server, Twilio telephony server) in one fake. */
export class BolnaSelfHostedFake extends HttpFake {
  readonly agents = new Map<string, Record<string, unknown>>();

  constructor(
    readonly twilio: TwilioFake,
    readonly twilioNumber = '+14155550100',
  ) {
    super((req) => this.route(req));
  }

  private route(req: FakeRequest): FakeResponse {
    if (req.method === 'POST' && req.path === '/agent') {
      const body = JSON.parse(req.body) as Record<string, unknown>;
      if (!body.agent_config || typeof body.agent_config !== 'object')
        return json(422, { detail: 'agent_config is required' });
      const id = `${randomBytes(4).toString('hex')}-e5f6-7890-1234-567890abcdef`;
      this.agents.set(id, body);
      return json(200, { agent_id: id, state: 'created' });
    }
    const m = /^\/agent\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && m)
      return this.agents.has(m[1]) ? json(200, this.agents.get(m[1])) : json(404, { detail: 'Agent not found' });
    if (req.method === 'POST' && req.path === '/call') {
      const body = JSON.parse(req.body) as Record<string, unknown>;
      if (typeof body.agent_id !== 'string' || !this.agents.has(body.agent_id))
        return json(404, { detail: 'Agent not found' });
      if (typeof body.recipient_phone_number !== 'string' || !E164.test(body.recipient_phone_number))
        return json(422, { detail: 'recipient_phone_number' });
      this.twilio.createCall(body.recipient_phone_number, this.twilioNumber);
      return { status: 200, body: 'done' };
    }
    return json(404, { detail: 'Not Found' });
  }

  /** The agent's follow-up webhook task: POSTs the extraction JSON to the URL in its definition. */
  async sendExtraction(
    agentId: string,
    extraction: Record<string, unknown>,
  ): Promise<{ status: number; body: string }> {
    const def = this.agents.get(agentId) as
      | { agent_config?: { tasks?: { task_type?: string; tools_config?: { api_tools?: { webhookURL?: string } } }[] } }
      | undefined;
    const url = def?.agent_config?.tasks?.find((t) => t.task_type === 'webhook')?.tools_config?.api_tools?.webhookURL;
    if (!url) throw new Error(`agent ${agentId} has no webhook task`);
    return deliver(url, { body: JSON.stringify(extraction), headers: { 'content-type': 'application/json' } });
  }
}
