import { createHash, randomBytes } from 'node:crypto';
import type { CallResult, CallStatus } from '@shared/domain';
import type { Clock, TimerHandle } from '../platform';
import { parseJson, providerRequest, trimBase, type ProviderHttpOptions } from './http';
import { pickOutcomeHint, readForm, readJson, toCallId, toNumber, toRecord, toText, withQuery } from './normalize';
import { escapeXml, TwilioClient, verifyTwilioRequest, type TwilioCall } from './twilio';
import {
  ProviderError,
  WebhookRejected,
  type NormalizedEvent,
  type PlaceCallRequest,
  type PlaceCallResult,
  type ProviderCapabilities,
  type VoiceProvider,
  type WebhookRequest,
} from './types';

// Self-hosted Bolna (github bolna-ai/bolna local_setup) dialling through Twilio, as the COD confirmation flow runs it
// (docs/providers.md, Self-hosted Bolna + Twilio).
// Its telephony server answers POST /call with a bare "done": no id, no status webhook. So we find the call in
// Twilio (list by To number and time), attach our StatusCallback to it with a call update, reconcile with
// GET Calls/{sid}.json, and take the outcome from the agent's extraction webhook: a JSON POST of the bare extracted
// fields, without any call id, to a URL fixed in the agent's definition. The only certain key is that URL, so each
// call gets its own copy of the voice agent whose URL carries a random per-call token, stored in SQLite first.

/** The per-call agent copies and their tokens (SQLite, so matching survives restarts). */
export interface CallAgentStore {
  create(token: string, callId: number, at: number): void;
  setAgent(token: string, agentId: string): void;
  byToken(token: string): { callId: number; agentId: string | null } | undefined;
  /** Copies whose call has ended. */
  retirable(limit: number): { token: string; agentId: string | null }[];
  markDeleted(token: string, at: number): void;
}

export interface BolnaTwilioConfig {
  agentServerUrl: string;
  telephonyUrl: string;
  voiceAgentId?: string;
  fromNumber?: string;
  twilio: { accountSid: string; authToken: string; baseUrl?: string };
  /** Our hook URL for this provider (the <Dial action> of transfers, the agent's extraction webhook). */
  hookUrl: () => string;
  /** The voice agent's JSON definition as given to createAgent; every call gets a copy of it. */
  agentDefinition: () => Record<string, unknown> | null;
  callAgents: CallAgentStore;
  timeoutMs?: number;
  now: () => number;
  /**
   * Where polled call states go (the call lifecycle). A StatusCallback attached by call update only reports the
   * end of the call, so ringing and answered are learnt by polling GET Calls/{sid}.json every `pollMs`.
   */
  poll?: { clock: Clock; onEvent: (event: NormalizedEvent) => void; everyMs?: number };
  /** How long to look for the Twilio call after the self-hosted server said "done". */
  findAttempts?: number;
  findDelayMs?: number;
}

