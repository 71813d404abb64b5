import { createHmac, randomBytes } from 'node:crypto';
import { deliver, E164, fixture, HttpFake, json, type FakeRequest, type FakeResponse } from './http-fake';

// Retell's API as documented: bearer auth, create-phone-call (dynamic variables must be
// strings), get-call, stop-call, list-agents; webhooks {event, call} signed with x-retell-signature
// (v=<ms>,d=hex(HMAC-SHA256(key, body ++ ms))), shaped like fixtures/providers/retell-*.json.

// Retell's agent language setting: these locales, or "multi" for its multilingual mode.
const RETELL_AGENT_LANGUAGES = new Set([
  'en-US',
  'en-IN',
  'en-GB',
  'en-AU',
  'en-NZ',
  'de-DE',
  'es-ES',
  'es-419',
  'hi-IN',
  'fr-FR',
  'fr-CA',
  'ja-JP',
  'pt-PT',
  'pt-BR',
  'zh-CN',
  'ru-RU',
  'it-IT',
  'ko-KR',
  'nl-NL',
  'nl-BE',
  'pl-PL',
  'tr-TR',
  'th-TH',
  'vi-VN',
  'ro-RO',
  'bg-BG',
  'ca-ES',
  'da-DK',
  'fi-FI',
  'el-GR',
  'hu-HU',
  'id-ID',
  'no-NO',
  'sk-SK',
  'sv-SE',
  'ms-MY',
  'multi',
]);

interface FakeCall {
  call: Record<string, unknown>;
}

export class RetellFake extends HttpFake {
  readonly calls = new Map<string, FakeCall>();
  /** Per-agent webhook_url (replaces the account URL for that agent's calls). */
  readonly agentWebhooks = new Map<string, string>();
  /** Account-level webhook URL (set in Retell's dashboard). */
  webhookUrl = '';

  constructor(
    readonly apiKey: string,
    readonly now: () => number = Date.now,
  ) {
    super((req) => this.route(req));
  }

  private route(req: FakeRequest): FakeResponse {
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return json(401, { error_message: 'Unauthorized' });
    if (req.method === 'GET' && req.path === '/list-agents')
      return json(200, [{ agent_id: 'oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD' }]);
    if (req.method === 'POST' && req.path === '/v2/create-phone-call') return this.create(req);
    const agent = /^\/update-agent\/([^/]+)$/.exec(req.path);
    if (req.method === 'PATCH' && agent) {
      const url = (JSON.parse(req.body) as { webhook_url?: unknown }).webhook_url;
      if (typeof url !== 'string' || !/^https?:\/\//.test(url))
        return json(400, { error_message: 'webhook_url must be a URL' });
      this.agentWebhooks.set(agent[1], url);
      return json(200, { agent_id: agent[1], webhook_url: url });
    }
    let m = /^\/v2\/get-call\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && m) {
      const c = this.calls.get(m[1]);
      return c ? json(200, c.call) : json(404, { error_message: 'Call not found' });
    }
    m = /^\/v2\/stop-call\/([^/]+)$/.exec(req.path);
    if (req.method === 'POST' && m) {
      const c = this.calls.get(m[1]);
      if (!c) return json(404, { error_message: 'Call not found' });
      c.call.call_status = 'ended';
      c.call.disconnection_reason = 'manual_stopped';
      return { status: 204 };
    }
    return json(404, { error_message: 'Not found' });
  }

