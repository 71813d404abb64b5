import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CallResult, TranscriptTurn } from '@shared/domain';
import { parseJson, providerRequest, trimBase, type ProviderHttpOptions } from './http';
import {
  pickOutcomeHint,
  readJson,
  toCallId,
  toNumber,
  toRecord,
  toText,
  transcriptFromLines,
  type HumanAgentDirectory,
} from './normalize';
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
import { AgentWebhookPointer } from './agent-webhook';

// Retell AI (docs/providers.md, Retell AI). Webhooks are signed with x-retell-signature: HMAC-SHA256 over raw body ++
// timestamp, keyed with the API key that has the webhook badge.

export interface RetellConfig {
  apiKey: string;
  baseUrl?: string;
  voiceAgentId?: string;
  fromNumber?: string;
  timeoutMs?: number;
  now: () => number;
  humanAgents?: HumanAgentDirectory;
}

export const RETELL_SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export function retellSignature(rawBody: Buffer | string, apiKey: string, timestampMs: number): string {
  const digest = createHmac('sha256', apiKey)
    .update(Buffer.concat([Buffer.from(rawBody), Buffer.from(String(timestampMs))]))
    .digest('hex');
  return `v=${timestampMs},d=${digest}`;
}

/** The SDK's verify(): header format, 5-minute window, constant-time compare. */
export function verifyRetellSignature(
  rawBody: Buffer,
  apiKey: string,
  header: string | undefined,
  nowMs: number,
): boolean {
  const m = /^v=(\d+),d=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const ts = Number(m[1]);
  if (Math.abs(nowMs - ts) > RETELL_SIGNATURE_TOLERANCE_MS) return false;
  const expected = Buffer.from(retellSignature(rawBody, apiKey, ts).slice(m[1].length + 5), 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}

const CONNECTED = new Set(['user_hangup', 'agent_hangup', 'inactivity', 'max_duration_reached']);
const REASON_RESULT: Record<string, CallResult> = {
  voicemail_reached: 'voicemail',
  ivr_reached: 'voicemail',
  dial_no_answer: 'no_answer',
  registered_call_timeout: 'no_answer',
  dial_busy: 'busy',
  call_transfer: 'transferred',
  transfer_bridged: 'transferred',
  manual_stopped: 'canceled',
};

export function retellResult(
  reason: string | undefined,
  inVoicemail: boolean,
): { result: CallResult; conversation: boolean } {
  if (inVoicemail) return { result: 'voicemail', conversation: false };
  if (reason && CONNECTED.has(reason)) return { result: 'completed', conversation: true };
  const mapped = reason ? REASON_RESULT[reason] : undefined;
  if (mapped) return { result: mapped, conversation: mapped === 'transferred' };
  // dial_failed, invalid_destination, telephony_*, sip_routing_error, marked_as_spam, error_*, concurrency…
  return { result: 'failed', conversation: false };
}

export class RetellProvider implements VoiceProvider {
  readonly name = 'retell' as const;
  readonly label = 'Retell AI';
  static readonly CAPABILITIES: ProviderCapabilities = {
    cancel: true,
    transfer: 'agent_variable',
    reconcile: true,
    liveTranscript: true,
    callLanguage: 'per_call',
  };
  readonly capabilities = RetellProvider.CAPABILITIES;
  private readonly base: string;
  private readonly http: ProviderHttpOptions;
  private readonly agentWebhook = new AgentWebhookPointer((voiceAgentId, url) =>
    providerRequest(this.http, {
      method: 'PATCH',
      url: `${this.base}/update-agent/${encodeURIComponent(voiceAgentId)}`,
      headers: this.headers(),
      body: { webhook_url: url },
    }),
  );

  constructor(private readonly config: RetellConfig) {
    this.base = trimBase(config.baseUrl ?? 'https://api.retellai.com');
    this.http = { provider: 'retell', label: 'Retell', timeoutMs: config.timeoutMs ?? 15_000, now: config.now };
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.config.apiKey}` };
  }

  async placeCall(req: PlaceCallRequest): Promise<PlaceCallResult> {
    const from = req.from ?? this.config.fromNumber;
    if (!from)
      throw new ProviderError(
        'retell',
        'invalid_request',
        'No Retell from-number: set one in Settings → Providers → Retell.',
      );
    const transferTo = this.config.humanAgents?.availableHumanAgent(req.language)?.phone;
    // Retell refuses non-string dynamic variables; ours are strings by type, the name is added the same way.
    const variables: Record<string, string> = {
      ...req.variables,
      customer_name: req.variables.customer_name ?? req.contactName,
      ...(transferTo ? { transfer_number: transferTo } : {}),
    };
    const body: Record<string, unknown> = {
      from_number: from,
      to_number: req.to,
      retell_llm_dynamic_variables: variables,
      metadata: { call_id: req.callId, idempotency_key: req.idempotencyKey },
    };
    // This call only: the agent's speech recognition and voice in one of Retell's locales, else its multilingual mode.
    if (req.language) body.agent_override = { agent: { language: retellLanguage(req.language) } };
    const voiceAgentId = req.voiceAgentId ?? this.config.voiceAgentId;
    if (voiceAgentId) {
      body.override_agent_id = voiceAgentId;
      await this.agentWebhook.ensure(voiceAgentId, req.webhookUrl);
    }
    const res = await providerRequest(this.http, {
      method: 'POST',
      url: `${this.base}/v2/create-phone-call`,
      headers: this.headers(),
      body,
    });
    const id = toText(toRecord(parseJson(this.http, res))?.call_id);
    if (!id)
      throw new ProviderError(
        'retell',
        'unknown',
        `Retell accepted the call but returned no call_id: ${res.text.slice(0, 120)}`,
      );
    return { providerCallId: id };
  }

  /** The agent keeps the webhook URL: the configured agent is updated now, other agents before their next call. */
  async onPublicUrlChanged(hookUrl: string): Promise<void> {
    if (this.config.voiceAgentId) await this.agentWebhook.point(this.config.voiceAgentId, hookUrl);
  }

  async cancelCall(providerCallId: string): Promise<void> {
    await providerRequest(this.http, {
      method: 'POST',
      url: `${this.base}/v2/stop-call/${encodeURIComponent(providerCallId)}`,
      headers: this.headers(),
    });
  }

  async getCall(providerCallId: string): Promise<Omit<NormalizedEvent, 'dedupeKey'> | null> {
    const res = await providerRequest(this.http, {
      method: 'GET',
      url: `${this.base}/v2/get-call/${encodeURIComponent(providerCallId)}`,
      headers: this.headers(),
      accept: [404],
    });
    if (res.status === 404) return null;
    const call = toRecord(parseJson(this.http, res));
    if (!call) return null;
    const status = toText(call.call_status);
    const event = callToEvent(
      status === 'ended' || status === 'not_connected' || status === 'error' ? 'call_ended' : 'call_started',
      call,
      null,
    );
    event.kind = `get-call:${status ?? 'unknown'}`;
    if (status === 'registered') event.status = 'initiated';
    if (toRecord(call.call_analysis)) Object.assign(event, analysisFields(toRecord(call.call_analysis) ?? {}));
    const { dedupeKey: _ignored, ...rest } = event;
    return rest;
  }

  verifyWebhook(req: WebhookRequest): void {
    const header = req.headers['x-retell-signature'];
    if (!header) throw new WebhookRejected('bad_signature', 'Retell webhook without x-retell-signature');
    if (!verifyRetellSignature(req.rawBody, this.config.apiKey, header, this.config.now())) {
      throw new WebhookRejected(
        'bad_signature',
        'Retell webhook signature does not match (wrong key, altered body, or older than 5 minutes)',
      );
    }
  }

  parseWebhook(req: WebhookRequest): NormalizedEvent[] {
    const body = readJson(req.rawBody, 'Retell');
    const kind = toText(body.event);
    const call = toRecord(body.call);
    if (!kind || !call || !toText(call.call_id))
      throw new WebhookRejected('malformed', 'Retell webhook without event or call.call_id');
    return [callToEvent(kind, call, body)];
  }

  async testConnection(): Promise<{ ok: boolean; message: string }> {
    await providerRequest(this.http, { method: 'GET', url: `${this.base}/list-agents`, headers: this.headers() });
    return { ok: true, message: 'Retell accepted the key.' };
  }
}

function callToEvent(
  kind: string,
  call: Record<string, unknown>,
  body: Record<string, unknown> | null,
): NormalizedEvent {
  const callId = String(call.call_id);
  const metadata = toRecord(call.metadata) ?? {};
  const event: NormalizedEvent = {
    provider: 'retell',
    providerCallId: callId,
    callId: toCallId(metadata.call_id),
    dedupeKey: `${callId}:${kind}`,
    kind,
  };
  const transcript =
    transcriptFromObject(call.transcript_object) ??
    (toText(call.transcript) ? transcriptFromLines(String(call.transcript)) : undefined);
  if (transcript && transcript.length > 0) event.transcript = transcript;
  const reason = toText(call.disconnection_reason);
  const analysis = toRecord(call.call_analysis);
  switch (kind) {
    case 'call_started':
      event.status = 'in_progress';
      event.answeredAt = toNumber(call.start_timestamp);
      event.occurredAt = event.answeredAt;
      break;
    case 'call_ended':
    case 'call_analyzed': {
      const { result, conversation } = retellResult(reason, analysis?.in_voicemail === true);
      event.status = 'ended';
      event.result = result;
      event.conversation = conversation;
      event.endedAt = toNumber(call.end_timestamp);
      event.occurredAt = event.endedAt;
      if (call.call_status !== 'not_connected') event.answeredAt = toNumber(call.start_timestamp);
      const durationMs = toNumber(call.duration_ms);
      if (durationMs !== undefined) event.durationS = durationMs / 1000;
      const cost = toNumber(toRecord(call.call_cost)?.combined_cost);
      if (cost !== undefined) event.cost = cost;
      if (reason) event.hangupReason = reason;
      const recording = toText(call.recording_url);
      if (recording) event.recordingUrl = recording;
      if (reason === 'call_transfer' || reason === 'transfer_bridged') {
        event.transfer = { state: 'ended', destination: toText(call.transfer_destination) };
      }
      if (analysis) Object.assign(event, analysisFields(analysis));
      break;
    }
    case 'transcript_updated':
      // Each update is a new snapshot: its length tells it apart from the one before.
      event.dedupeKey = `${callId}:transcript_updated:${transcript?.length ?? 0}:${transcript?.at(-1)?.text.length ?? 0}`;
      break;
    case 'transfer_started':
    case 'transfer_bridged':
    case 'transfer_cancelled':
    case 'transfer_ended': {
      const state = kind.slice('transfer_'.length) as 'started' | 'bridged' | 'cancelled' | 'ended';
      // Where the destination sits is not documented: top level or inside call.
      const destination = toText(body?.transfer_destination) ?? toText(call.transfer_destination);
      event.transfer = { state, destination: destination ?? undefined };
      if (state === 'started' || state === 'bridged') event.status = 'transferring';
      break;
    }
    default:
      break;
  }
  return event;
}

function analysisFields(analysis: Record<string, unknown>): Partial<NormalizedEvent> {
  const out: Partial<NormalizedEvent> = {};
  const summary = toText(analysis.call_summary);
  if (summary) out.summary = summary;
  const sentiment = toText(analysis.user_sentiment);
  if (sentiment) out.sentiment = sentiment;
  const custom = toRecord(analysis.custom_analysis_data);
  if (custom) out.extracted = custom;
  const hint = pickOutcomeHint(
    custom,
    typeof analysis.call_successful === 'boolean'
      ? analysis.call_successful
        ? 'successful'
        : 'unsuccessful'
      : undefined,
  );
  if (hint) out.outcomeHint = hint;
  return out;
}

function transcriptFromObject(value: unknown): Omit<TranscriptTurn, 'seq'>[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const turns: Omit<TranscriptTurn, 'seq'>[] = [];
  for (const item of value) {
    const entry = toRecord(item);
    const text = toText(entry?.content);
    if (!entry || !text) continue;
    const role = entry.role;
    const speaker =
      role === 'user' ? 'customer' : role === 'transfer_target' ? 'human_agent' : role === 'agent' ? 'agent' : 'system';
    const firstWord = Array.isArray(entry.words) ? toRecord(entry.words[0]) : undefined;
    const start = toNumber(firstWord?.start);
    turns.push({ speaker, text, atMs: start !== undefined ? Math.round(start * 1000) : null });
  }
  return turns;
}

/** The locales a Retell agent can be set to (its agent `language` setting). */
export const RETELL_LOCALES = [
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
] as const;

/** A tag Retell supports as is; a bare language it has one locale for (hi → hi-IN); anything else `multi`. */
export function retellLanguage(tag: string): string {
  const exact = RETELL_LOCALES.find((l) => l.toLowerCase() === tag.toLowerCase());
  if (exact) return exact;
  const sameLanguage = RETELL_LOCALES.filter((l) => l.split('-')[0] === tag.split('-')[0].toLowerCase());
  if (sameLanguage.length === 1) return sameLanguage[0];
  // English of another region: India's English is the closest of Retell's for this console's callers.
  if (tag.split('-')[0].toLowerCase() === 'en') return 'en-IN';
  return 'multi';
}
