import type { CallResult } from '@shared/domain';
import { languageTag } from '@shared/languages';
import { basicAuth, parseJson, providerRequest, trimBase, type ProviderHttpOptions } from './http';
import type { Clock, TimerHandle } from '../platform';
import { readBody, toCallId, toNumber, toRecord, toText, withQuery, type HumanAgentDirectory } from './normalize';
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

// Exotel Voice v1 (docs/providers.md, Exotel). One hook URL serves three uses, told apart by method and `op`:
//   POST                 StatusCallback: JSON when we ask for it, terminal + answered events; or the basic callback
//                        (CallSid, Status, RecordingUrl, DateUpdated) Exotel sends when no events are subscribed,
//                        multipart/form-data by default, urlencoded too
//   GET                  Passthru applet: answer fast with plain OK
//   GET ?op=dial_whom    Connect applet "Dial whom" URL: answer with the number of an available human agent
// Exotel signs nothing; the secret in the hook path is the authentication.

export interface ExotelConfig {
  apiKey: string;
  apiToken: string;
  accountSid: string;
  callerId?: string;
  flowUrl?: string;
  region?: 'sg' | 'in';
  baseUrl?: string;
  timeoutMs?: number;
  now?: () => number;
  humanAgents?: HumanAgentDirectory;
  /**
   * Where a basic callback's `completed` goes once the call details confirm it (the call lifecycle). That callback
   * carries no duration, so it cannot tell a conversation from a call nobody answered; GET Calls/{sid}.json can,
   * once Exotel has settled the duration. Without it a basic `completed` waits for reconciliation.
   */
  confirm?: { clock: Clock; onEvent: (event: NormalizedEvent) => void; delaysMs?: number[] };
}

/** When the call details are asked again while their duration is not settled yet (about 5 minutes after the call). */
const CONFIRM_DELAYS_MS = [2_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000];

export const EXOTEL_HOSTS = { sg: 'https://api.exotel.com', in: 'https://api.in.exotel.com' } as const;

const TERMINAL: Record<string, CallResult> = {
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
};

export class ExotelProvider implements VoiceProvider {
  readonly name = 'exotel' as const;
  readonly label = 'Exotel';
  // No documented cancel or live redirect in v1; transfer happens in the flow's Connect applet.
  static readonly CAPABILITIES: ProviderCapabilities = {
    cancel: false,
    transfer: 'flow',
    reconcile: true,
    liveTranscript: false,
    callLanguage: 'variable',
  };
  readonly capabilities = ExotelProvider.CAPABILITIES;
  private readonly base: string;
  private readonly http: ProviderHttpOptions;
  /** Basic `completed` callbacks waiting for the call details, by CallSid. */
  private readonly confirming = new Map<string, TimerHandle>();

  constructor(private readonly config: ExotelConfig) {
    this.base = `${trimBase(config.baseUrl ?? EXOTEL_HOSTS[config.region ?? 'sg'])}/v1/Accounts/${encodeURIComponent(config.accountSid)}`;
    this.http = { provider: 'exotel', label: 'Exotel', timeoutMs: config.timeoutMs ?? 15_000, now: config.now };
  }

  private headers(): Record<string, string> {
    return { authorization: basicAuth(this.config.apiKey, this.config.apiToken) };
  }

  async placeCall(req: PlaceCallRequest): Promise<PlaceCallResult> {
    const callerId = req.from ?? this.config.callerId;
    if (!callerId)
      throw new ProviderError(
        'exotel',
        'invalid_request',
        'No Exotel caller id (ExoPhone): set it in Settings → Providers → Exotel.',
      );
    const flowUrl = req.voiceAgentId && /^https?:\/\//.test(req.voiceAgentId) ? req.voiceAgentId : this.config.flowUrl;
    if (!flowUrl)
      throw new ProviderError(
        'exotel',
        'invalid_request',
        'No Exotel flow URL: set it in Settings → Providers → Exotel.',
      );
    // Number-to-flow mode: the customer (From) is dialled first and connected to the flow (voice bot → Connect).
    const form = new URLSearchParams({
      From: req.to,
      CallerId: callerId,
      Url: flowUrl,
      CallType: 'trans',
      CustomField: exotelCustomField(req.callId, req.language ?? null),
      // call_id too, because CustomField only comes back with the terminal event.
      StatusCallback: withQuery(req.webhookUrl, { call_id: String(req.callId) }),
      StatusCallbackContentType: 'application/json',
      'StatusCallbackEvents[0]': 'terminal',
      'StatusCallbackEvents[1]': 'answered',
    });
    const res = await providerRequest(this.http, {
      method: 'POST',
      url: `${this.base}/Calls/connect.json`,
      headers: this.headers(),
      body: form,
    });
    const sid = toText(toRecord(toRecord(parseJson(this.http, res))?.Call)?.Sid);
    if (!sid)
      throw new ProviderError(
        'exotel',
        'unknown',
        `Exotel accepted the call but returned no Call.Sid: ${res.text.slice(0, 120)}`,
      );
    return { providerCallId: sid };
  }

