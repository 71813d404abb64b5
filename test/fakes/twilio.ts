import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { deliver, fixture, HttpFake, json, type FakeRequest, type FakeResponse } from './http-fake';

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
  /** Told when a call is answered (the self-hosted Bolna server connects its stream then). */
  onAnswered: ((call: TwilioFakeCall) => void) | null = null;

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
    const answered = status === 'in-progress' && call.status !== 'in-progress';
    call.status = status;
    if (answered) this.onAnswered?.(call);
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

  /**
   * POST a JSON body as Twilio signs one: the URL gets bodySHA256=<hex SHA-256 of the body> and the signature is over
   * that URL alone (no parameters appended).
   */
  async postJson(url: string, body: unknown, signWith = this.authToken): Promise<{ status: number; body: string }> {
    const text = JSON.stringify(body);
    const signed = new URL(url);
    signed.searchParams.set('bodySHA256', createHash('sha256').update(text).digest('hex'));
    return deliver(signed.toString(), {
      body: text,
      headers: { 'content-type': 'application/json', 'x-twilio-signature': sign(signWith, signed.toString(), {}) },
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

/**
 * The self-hosted Bolna servers of the COD confirmation flow (agent server quickstart_server.py and telephony
 * server twilio_api_server.py) in one fake, behaving as their source does:
 * - POST /agent validates like the server's pydantic model (422 when a webhook task's api_tools lacks tools_params),
 *   keeps only what the model keeps (a top-level api_tools.webhookURL is dropped) and answers {agent_id, state}.
 * - POST /call reads only agent_id and recipient_phone_number, creates the Twilio call with no StatusCallback and
 *   answers plain "done", even when creating the call failed (the server only prints that error).
 * - The agent's config is read when Twilio connects the call's stream (answered); at the end the webhook task posts
 *   the bare extraction JSON once, unsigned, to tools_params.webhook.url of that config, and nothing at all when
 *   the extraction is null or the call was never answered.
 */
export class BolnaSelfHostedFake extends HttpFake {
  readonly agents = new Map<string, Record<string, unknown>>();
  readonly prompts = new Map<string, unknown>();
  /** Twilio call sid → the agent the server connected it to (and that agent's config, read when answered). */
  readonly connections = new Map<string, { agentId: string; config: Record<string, unknown> | null }>();
  private readonly sent = new Set<string>();
  /** The next POST /call fails inside the server (Twilio refused): it still answers "done". */
  failNextCreate = false;

  constructor(
    readonly twilio: TwilioFake,
    readonly twilioNumber = '+14155550100',
  ) {
    super((req) => this.route(req));
    twilio.onAnswered = (call) => {
      const connection = this.connections.get(call.sid);
      const stored = connection ? this.agents.get(connection.agentId) : undefined;
      if (connection && stored) connection.config = structuredClone(stored);
    };
  }

  private route(req: FakeRequest): FakeResponse {
    if (req.method === 'POST' && req.path === '/agent') return this.createAgent(req);
    const m = /^\/agent\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && m)
      return this.agents.has(m[1]) ? json(200, this.agents.get(m[1])) : json(404, { detail: 'Agent not found' });
    if (req.method === 'DELETE' && m) {
      if (!this.agents.delete(m[1])) return json(404, { detail: 'Agent not found' });
      this.prompts.delete(m[1]);
      return json(200, { agent_id: m[1], state: 'deleted' });
    }
    if (req.method === 'POST' && req.path === '/call') {
      const body = JSON.parse(req.body) as Record<string, unknown>;
      const agentId = String(body.agent_id);
      const to = String(body.recipient_phone_number);
      if (this.failNextCreate) this.failNextCreate = false;
      else this.connections.set(this.twilio.createCall(to, this.twilioNumber).sid, { agentId, config: null });
      return { status: 200, body: 'done' };
    }
    return json(404, { detail: 'Not Found' });
  }

  private createAgent(req: FakeRequest): FakeResponse {
    const body = JSON.parse(req.body) as { agent_config?: unknown; agent_prompts?: unknown };
    const config = body.agent_config as { tasks?: unknown } | undefined;
    if (!config || typeof config !== 'object' || !Array.isArray(config.tasks))
      return json(422, { detail: [{ loc: ['body', 'agent_config'], msg: 'Field required', type: 'missing' }] });
    const tasks = structuredClone(config.tasks) as { tools_config?: { api_tools?: Record<string, unknown> } }[];
    for (const [i, task] of tasks.entries()) {
      const api = task.tools_config?.api_tools;
      if (!api) continue;
      if (!api.tools_params || typeof api.tools_params !== 'object')
        return json(422, {
          detail: [
            {
              loc: ['body', 'agent_config', 'tasks', i, 'tools_config', 'api_tools', 'tools_params'],
              msg: 'Field required',
              type: 'missing',
            },
          ],
        });
      // ToolModel has only tools and tools_params: anything else (webhookURL) is not stored.
      task.tools_config!.api_tools = { tools: api.tools ?? null, tools_params: api.tools_params };
    }
    const id = randomUUID();
    this.agents.set(id, { ...(config as Record<string, unknown>), tasks, assistant_status: 'seeding' });
    this.prompts.set(id, body.agent_prompts ?? null);
    return json(200, { agent_id: id, state: 'created' });
  }

  /** The agent a call was connected to, found by the number it called. */
  callTo(phone: string): { sid: string; agentId: string } {
    const sid = [...this.twilio.calls.values()].reverse().find((c) => c.to === phone)?.sid;
    const connection = sid ? this.connections.get(sid) : undefined;
    if (!sid || !connection) throw new Error(`no call to ${phone}`);
    return { sid, agentId: connection.agentId };
  }

  /**
   * The webhook task at the end of the call: the bare extraction, once, to the URL in the config the call was
   * connected with. Null when nothing is sent (extraction null, or the call was never answered).
   */
  async sendExtraction(
    sid: string,
    extraction: Record<string, unknown> | null,
  ): Promise<{ status: number; body: string; url: string } | null> {
    const config = this.connections.get(sid)?.config as
      { tasks?: { task_type?: string; tools_config?: { api_tools?: Record<string, unknown> } }[] } | null | undefined;
    if (!config || extraction === null) return null;
    if (this.sent.has(sid)) throw new Error(`the server posts the extraction of ${sid} once`);
    const api = config.tasks?.find((t) => t.task_type === 'webhook')?.tools_config?.api_tools as
      { webhookURL?: string; tools_params?: { webhook?: { url?: string } } } | undefined;
    const url = api?.webhookURL ?? api?.tools_params?.webhook?.url;
    if (!url) throw new Error(`the agent of ${sid} has no webhook task`);
    this.sent.add(sid);
    const res = await deliver(url, {
      body: JSON.stringify(extraction),
      headers: { 'content-type': 'application/json' },
    });
    return { ...res, url };
  }
}
