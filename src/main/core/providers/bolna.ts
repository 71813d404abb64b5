import type { CallResult, CallStatus } from '@shared/domain';
import { knownLanguage, primaryLanguage } from '@shared/languages';
import { parseJson, providerRequest, trimBase, type ProviderHttpOptions } from './http';
import {
  pickOutcomeHint,
  readJson,
  toCallId,
  toNumber,
  toRecord,
  toText,
  transcriptFromLines,
  parseTime,
  type HumanAgentDirectory,
} from './normalize';
import {
  ProviderError,
  WebhookRejected,
  type NormalizedEvent,
  type PlaceCallRequest,
  type PlaceCallResult,
  type PlacementLookup,
  type PlacementQuery,
  type ProviderCapabilities,
  type VoiceProvider,
  type WebhookRequest,
} from './types';

/** How far before our request the executions listing looks (clocks differ; the request took time to arrive). */
const PLACEMENT_LOOKBACK_MS = 2 * 60_000;
import { AgentWebhookPointer } from './agent-webhook';

// Bolna hosted API (docs/providers.md, Bolna). Bolna does not sign webhooks: the secret in our hook path is the
// authentication, and getCall can re-fetch an execution to confirm it.

export interface BolnaConfig {
  apiKey: string;
  baseUrl?: string;
  voiceAgentId?: string;
  fromNumber?: string;
  timeoutMs?: number;
  now?: () => number;
  humanAgents?: HumanAgentDirectory;
}

const STATUS: Record<string, CallStatus | undefined> = {
  scheduled: 'initiated',
  queued: 'initiated',
  rescheduled: 'initiated',
  initiated: 'initiated',
  ringing: 'ringing',
  'in-progress': 'in_progress',
  // The call is over, but transcript, summary and cost are only final at `completed` (2–3 min later).
  'call-disconnected': undefined,
};

const TERMINAL: Record<string, CallResult> = {
  busy: 'busy',
  'no-answer': 'no_answer',
  'balance-low': 'failed',
  failed: 'failed',
  error: 'failed',
  stopped: 'failed',
  canceled: 'canceled',
};

export class BolnaProvider implements VoiceProvider {
  readonly name = 'bolna' as const;
  readonly label = 'Bolna';
  static readonly CAPABILITIES: ProviderCapabilities = {
    cancel: true,
    transfer: 'agent_variable',
    reconcile: true,
    liveTranscript: false,
    callLanguage: 'per_call',
  };
  readonly capabilities = BolnaProvider.CAPABILITIES;
  private readonly base: string;
  private readonly http: ProviderHttpOptions;
  private readonly agentWebhook = new AgentWebhookPointer((voiceAgentId, url) =>
    providerRequest(this.http, {
      method: 'PATCH',
      url: `${this.base}/v2/agent/${encodeURIComponent(voiceAgentId)}`,
      headers: this.headers(),
      body: { agent_config: { webhook_url: url } },
    }),
  );