const STATUS: Record<string, CallStatus> = {
  queued: 'initiated',
  initiated: 'initiated',
  ringing: 'ringing',
  'in-progress': 'in_progress',
};
const TERMINAL: Record<string, CallResult> = {
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
};
/** Calls created up to this long before our request still count as ours (Twilio dates have 1 s resolution). */
const CLOCK_SKEW_MS = 60_000;
const TOKEN_RE = /^[0-9a-f]{32}$/;
/** Polling stops after this long even if Twilio still says the call is live. */
const MAX_POLL_MS = 4 * 3600_000;
const TWILIO_TERMINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export class BolnaTwilioProvider implements VoiceProvider {
  readonly name = 'bolna_twilio' as const;
  readonly label = 'Bolna (self-hosted) + Twilio';
  static readonly CAPABILITIES: ProviderCapabilities = {
    cancel: true,
    transfer: 'api',
    reconcile: true,
    liveTranscript: false,
    // The open-source telephony server reads only agent_id and the number: the language is the agent definition's.
    callLanguage: 'none',
  };
  readonly capabilities = BolnaTwilioProvider.CAPABILITIES;
  readonly twilio: TwilioClient;
  private readonly http: ProviderHttpOptions;
  /** Twilio calls already taken by an attempt of this run (a new call to the same number must be another one). */
  private readonly claimed = new Set<string>();
  private readonly polls = new Map<string, TimerHandle>();
  private retiring: Promise<void> | null = null;

  constructor(private readonly config: BolnaTwilioConfig) {
    this.http = {
      provider: 'bolna_twilio',
      label: 'Self-hosted Bolna',
      timeoutMs: config.timeoutMs ?? 15_000,
      now: config.now,
    };
    this.twilio = new TwilioClient({
      ...config.twilio,
      timeoutMs: config.timeoutMs,
      now: config.now,
      provider: 'bolna_twilio',
    });
  }

  /**
   * POST /agent on the agent server with the JSON definition (the server validates it). That agent is the
   * template: calls are placed with per-call copies of the definition, so the caller keeps the definition.
   */
  async createAgent(definition: Record<string, unknown>): Promise<string> {
    if (webhookTasks(definition).length === 0)
      throw new ProviderError(
        'bolna_twilio',
        'invalid_request',
        'definition: the agent has no webhook task (task_type "webhook"), so it would never send its extraction; add one to agent_config.tasks.',
      );
    // Without a token: an extraction from the template itself names no call and goes to the review list.
    return this.postAgent(withExtractionWebhook(definition, withQuery(this.config.hookUrl(), { op: 'extraction' })));
  }

  private async postAgent(definition: Record<string, unknown>): Promise<string> {
    const res = await providerRequest(this.http, {
      method: 'POST',
      url: `${trimBase(this.config.agentServerUrl)}/agent`,
      body: definition,
    });
    const id = toText(toRecord(parseJson(this.http, res))?.agent_id);
    if (!id)
      throw new ProviderError(
        'bolna_twilio',
        'unknown',
        `The agent server answered without agent_id: ${res.text.slice(0, 120)}`,
      );
    return id;
  }

  async placeCall(req: PlaceCallRequest): Promise<PlaceCallResult> {
    const definition = this.config.agentDefinition();
    if (!definition)
      throw new ProviderError(
        'bolna_twilio',
        'invalid_request',
        'No agent definition: create the agent from its JSON definition in Settings → Providers → Self-hosted Bolna (each call is placed with its own copy of it, which is how its extraction finds the call).',
      );
    await this.retireEndedAgents();
    // The token is stored before the copy exists, so no extraction can arrive for a token we do not know.
    const token = randomBytes(16).toString('hex');
    this.config.callAgents.create(token, req.callId, this.config.now());
    const copy = withExtractionWebhook(
      withVariables(definition, { customer_name: req.contactName, ...req.variables }),
      withQuery(req.webhookUrl, { op: 'extraction', token }),
    );
    const voiceAgentId = await this.postAgent(copy);
    this.config.callAgents.setAgent(token, voiceAgentId);
    const requestedAt = this.config.now();
    // Only these two keys are read by the server; caller id comes from its TWILIO_PHONE_NUMBER.
    const res = await providerRequest(this.http, {
      method: 'POST',
      url: `${trimBase(this.config.telephonyUrl)}/call`,
      body: { agent_id: voiceAgentId, recipient_phone_number: req.to },
    });
    if (res.text.replace(/"/g, '').trim() !== 'done') {
      throw new ProviderError(
        'bolna_twilio',
        'unknown',
        `The self-hosted telephony server answered "${res.text.slice(0, 80)}" instead of "done".`,
      );
    }
    // From here on the call exists: no error may reach the dialer as "not placed", or it would ring twice.
    // Not found (or Twilio unreachable): the attempt stays open and reconciliation settles it.
    const call = await this.findTwilioCall(req.to, requestedAt);
    if (!call) return { providerCallId: null };
    this.claimed.add(call.sid);
    try {
      await this.twilio.updateCall(call.sid, {
        StatusCallback: withQuery(req.webhookUrl, { call_id: String(req.callId) }),
        StatusCallbackMethod: 'POST',
      });
    } catch {
      // Already ended, or Twilio busy: polling and getCall still learn how the call went.
    }
    this.watch(call.sid, req.callId, requestedAt);
    return { providerCallId: call.sid };
  }

  /**
   * Deletes the agent copies of calls that have ended (the server read the copy when the call connected, so the
   * extraction still goes out). Best effort: what fails now is tried at the next call.
   */
  retireEndedAgents(): Promise<void> {
    if (!this.retiring)
      this.retiring = this.retire().finally(() => {
        this.retiring = null;
      });
    return this.retiring;
  }

  private async retire(): Promise<void> {
    try {
      for (const row of this.config.callAgents.retirable(20)) {
        if (!row.agentId) continue;
        await providerRequest(this.http, {
          method: 'DELETE',
          url: `${trimBase(this.config.agentServerUrl)}/agent/${encodeURIComponent(row.agentId)}`,
          accept: [404],
        });
        this.config.callAgents.markDeleted(row.token, this.config.now());
      }
    } catch {
      // The agent server is busy or down; the copies wait for the next try.
    }
  }

  /** Follows a call by polling until Twilio reports it ended; each new state becomes one event. */
  private watch(sid: string, callId: number, placedAt: number): void {
    const poll = this.config.poll;
    if (!poll) return;
    let last: string | null = null;
    const schedule = () => {
      const timer = poll.clock.setTimeout(() => void check(), poll.everyMs ?? 5000);
      timer.unref?.();
      this.polls.set(sid, timer);
    };
    const check = async () => {
      this.polls.delete(sid);
      let call: TwilioCall | null = null;
      try {
        call = await this.twilio.fetchCall(sid);
      } catch {
        // Transient (network, 5xx, 429): the next poll asks again; the StatusCallback still reports the end.
      }
      if (call && call.status !== last) {
        last = call.status;
        try {
          poll.onEvent({
            ...this.eventFrom(call),
            callId,
            kind: `poll:${call.status}`,
            dedupeKey: `${sid}:poll:${call.status}`,
          });
        } catch {
          return; // the store is closing; reconciliation picks the call up after the next start
        }
      }
      if (call && TWILIO_TERMINAL.has(call.status)) {
        this.claimed.delete(sid);
        void this.retireEndedAgents();
        return;
      }
      if (call === null && last !== null) return; // Twilio no longer knows it
      if (this.config.now() - placedAt > MAX_POLL_MS) return;
      schedule();
    };
    schedule();
  }

  /** Stops polling (the core is closing or the settings changed). */
  dispose(): void {
    for (const timer of this.polls.values()) this.config.poll?.clock.clearTimeout(timer);
    this.polls.clear();
    this.claimed.clear();
  }

  private async findTwilioCall(to: string, requestedAt: number): Promise<TwilioCall | null> {
    const attempts = this.config.findAttempts ?? 8;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, this.config.findDelayMs ?? 1500));
      let calls: TwilioCall[];
      try {
        calls = await this.twilio.listCalls({ to, startedOnOrAfter: requestedAt - CLOCK_SKEW_MS });
      } catch {
        continue; // a busy or unreachable Twilio counts as "not listed yet"
      }
      const from = this.config.fromNumber;
      const candidates = calls
        .filter((c) => c.to === to && c.direction === 'outbound-api' && !this.claimed.has(c.sid))
        .filter((c) => !from || c.from === from)
        .filter((c) => c.dateCreated === null || c.dateCreated >= requestedAt - CLOCK_SKEW_MS)
        .sort(
          (a, b) =>
            Math.abs((a.dateCreated ?? requestedAt) - requestedAt) -
            Math.abs((b.dateCreated ?? requestedAt) - requestedAt),
        );
      if (candidates[0]) return candidates[0];
    }
    return null;
  }

  async cancelCall(providerCallId: string): Promise<void> {
    const call = await this.twilio.fetchCall(providerCallId);
    if (!call) return;
    // canceled only works before the call is answered; completed hangs up a live one.
    if (call.status === 'queued' || call.status === 'ringing')
      await this.twilio.updateCall(providerCallId, { Status: 'canceled' });
    else if (call.status === 'in-progress') await this.twilio.updateCall(providerCallId, { Status: 'completed' });
  }

  async transferCall(providerCallId: string, to: string): Promise<void> {
    const callerId = this.config.fromNumber ? ` callerId="${escapeXml(this.config.fromNumber)}"` : '';
    const action = escapeXml(withQuery(this.config.hookUrl(), { op: 'dial_result' }));
    const twiml =
      '<Response><Say>Connecting you to an agent.</Say>' +
      `<Dial${callerId} timeout="20" action="${action}"><Number>${escapeXml(to)}</Number></Dial></Response>`;
    await this.twilio.updateCall(providerCallId, { Twiml: twiml });
  }

  async getCall(providerCallId: string): Promise<Omit<NormalizedEvent, 'dedupeKey'> | null> {
    const call = await this.twilio.fetchCall(providerCallId);
    return call ? this.eventFrom(call) : null;
  }

  private eventFrom(call: TwilioCall): Omit<NormalizedEvent, 'dedupeKey'> {
    const providerCallId = call.sid;
    const event: Omit<NormalizedEvent, 'dedupeKey'> = {
      provider: 'bolna_twilio',
      providerCallId,
      kind: `twilio:${call.status}`,
      ...statusFields(call.status, call.duration ?? 0, call.answeredBy ?? undefined),
    };
    if (call.startTime !== null && event.status !== 'initiated' && event.status !== 'ringing')
      event.answeredAt = call.startTime;
    if (call.endTime !== null) event.endedAt = call.endTime;
    if (call.price !== null) event.cost = Math.abs(call.price);
    return event;
  }

  verifyWebhook(req: WebhookRequest): void {
    // The extraction route: the self-hosted server cannot sign; the path secret and the per-call token authenticate.
    if (isExtraction(req)) return;
    const ok = verifyTwilioRequest(
      this.config.twilio.authToken,
      req.url,
      req.headers['content-type'],
      req.rawBody,
      req.headers['x-twilio-signature'],
    );
    if (!ok)
      throw new WebhookRejected(
        'bad_signature',
        'Twilio request with a missing or wrong X-Twilio-Signature (check the Auth Token and public URL)',
      );
  }

  parseWebhook(req: WebhookRequest): NormalizedEvent[] {
    if (isExtraction(req)) return [this.extraction(req)];
    const fields = isForm(req) ? readForm(req.rawBody) : stringFields(readJson(req.rawBody, 'Twilio'));
    if (fields.DialCallStatus !== undefined) return [dialResult(fields)];
    return [this.statusCallback(fields, req.query)];
  }

  private statusCallback(form: Record<string, string>, query: URLSearchParams): NormalizedEvent {
    const sid = form.CallSid;
    const status = form.CallStatus;
    if (!sid || !status) throw new WebhookRejected('malformed', 'Twilio callback without CallSid or CallStatus');
    const at = Date.parse(form.Timestamp ?? '');
    const event: NormalizedEvent = {
      provider: 'bolna_twilio',
      providerCallId: sid,
      callId: toCallId(query.get('call_id')),
      // Callbacks can arrive out of order and twice; SequenceNumber orders and identifies them.
      dedupeKey: `${sid}:${form.SequenceNumber ?? status}:${status}`,
      kind: `twilio:${status}`,
      occurredAt: Number.isNaN(at) ? undefined : at,
      ...statusFields(status, toNumber(form.CallDuration) ?? 0, form.AnsweredBy),
    };
    if (event.status === 'in_progress') event.answeredAt = event.occurredAt;
    if (event.status === 'ended') event.endedAt = event.occurredAt;
    if (form.SipResponseCode && event.result && event.result !== 'completed')
      event.hangupReason = `SIP ${form.SipResponseCode}`;
    if (form.RecordingUrl) event.recordingUrl = form.RecordingUrl;
    return event;
  }

  /**
   * The agent's extraction, matched only by the token in the URL it was posted to. A body whose URL carries no
   * known token goes to the review list: two customers can give identical answers, so the body proves nothing.
   */
  private extraction(req: WebhookRequest): NormalizedEvent {
    const body = readJson(req.rawBody, 'Self-hosted Bolna');
    const digest = createHash('sha1').update(req.rawBody).digest('hex');
    const token = req.query.get('token') ?? '';
    const placed = TOKEN_RE.test(token) ? this.config.callAgents.byToken(token) : undefined;
    const event: NormalizedEvent = {
      provider: 'bolna_twilio',
      providerCallId: null,
      callId: placed?.callId ?? null,
      dedupeKey: placed ? `extraction:${token}:${digest}` : `extraction:unmatched:${digest}`,
      kind: 'extraction',
      extracted: body,
    };
    if (!placed)
      event.unmatched = token
        ? `its URL carries a call token (…${token.slice(-4)}) that belongs to no call placed by this console`
        : 'its URL carries no call token (it came from an agent the console did not create for one call)';
    const hint = pickOutcomeHint(body);
    if (hint) event.outcomeHint = hint;
    const summary = toText(body.summary);
    if (summary) event.summary = summary;
    return event;
  }

  async testConnection(): Promise<{ ok: boolean; message: string }> {
    const account = await this.twilio.fetchAccount();
    const voiceAgentId = this.config.voiceAgentId;
    if (voiceAgentId) {
      await providerRequest(this.http, {
        method: 'GET',
        url: `${trimBase(this.config.agentServerUrl)}/agent/${encodeURIComponent(voiceAgentId)}`,
      });
    }
    return {
      ok: true,
      message: `Twilio accepted the credentials${account.friendlyName ? ` (${account.friendlyName})` : ''}${voiceAgentId ? `; the agent server knows agent ${voiceAgentId}` : ''}.`,
    };
  }
}