  private create(req: FakeRequest): FakeResponse {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return json(400, { error_message: 'Invalid JSON' });
    }
    for (const field of ['from_number', 'to_number'] as const) {
      if (typeof body[field] !== 'string' || !E164.test(body[field] as string))
        return json(400, { error_message: `${field} must be E.164` });
    }
    const vars = body.retell_llm_dynamic_variables;
    if (vars !== undefined) {
      if (typeof vars !== 'object' || vars === null)
        return json(400, { error_message: 'retell_llm_dynamic_variables must be an object' });
      for (const [k, v] of Object.entries(vars))
        if (typeof v !== 'string') return json(400, { error_message: `dynamic variable ${k} must be a string` });
    }
    // agent_override.agent.language takes one of the locales an agent can be set to, or "multi".
    const override = body.agent_override as { agent?: { language?: unknown } } | undefined;
    const language = override?.agent?.language;
    if (language !== undefined && (typeof language !== 'string' || !RETELL_AGENT_LANGUAGES.has(language)))
      return json(400, { error_message: `agent_override.agent.language ${String(language)} is not supported` });
    const callId = randomBytes(16).toString('hex');
    const call: Record<string, unknown> = {
      ...fixture('responses/retell-create-phone-call.json'),
      call_id: callId,
      from_number: body.from_number,
      to_number: body.to_number,
      metadata: body.metadata ?? {},
      retell_llm_dynamic_variables: vars ?? {},
      call_status: 'registered',
      ...(language ? { language } : {}),
    };
    if (typeof body.override_agent_id === 'string') call.agent_id = body.override_agent_id;
    this.calls.set(callId, { call });
    return json(201, call);
  }

  sign(body: string, key = this.apiKey, ts = this.now()): string {
    return `v=${ts},d=${createHmac('sha256', key)
      .update(body + String(ts))
      .digest('hex')}`;
  }

  /** Sends one webhook for a call, its `call` object taken from the fixture of that event and our call's ids. */
  async send(
    callId: string,
    event: string,
    patch: Record<string, unknown> = {},
    opts: { signature?: string; extra?: Record<string, unknown> } = {},
  ): Promise<{ status: number; body: string; payload: string }> {
    const c = this.calls.get(callId);
    if (!c) throw new Error(`no call ${callId}`);
    const template =
      event === 'call_started'
        ? 'retell-call_started.json'
        : event === 'call_analyzed'
          ? 'retell-call_analyzed.json'
          : 'retell-call_ended.json';
    const base = (fixture(template).call ?? {}) as Record<string, unknown>;
    const call = { ...base, ...c.call, ...patch };
    if (event !== 'call_analyzed') delete call.call_analysis;
    c.call = { ...c.call, ...patch };
    const payload = JSON.stringify({ event, call, ...opts.extra });
    const target = this.agentWebhooks.get(String(call.agent_id)) ?? this.webhookUrl;
    const res = await deliver(target, {
      body: payload,
      headers: { 'content-type': 'application/json', 'x-retell-signature': opts.signature ?? this.sign(payload) },
    });
    return { ...res, payload };
  }

  /** The fields of a call that started at `start`, talked for 76.5 s and was hung up by the customer. */
  endedFields(start: number): Record<string, unknown> {
    return {
      call_status: 'ended',
      start_timestamp: start,
      end_timestamp: start + 76_522,
      duration_ms: 76_522,
      disconnection_reason: 'user_hangup',
    };
  }

  /** A connected call: started → ended → analyzed. */
  async connectedCall(callId: string, analysis: Record<string, unknown>): Promise<void> {
    const start = this.now() - 80_000;
    await this.send(callId, 'call_started', { call_status: 'ongoing', start_timestamp: start });
    const ended = this.endedFields(start);
    await this.send(callId, 'call_ended', ended);
    await this.send(callId, 'call_analyzed', { ...ended, call_analysis: analysis });
  }

  /** A call nobody picked up: no call_started, then call_ended and call_analyzed with not_connected. */
  async unansweredCall(callId: string, reason = 'dial_no_answer'): Promise<void> {
    const t = this.now();
    const patch = {
      call_status: 'not_connected',
      disconnection_reason: reason,
      start_timestamp: t,
      end_timestamp: t,
      duration_ms: 0,
      transcript: '',
      transcript_object: [],
      recording_url: null,
    };
    await this.send(callId, 'call_ended', patch);
    await this.send(callId, 'call_analyzed', {
      ...patch,
      call_analysis: {
        call_summary: 'The call did not connect.',
        in_voicemail: false,
        user_sentiment: 'Unknown',
        call_successful: false,
        custom_analysis_data: {},
      },
    });
  }
}