  constructor(private readonly config: BolnaConfig) {
    this.base = trimBase(config.baseUrl ?? 'https://api.bolna.ai');
    this.http = { provider: 'bolna', label: 'Bolna', timeoutMs: config.timeoutMs ?? 15_000, now: config.now };
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.config.apiKey}` };
  }

  async placeCall(req: PlaceCallRequest): Promise<PlaceCallResult> {
    const voiceAgentId = req.voiceAgentId ?? this.config.voiceAgentId;
    if (!voiceAgentId)
      throw new ProviderError(
        'bolna',
        'invalid_request',
        'No Bolna agent id: set one on the campaign or in Settings → Providers → Bolna.',
      );
    await this.agentWebhook.ensure(voiceAgentId, req.webhookUrl);
    const transferTo = this.config.humanAgents?.availableHumanAgent(req.language)?.phone;
    const userData: Record<string, string> = {
      ...req.variables,
      customer_name: req.variables.customer_name ?? req.contactName,
      // Echoed back in context_details.recipient_data: how a webhook finds its attempt.
      call_id: String(req.callId),
      ...(transferTo ? { transfer_number: transferTo } : {}),
      // Bolna's plain code (hi, ta, od), not a locale: a multilingual agent starts the call in that language, any
      // other agent sees an ordinary variable (agent_data.language would be refused by a single-language agent).
      ...(req.language ? { agent_language: bolnaLanguageCode(req.language) } : {}),
    };
    const body: Record<string, unknown> = {
      agent_id: voiceAgentId,
      recipient_phone_number: req.to,
      user_data: userData,
    };
    const from = req.from ?? this.config.fromNumber;
    if (from) body.from_phone_number = from;
    const res = await providerRequest(this.http, {
      method: 'POST',
      url: `${this.base}/call`,
      headers: this.headers(),
      body,
    });
    const json = toRecord(parseJson(this.http, res));
    const id = toText(json?.execution_id);
    if (!id)
      throw new ProviderError(
        'bolna',
        'unknown',
        `Bolna accepted the call but returned no execution_id: ${res.text.slice(0, 120)}`,
      );
    return { providerCallId: id };
  }

  /**
   * A placement whose answer was lost: Bolna has no idempotency key, so the agent's executions since just before the
   * request are listed, and each is fetched until one carries our attempt id (user_data.call_id, echoed in
   * context_details.recipient_data). Not finding it proves nothing (the listing may lag), so absence is never certain.
   */
  async findPlacement(query: PlacementQuery): Promise<PlacementLookup> {
    const voiceAgentId = query.voiceAgentId ?? this.config.voiceAgentId;
    if (!voiceAgentId) return { found: false, certain: false };
    const params = new URLSearchParams({
      page_number: '1',
      page_size: '50',
      call_type: 'outbound',
      from: new Date(query.sentAt - PLACEMENT_LOOKBACK_MS).toISOString(),
    });
    const res = await providerRequest(this.http, {
      method: 'GET',
      url: `${this.base}/v2/agent/${encodeURIComponent(voiceAgentId)}/executions?${params.toString()}`,
      headers: this.headers(),
    });
    const rows = toRecord(parseJson(this.http, res))?.data;
    for (const row of Array.isArray(rows) ? rows : []) {
      const id = toText(toRecord(row)?.id);
      if (!id) continue;
      const execution = await providerRequest(this.http, {
        method: 'GET',
        url: `${this.base}/executions/${encodeURIComponent(id)}`,
        headers: this.headers(),
        accept: [404],
      });
      if (execution.status === 404) continue;
      const context = toRecord(toRecord(parseJson(this.http, execution))?.context_details);
      const recipient = toRecord(context?.recipient_data);
      if (toText(recipient?.call_id) === String(query.callId)) return { found: true, providerCallId: id };
    }
    return { found: false, certain: false };
  }

  /** The agent keeps the webhook URL: the configured agent is PATCHed now, other agents before their next call. */
  async onPublicUrlChanged(hookUrl: string): Promise<void> {
    if (this.config.voiceAgentId) await this.agentWebhook.point(this.config.voiceAgentId, hookUrl);
  }

  async cancelCall(providerCallId: string): Promise<void> {
    await providerRequest(this.http, {
      method: 'POST',
      url: `${this.base}/call/${encodeURIComponent(providerCallId)}/stop`,
      headers: this.headers(),
    });
  }

  async getCall(providerCallId: string): Promise<Omit<NormalizedEvent, 'dedupeKey'> | null> {
    const res = await providerRequest(this.http, {
      method: 'GET',
      url: `${this.base}/executions/${encodeURIComponent(providerCallId)}`,
      headers: this.headers(),
      accept: [404],
    });
    if (res.status === 404) return null;
    const body = toRecord(parseJson(this.http, res));
    if (!body) return null;
    const { dedupeKey: _ignored, ...event } = executionToEvent(body);
    return { ...event, kind: `execution:${event.kind}` };
  }

  verifyWebhook(_req: WebhookRequest): void {
    // Bolna does not sign its webhooks; the server has already checked the secret path.
  }

  parseWebhook(req: WebhookRequest): NormalizedEvent[] {
    return [executionToEvent(readJson(req.rawBody, 'Bolna'))];
  }

  async testConnection(): Promise<{ ok: boolean; message: string }> {
    const voiceAgentId = this.config.voiceAgentId;
    const url = voiceAgentId
      ? `${this.base}/v2/agent/${encodeURIComponent(voiceAgentId)}`
      : `${this.base}/v2/agent/all`;
    await providerRequest(this.http, { method: 'GET', url, headers: this.headers() });
    return {
      ok: true,
      message: voiceAgentId ? `Bolna accepted the key and knows agent ${voiceAgentId}.` : 'Bolna accepted the key.',
    };
  }
}

/** One execution snapshot (webhook or GET /executions/{id}) → one normalised event. */
export function executionToEvent(body: Record<string, unknown>): NormalizedEvent {
  const id = toText(body.id) ?? (typeof body.id === 'number' ? String(body.id) : undefined);
  const status = toText(body.status);
  if (!id || !status) throw new WebhookRejected('malformed', 'Bolna execution without id or status');
  const telephony = toRecord(body.telephony_data) ?? {};
  const context = toRecord(body.context_details) ?? {};
  const recipientData = toRecord(context.recipient_data) ?? {};
  const transferData = toRecord(body.transfer_call_data);
  const extracted = toRecord(body.extracted_data);
  const conversationS = toNumber(body.conversation_duration) ?? toNumber(body.conversation_time) ?? 0;
  const event: NormalizedEvent = {
    provider: 'bolna',
    providerCallId: id,
    callId: toCallId(recipientData.call_id ?? context.call_id),
    dedupeKey: `${id}:${status}`,
    kind: status,
    occurredAt: parseTime(body.updated_at),
    hangupReason: toText(telephony.hangup_reason),
    error: toText(body.error_message),
  };
  const mapped = STATUS[status];
  if (mapped) event.status = mapped;
  if (status === 'completed') {
    event.status = 'ended';
    const voicemail = body.answered_by_voice_mail === true;
    const talked = conversationS > 0 && !voicemail;
    event.conversation = talked;
    if (transferData) event.result = 'transferred';
    else if (voicemail) event.result = 'voicemail';
    else if (talked) event.result = 'completed';
    // `completed` with no conversation is not a conversation (Bolna's own advice): somebody picked up and nobody
    // talked, or the carrier ended it; the hang-up reason says which.
    else event.result = /busy/i.test(event.hangupReason ?? '') ? 'busy' : 'no_answer';
  } else if (TERMINAL[status]) {
    event.status = 'ended';
    event.result = TERMINAL[status];
    event.conversation = false;
  }
  if (event.status === 'ended') {
    event.endedAt = event.occurredAt;
    event.durationS = conversationS > 0 ? conversationS : toNumber(telephony.duration);
    event.cost = toNumber(body.total_cost);
  }
  const recording = toText(telephony.recording_url);
  if (recording) event.recordingUrl = recording;
  const summary = toText(body.summary);
  if (summary) event.summary = summary;
  if (extracted) event.extracted = extracted;
  const hint = pickOutcomeHint(toText(body.smart_status), extracted);
  if (hint) event.outcomeHint = hint;
  const transcript = toText(body.transcript);
  if (transcript) event.transcript = transcriptFromLines(transcript);
  if (transferData) {
    event.transfer = {
      state: status === 'completed' ? 'ended' : 'bridged',
      destination: toText(transferData.to_number),
    };
  }
  return event;
}

/** Bolna's language code for a BCP 47 tag: the plain language (hi-IN → hi), with Odia as `od`. */
export function bolnaLanguageCode(tag: string): string {
  return knownLanguage(tag)?.bolna ?? (primaryLanguage(tag) === 'or' ? 'od' : primaryLanguage(tag));
}