function isForm(req: WebhookRequest): boolean {
  return (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
}

/** The extraction has its own route (`?op=extraction&token=…`), told apart by URL, never by content type. */
function isExtraction(req: WebhookRequest): boolean {
  return req.method === 'POST' && req.query.get('op') === 'extraction';
}

/** A signed JSON body read like the form Twilio usually sends (values as text). */
function stringFields(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body))
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  return out;
}

function statusFields(status: string, durationS: number, answeredBy: string | undefined): Partial<NormalizedEvent> {
  const live = STATUS[status];
  if (live) return { status: live };
  if (status === 'completed') {
    if (answeredBy?.startsWith('machine') || answeredBy === 'fax')
      return { status: 'ended', result: 'voicemail', conversation: false, durationS };
    return {
      status: 'ended',
      result: durationS > 0 ? 'completed' : 'no_answer',
      conversation: durationS > 0,
      durationS,
    };
  }
  return { status: 'ended', result: TERMINAL[status] ?? 'failed', conversation: false, durationS: 0 };
}

/** The <Dial action> request after a transfer: DialCallStatus=completed means the person took the call. */
function dialResult(form: Record<string, string>): NormalizedEvent {
  const sid = form.CallSid;
  if (!sid) throw new WebhookRejected('malformed', 'Twilio dial result without CallSid');
  const ok = form.DialCallStatus === 'completed';
  return {
    provider: 'bolna_twilio',
    providerCallId: sid,
    dedupeKey: `${sid}:dial:${form.DialCallSid ?? ''}:${form.DialCallStatus}`,
    kind: `dial:${form.DialCallStatus}`,
    transfer: { state: ok ? 'ended' : 'cancelled', destination: form.To || undefined },
    ...(ok
      ? {
          status: 'ended' as const,
          result: 'transferred' as const,
          conversation: true,
          durationS: toNumber(form.DialCallDuration),
        }
      : {}),
  };
}

