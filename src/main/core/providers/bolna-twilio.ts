import { createHash } from 'node:crypto';
import type { CallResult, CallStatus } from '../../../shared/domain';
import type { Clock, TimerHandle } from '../platform';
import { parseJson, providerRequest, trimBase, type ProviderHttpOptions } from './http';
import { pickOutcomeHint, readForm, readJson, toCallId, toNumber, toRecord, toText, withQuery } from './normalize';
import { escapeXml, formParams, TwilioClient, verifyTwilioSignature, type TwilioCall } from './twilio';
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
// GET Calls/{sid}.json, and take the outcome from the agent's extraction webhook (a JSON POST of the extracted
// fields, without any call id).

export interface BolnaTwilioConfig {
  agentServerUrl: string;
  telephonyUrl: string;
  voiceAgentId?: string;
  fromNumber?: string;
  twilio: { accountSid: string; authToken: string; baseUrl?: string };
  /** Our hook URL for this provider (the <Dial action> of transfers, the agent's extraction webhook). */
  hookUrl: () => string;
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
const AWAIT_EXTRACTION_MS = 2 * 3600_000;
/** Polling stops after this long even if Twilio still says the call is live. */
const MAX_POLL_MS = 4 * 3600_000;
const TWILIO_TERMINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

interface Placed {
  callId: number;
  to: string;
  placedAt: number;
  extracted?: boolean;
}

export class BolnaTwilioProvider implements VoiceProvider {
  readonly name = 'bolna_twilio' as const;
  readonly label = 'Bolna (self-hosted) + Twilio';
  static readonly CAPABILITIES: ProviderCapabilities = {
    cancel: true,
    transfer: 'api',
    reconcile: true,
    liveTranscript: false,
  };
  readonly capabilities = BolnaTwilioProvider.CAPABILITIES;
  readonly twilio: TwilioClient;
  private readonly http: ProviderHttpOptions;
  /**
   * Calls placed by this client whose extraction has not arrived yet (CallSid → attempt). The extraction body
   * names no call, so it is matched here: by a call sid or phone number in the body, else by being the only one
   * waiting. Kept in memory: after a restart an unmatched extraction stays in the inbox as an unknown call.
   */
  private readonly awaiting = new Map<string, Placed>();
  /** Extraction body digest → the call it was matched to. */
  private readonly extracted = new Map<string, string>();
  private readonly polls = new Map<string, TimerHandle>();

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

  /** POST /agent on the agent server with the JSON definition; our hook becomes its extraction webhook. */
  async createAgent(definition: Record<string, unknown>): Promise<string> {
    const body = withExtractionWebhook(definition, withQuery(this.config.hookUrl(), { op: 'extraction' }));
    const res = await providerRequest(this.http, {
      method: 'POST',
      url: `${trimBase(this.config.agentServerUrl)}/agent`,
      body,
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
    const voiceAgentId = req.voiceAgentId ?? this.config.voiceAgentId;
    if (!voiceAgentId)
      throw new ProviderError(
        'bolna_twilio',
        'invalid_request',
        'No agent id: create the agent in Settings → Providers → Self-hosted Bolna, or set one on the campaign.',
      );
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
    this.remember(call.sid, { callId: req.callId, to: req.to, placedAt: requestedAt });
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
      if (call && TWILIO_TERMINAL.has(call.status)) return;
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
      const candidates = calls
        .filter((c) => c.to === to && c.direction === 'outbound-api' && !this.awaiting.has(c.sid))
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

  private remember(sid: string, placed: Placed): void {
    const now = this.config.now();
    for (const [key, value] of this.awaiting) if (now - value.placedAt > AWAIT_EXTRACTION_MS) this.awaiting.delete(key);
    for (const [digest, sid] of this.extracted) if (!this.awaiting.has(sid)) this.extracted.delete(digest);
    this.awaiting.set(sid, placed);
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
      callId: this.awaiting.get(providerCallId)?.callId ?? null,
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
    if (!isForm(req)) return; // the extraction webhook: the self-hosted server cannot sign; the path secret authenticates
    const ok = verifyTwilioSignature(
      this.config.twilio.authToken,
      req.url,
      formParams(req.rawBody),
      req.headers['x-twilio-signature'],
    );
    if (!ok)
      throw new WebhookRejected(
        'bad_signature',
        'Twilio callback with a missing or wrong X-Twilio-Signature (check the Auth Token and public URL)',
      );
  }

  parseWebhook(req: WebhookRequest): NormalizedEvent[] {
    if (isForm(req)) {
      const form = readForm(req.rawBody);
      if (form.DialCallStatus !== undefined) return [dialResult(form)];
      return [this.statusCallback(form, req.query)];
    }
    return [this.extraction(readJson(req.rawBody, 'Self-hosted Bolna'))];
  }

  private statusCallback(form: Record<string, string>, query: URLSearchParams): NormalizedEvent {
    const sid = form.CallSid;
    const status = form.CallStatus;
    if (!sid || !status) throw new WebhookRejected('malformed', 'Twilio callback without CallSid or CallStatus');
    const at = Date.parse(form.Timestamp ?? '');
    const event: NormalizedEvent = {
      provider: 'bolna_twilio',
      providerCallId: sid,
      callId: toCallId(query.get('call_id')) ?? this.awaiting.get(sid)?.callId ?? null,
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

  private extraction(body: Record<string, unknown>): NormalizedEvent {
    const digest = createHash('sha1').update(JSON.stringify(body)).digest('hex');
    // The server parses stored deliveries again (recovery, unknown-call retries): the same body keeps its match.
    const sid =
      toText(body.call_sid) ??
      toText(body.CallSid) ??
      toText(body.callSid) ??
      this.extracted.get(digest) ??
      this.matchWaiting(body);
    const placed = sid ? this.awaiting.get(sid) : undefined;
    if (sid && placed) {
      placed.extracted = true;
      this.extracted.set(digest, sid);
    }
    const event: NormalizedEvent = {
      provider: 'bolna_twilio',
      providerCallId: sid ?? null,
      callId: placed?.callId ?? null,
      dedupeKey: `extraction:${sid ?? 'unmatched'}:${digest}`,
      kind: 'extraction',
      extracted: body,
    };
    const hint = pickOutcomeHint(body);
    if (hint) event.outcomeHint = hint;
    const summary = toText(body.summary);
    if (summary) event.summary = summary;
    return event;
  }

  private matchWaiting(body: Record<string, unknown>): string | undefined {
    const phone = toText(body.recipient_phone_number) ?? toText(body.phone_number) ?? toText(body.to);
    const entries = [...this.awaiting.entries()].filter(([, p]) => !p.extracted);
    if (phone) return entries.find(([, p]) => p.to === phone)?.[0];
    return entries.length === 1 ? entries[0][0] : undefined;
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

/** Points every webhook follow-up task of an agent definition at our hook (the definition is the user's JSON). */
function withExtractionWebhook(definition: Record<string, unknown>, url: string): Record<string, unknown> {
  const copy = structuredClone(definition);
  const config = toRecord(copy.agent_config);
  const tasks = Array.isArray(config?.tasks) ? config.tasks : [];
  for (const task of tasks) {
    const t = toRecord(task);
    if (t?.task_type !== 'webhook') continue;
    const tools = toRecord(t.tools_config) ?? {};
    const api = toRecord(tools.api_tools) ?? {};
    t.tools_config = { ...tools, api_tools: { ...api, webhookURL: url } };
  }
  return copy;
}
