import type { CallResult, CallStatus, ProviderName, TranscriptTurn } from '@shared/domain';
import { ApiError, type UserErrorCode } from '../errors';

// One interface for every voice provider; one file per provider implements it. The dialer, the webhook server
// and the UI only ever speak to this interface.

export interface PlaceCallRequest {
  /** Our attempt id (calls.id); providers echo it back in metadata / CustomField / query string. */
  callId: number;
  /** Unique per attempt; never reused, so a retried HTTP request cannot create a second provider call. */
  idempotencyKey: string;
  to: string;
  from: string | null;
  voiceAgentId: string | null;
  contactName: string;
  /** BCP 47 tag (hi-IN) the contact is to be called in; null or absent = the voice agent's own language. */
  language?: string | null;
  variables: Record<string, string>;
  /** Full URL the provider should post this call's events to (uses the current public/tunnel URL). */
  webhookUrl: string;
  /** Simulator only: time compression. */
  simSpeed?: number;
}

export interface PlaceCallResult {
  /** Null when the provider returns no id (self-hosted Bolna); the call is then matched later. */
  providerCallId: string | null;
}

/** A placement whose answer the console never got (the request timed out, or the console died waiting). */
export interface PlacementQuery {
  callId: number;
  idempotencyKey: string;
  to: string;
  /** The voice agent the call was placed with (null: the provider's default), for providers that list by agent. */
  voiceAgentId: string | null;
  /** When the request was sent (clock ms): a provider listing recent calls looks from a little before. */
  sentAt: number;
}

/**
 * The provider's answer about such a placement. `certain` absence is only possible where the provider looks calls up
 * by our idempotency key; a listing of recent calls may simply lag, so its absence is never certain.
 */
export type PlacementLookup = { found: true; providerCallId: string } | { found: false; certain: boolean };

export type ProviderErrorKind = 'rate_limited' | 'unavailable' | 'auth' | 'invalid_request' | 'not_found' | 'unknown';

/** How a provider failure reads to the user of the API: a refused key is theirs to fix, a 5xx is worth a retry. */
const PROVIDER_ERROR_CODES: Record<ProviderErrorKind, UserErrorCode> = {
  rate_limited: 'unavailable',
  unavailable: 'unavailable',
  auth: 'forbidden',
  invalid_request: 'invalid_input',
  not_found: 'not_found',
  unknown: 'unavailable',
};

/**
 * A provider request failed. `rate_limited` and `unavailable` pause dialing with backoff and do not consume the
 * contact's attempt; the others fail the attempt with the message shown to the user.
 */
export class ProviderError extends ApiError {
  constructor(
    readonly provider: ProviderName,
    readonly kind: ProviderErrorKind,
    message: string,
    readonly options: {
      status?: number;
      retryAfterMs?: number;
      /**
       * The request may have reached the provider (no answer in time, connection lost after sending): a placement
       * may exist, so it is looked up, never just sent again (docs/architecture.md, Dialer rules).
       */
      mayHaveReached?: boolean;
    } = {},
  ) {
    super(PROVIDER_ERROR_CODES[kind], message);
    this.name = 'ProviderError';
  }
  get transient(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable';
  }
}

/** A provider event, normalised. Every field but the identifiers is optional: events carry what they carry. */
export interface NormalizedEvent {
  provider: ProviderName;
  providerCallId: string | null;
  /** Our attempt id when the provider echoes it (metadata, CustomField, query string). */
  callId?: number | null;
  /** Unique per distinct provider event (e.g. Bolna id+status, Retell call_id+event, Twilio CallSid+SequenceNumber). */
  dedupeKey: string;
  /** Provider's own name for the event (for the raw event list). */
  kind: string;
  status?: CallStatus;
  /** Set with status 'ended'. */
  result?: CallResult;
  /** True when a person actually talked (completed with conversation > 0). */
  conversation?: boolean;
  occurredAt?: number;
  answeredAt?: number;
  endedAt?: number;
  durationS?: number;
  cost?: number;
  hangupReason?: string;
  recordingUrl?: string;
  summary?: string;
  sentiment?: string;
  extracted?: Record<string, unknown>;
  /** Full transcript so far (replaces what is stored). */
  transcript?: Omit<TranscriptTurn, 'seq'>[];
  /** A value the campaign's outcome mapping turns into an outcome (e.g. smart_status, custom analysis field). */
  outcomeHint?: string;
  transfer?: { state: 'started' | 'bridged' | 'cancelled' | 'ended'; destination?: string };
  error?: string;
  /**
   * Set when nothing in the event ties it to a call with certainty (the reason, for the user): it goes to the review
   * list, never to a call found by guess.
   */
  unmatched?: string;
}

export interface WebhookRequest {
  method: string;
  /** Path without the query string, e.g. /hooks/retell/<secret>. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  rawBody: Buffer;
  /** The full public URL the provider called (Twilio signs it). */
  url: string;
  receivedAt: number;
}

export interface ProviderCapabilities {
  cancel: boolean;
  /** api: we redirect the call; agent_variable: the voice agent transfers to a number we pass; flow: provider asks us whom to dial. */
  transfer: 'api' | 'agent_variable' | 'flow' | 'none';
  /** getCall can tell us where a call stands (crash recovery). */
  reconcile: boolean;
  liveTranscript: boolean;
  /**
   * How the call language reaches the voice agent: `per_call` the provider starts the call in it (Bolna's
   * agent_language, Retell's agent language); `variable` it is handed to the flow, which must use it (Exotel);
   * `none` the provider cannot take it per call (the language is the agent's own).
   */
  callLanguage: 'per_call' | 'variable' | 'none';
}

export interface VoiceProvider {
  readonly name: ProviderName;
  readonly label: string;
  readonly capabilities: ProviderCapabilities;
  placeCall(req: PlaceCallRequest): Promise<PlaceCallResult>;
  cancelCall(providerCallId: string): Promise<void>;
  /** Where the provider says the call stands; null when it does not know the call. */
  getCall(providerCallId: string): Promise<Omit<NormalizedEvent, 'dedupeKey'> | null>;
  transferCall?(providerCallId: string, to: string): Promise<void>;
  /** Whether a placement whose answer was lost exists: by our idempotency key, or among recent calls to the number. */
  findPlacement?(query: PlacementQuery): Promise<PlacementLookup>;
  /** Throws WebhookRejected when the request is not authentic. The path secret is checked by the server first. */
  verifyWebhook(req: WebhookRequest): void;
  /** Throws WebhookRejected('malformed') when the body cannot be understood. */
  parseWebhook(req: WebhookRequest): NormalizedEvent[];
  /**
   * The body to answer a webhook with, when the provider expects more than an empty 2xx (Exotel passthru wants
   * plain `OK`; its Connect "dial whom" URL wants the number to dial). Null = 200 with an empty body.
   */
  webhookResponse?(req: WebhookRequest): { status: number; contentType: string; body: string } | null;
  /**
   * The console's public URL changed; `hookUrl` is this provider's new callback URL. For providers that keep the
   * webhook URL on their side (on the voice agent) rather than receiving it with each call.
   */
  onPublicUrlChanged?(hookUrl: string): Promise<void>;
  /** A harmless authenticated request, for the settings "test connection" button. */
  testConnection?(): Promise<{ ok: boolean; message: string }>;
}

export class WebhookRejected extends Error {
  constructor(
    readonly reason: 'malformed' | 'bad_signature' | 'bad_secret' | 'too_large',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRejected';
  }
  get httpStatus(): number {
    return this.reason === 'malformed' ? 400 : this.reason === 'too_large' ? 413 : 401;
  }
}