  async cancelCall(_providerCallId: string): Promise<void> {
    throw new ProviderError(
      'exotel',
      'invalid_request',
      'Exotel offers no API to cancel a placed call; it ends when the customer or the flow hangs up.',
    );
  }

  async getCall(providerCallId: string): Promise<Omit<NormalizedEvent, 'dedupeKey'> | null> {
    const res = await providerRequest(this.http, {
      method: 'GET',
      url: `${this.base}/Calls/${encodeURIComponent(providerCallId)}.json?details=true`,
      headers: this.headers(),
      accept: [404],
    });
    if (res.status === 404) return null;
    const body = toRecord(parseJson(this.http, res));
    const call = toRecord(body?.Call);
    if (!call) return null;
    const details = toRecord(call.Details) ?? toRecord(body?.Details) ?? {};
    const status = toText(call.Status) ?? '';
    const event: Omit<NormalizedEvent, 'dedupeKey'> = { provider: 'exotel', providerCallId, kind: `details:${status}` };
    const talked = toNumber(details.ConversationDuration) ?? toNumber(call.Duration);
    if (status === 'queued') event.status = 'initiated';
    else if (status === 'ringing') event.status = 'ringing';
    else if (status === 'in-progress') event.status = 'in_progress';
    // Exotel settles the duration minutes after the call: until then a completed call's result is not known.
    else if (status === 'completed' && talked === undefined) event.kind = 'details:completed (duration not settled)';
    else Object.assign(event, terminalFields(status, talked ?? 0));
    const recording = toText(call.RecordingUrl);
    if (recording) event.recordingUrl = recording;
    const price = toNumber(call.Price);
    if (price !== undefined) event.cost = price;
    return event;
  }

  verifyWebhook(_req: WebhookRequest): void {
    // Exotel documents no signature; the path secret (checked by the server) authenticates.
  }

  parseWebhook(req: WebhookRequest): NormalizedEvent[] {
    if (req.method === 'GET') return this.parseApplet(req);
    const body = readBody(req.rawBody, req.headers['content-type'] ?? '', 'Exotel');
    const sid = toText(body.CallSid);
    const status = toText(body.Status);
    if (!sid || !status) throw new WebhookRejected('malformed', 'Exotel status callback without CallSid or Status');
    const eventType = toText(body.EventType);
    const callId = customFieldCallId(body.CustomField) ?? toCallId(req.query.get('call_id'));
    const occurredAt = exotelTime(body.DateUpdated);
    const talked = toNumber(body.ConversationDuration);
    if (eventType === undefined && status === 'completed' && talked === undefined) {
      // The basic callback: "completed" says the call ended, not whether anybody talked. Recorded now (with its
      // recording), made a result only once the call details confirm it; a fuller callback may come first.
      this.confirmLater(sid, callId);
      const event: NormalizedEvent = {
        provider: 'exotel',
        providerCallId: sid,
        callId,
        dedupeKey: `${sid}:basic:completed`,
        kind: 'basic:completed',
        occurredAt,
      };
      const recording = toText(body.RecordingUrl);
      if (recording) event.recordingUrl = recording;
      return [event];
    }
    const type = eventType ?? 'terminal';
    const event: NormalizedEvent = {
      provider: 'exotel',
      providerCallId: sid,
      callId,
      dedupeKey: `${sid}:${type}:${status}`,
      kind: `${eventType ?? 'basic'}:${status}`,
      occurredAt,
    };
    if (type === 'answered') {
      event.status = 'in_progress';
      event.answeredAt = exotelTime(body.StartTime) ?? event.occurredAt;
    } else {
      Object.assign(event, terminalFields(status, talked ?? 0));
      event.endedAt = exotelTime(body.EndTime) ?? event.occurredAt;
      event.answeredAt = event.conversation ? exotelTime(body.StartTime) : undefined;
      // A second leg that talked is the Connect applet's human, so the call was transferred; Legs only comes in JSON.
      const human = Array.isArray(body.Legs) ? toRecord(body.Legs[1]) : undefined;
      if (status === 'completed' && (toNumber(human?.OnCallDuration) ?? 0) > 0) {
        event.result = 'transferred';
        event.transfer = { state: 'ended' };
      }
    }
    const recording = toText(body.RecordingUrl);
    if (recording) event.recordingUrl = recording;
    return [event];
  }

  /**
   * Asks the call details until Exotel has settled the duration, then hands the result to the lifecycle like any
   * event. Once per call at a time; parsing the stored callback again (after a restart) asks again.
   */
  private confirmLater(sid: string, callId: number | null): void {
    const confirm = this.config.confirm;
    if (!confirm || this.confirming.has(sid)) return;
    const delays = confirm.delaysMs ?? CONFIRM_DELAYS_MS;
    const attempt = (i: number) => {
      if (i >= delays.length) {
        this.confirming.delete(sid); // still not settled: reconciliation and the stale sweep take over
        return;
      }
      const timer = confirm.clock.setTimeout(() => void check(i), delays[i]);
      timer.unref?.();
      this.confirming.set(sid, timer);
    };
    const check = async (i: number) => {
      let details: Omit<NormalizedEvent, 'dedupeKey'> | null = null;
      try {
        details = await this.getCall(sid);
      } catch {
        // Exotel busy or unreachable: ask again at the next step.
      }
      if (!details || details.status !== 'ended') return attempt(i + 1);
      this.confirming.delete(sid);
      try {
        confirm.onEvent({ ...details, callId, dedupeKey: `${sid}:details:${details.result ?? ''}` });
      } catch {
        // The store is closing; the stored callback is parsed again at the next start and asks again.
      }
    };
    attempt(0);
  }