function webhookTasks(definition: Record<string, unknown>): Record<string, unknown>[] {
  const config = toRecord(definition.agent_config);
  const tasks = Array.isArray(config?.tasks) ? config.tasks : [];
  return tasks.map(toRecord).filter((t): t is Record<string, unknown> => t?.task_type === 'webhook');
}

/**
 * Points every webhook follow-up task of an agent definition (the user's JSON) at `url`. The server keeps only
 * `tools_config.api_tools.tools_params.webhook.url` (its model drops a top-level `webhookURL`), so that is where
 * the URL goes; a `webhookURL` left in the definition is removed so nothing suggests it is used.
 */
function withExtractionWebhook(definition: Record<string, unknown>, url: string): Record<string, unknown> {
  const copy = structuredClone(definition);
  for (const task of webhookTasks(copy)) {
    const tools = toRecord(task.tools_config) ?? {};
    const { webhookURL: _dropped, ...api } = toRecord(tools.api_tools) ?? {};
    const params = toRecord(api.tools_params) ?? {};
    const webhook = toRecord(params.webhook) ?? {};
    task.tools_config = {
      ...tools,
      api_tools: { ...api, tools_params: { ...params, webhook: { method: 'POST', ...webhook, url } } },
    };
  }
  return copy;
}

/**
 * Fills `{name}` placeholders of the agent's prompts with the contact's variables: the self-hosted server never
 * passes call context to the agent, so a per-call copy is the only way an order id reaches the conversation.
 * Placeholders that are not variables stay as they are.
 */
function withVariables(
  definition: Record<string, unknown>,
  variables: Record<string, string>,
): Record<string, unknown> {
  const copy = structuredClone(definition);
  const prompts = toRecord(copy.agent_prompts);
  if (!prompts) return copy;
  const fill = (text: string) =>
    text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) =>
      Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : whole,
    );
  for (const task of Object.values(prompts)) {
    const t = toRecord(task);
    if (!t) continue;
    for (const [k, v] of Object.entries(t)) if (typeof v === 'string') t[k] = fill(v);
  }
  return copy;
}