  /** Stops asking for call details (the core is closing or the settings changed). */
  dispose(): void {
    for (const timer of this.confirming.values()) this.config.confirm?.clock.clearTimeout(timer);
    this.confirming.clear();
  }

  webhookResponse(req: WebhookRequest): { status: number; contentType: string; body: string } | null {
    if (req.method !== 'GET') return null;
    if (req.query.get('op') === 'dial_whom') {
      const agent = this.config.humanAgents?.availableHumanAgent(customFieldLanguage(req.query.get('CustomField')));
      // No one free: a non-2xx makes the Connect applet take its failure branch instead of dialling nobody.
      if (!agent) return { status: 404, contentType: 'text/plain', body: 'no agent available' };
      return { status: 200, contentType: 'text/plain', body: agent.phone };
    }
    return { status: 200, contentType: 'text/plain', body: 'OK' };
  }

  async testConnection(): Promise<{ ok: boolean; message: string }> {
    await providerRequest(this.http, {
      method: 'GET',
      url: `${this.base}/Calls.json?PageSize=1`,
      headers: this.headers(),
    });
    return { ok: true, message: `Exotel accepted the key for account ${this.config.accountSid}.` };
  }

  private parseApplet(req: WebhookRequest): NormalizedEvent[] {
    const q = req.query;
    const sid = q.get('CallSid');
    if (!sid) throw new WebhookRejected('malformed', 'Exotel applet request without CallSid');
    const callId = customFieldCallId(q.get('CustomField'));
    if (q.get('op') === 'dial_whom') {
      const agent = this.config.humanAgents?.availableHumanAgent(customFieldLanguage(q.get('CustomField')));
      return [
        {
          provider: 'exotel',
          providerCallId: sid,
          callId,
          dedupeKey: `${sid}:dial_whom:${q.get('CurrentTime') ?? q.get('DialWhomNumber') ?? ''}`,
          kind: 'dial_whom',
          status: agent ? 'transferring' : undefined,
          transfer: agent ? { state: 'started', destination: agent.phone } : { state: 'cancelled' },
        },
      ];
    }
    const dialled = toText(q.get('DialWhomNumber'));
    const event: NormalizedEvent = {
      provider: 'exotel',
      providerCallId: sid,
      callId,
      dedupeKey: `${sid}:passthru:${q.get('CurrentTime') ?? ''}:${q.get('CallType') ?? ''}`,
      kind: `passthru:${q.get('CallType') ?? q.get('CallStatus') ?? ''}`,
      occurredAt: exotelTime(q.get('CurrentTime')),
    };
    if (q.get('CallStatus') === 'in-progress') event.status = 'in_progress';
    // A Connect applet leg that reached a person: the call was handed to them.
    if (dialled && toNumber(q.get('DialCallDuration')) !== undefined && Number(q.get('DialCallDuration')) > 0) {
      event.transfer = { state: 'bridged', destination: dialled };
    }
    const digits = q.get('digits');
    // Gather digits arrive wrapped in double quotes.
    if (digits) event.extracted = { digits: digits.replace(/^"|"$/g, '') };
    return [event];
  }
}

function terminalFields(status: string, conversationS: number): Partial<NormalizedEvent> {
  if (status === 'completed') {
    const talked = conversationS > 0;
    return {
      status: 'ended',
      result: talked ? 'completed' : 'no_answer',
      conversation: talked,
      durationS: conversationS,
    };
  }
  return { status: 'ended', result: TERMINAL[status] ?? 'failed', conversation: false, durationS: 0 };
}

/** "YYYY-MM-DD HH:mm:ss" in the account's local time (unstated; IST for Indian accounts). */
function exotelTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m || m[1] === '1970') return undefined;
  // Interpreted as IST (+05:30), the timezone of Exotel's Indian accounts; only used for ordering and display.
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - 330 * 60_000;
}

/**
 * CustomField, the one value Exotel hands to the flow's applets and echoes back: the attempt id alone, or, when the
 * call has a language, `call_id=42&language=hi-IN` (a query string the flow's passthru or bot can read).
 */
export function exotelCustomField(callId: number, language: string | null): string {
  return language ? new URLSearchParams({ call_id: String(callId), language }).toString() : String(callId);
}

function customFieldCallId(value: unknown): number | null {
  if (typeof value !== 'string') return toCallId(value);
  return toCallId(value) ?? toCallId(new URLSearchParams(value).get('call_id'));
}

function customFieldLanguage(value: string | null): string | null {
  const typed = value ? new URLSearchParams(value).get('language') : null;
  return typed ? languageTag(typed) : null;
}
