import type { Db } from '../../src/main/core/store/db';
import type {
  NormalizedEvent,
  PlaceCallRequest,
  PlaceCallResult,
  ProviderCapabilities,
  VoiceProvider,
} from '../../src/main/core/providers/types';
import { ProviderError } from '../../src/main/core/providers/types';
import type { CallResult, ProviderName } from '../../src/shared/domain';

// Test support for the engine: seeding lists straight into the store and a fake of the outside world (a voice
// provider plus the webhooks it sends), delivering NormalizedEvents to the core.

export interface SeedContact {
  name: string;
  phone: string | null;
  timezone?: string | null;
  variables?: Record<string, string>;
}

export function seedList(db: Db, name: string, contacts: SeedContact[], at = 0): { listId: number; ids: number[] } {
  return db.transaction(() => {
    const listId = Number(
      db.prepare('INSERT INTO lists (name, source_kind, created_at) VALUES (?, ?, ?)').run(name, 'manual', at)
        .lastInsertRowid,
    );
    const insert = db.prepare(
      `INSERT INTO contacts (list_id, name, phone, phone_raw, timezone, variables_json, callable, not_callable_reason, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const ids = contacts.map((c) =>
      Number(
        insert.run(
          listId,
          c.name,
          c.phone,
          c.phone ?? 'n/a',
          c.timezone ?? null,
          JSON.stringify(c.variables ?? {}),
          c.phone ? 1 : 0,
          c.phone ? null : 'no number',
          at,
          at,
        ).lastInsertRowid,
      ),
    );
    return { listId, ids };
  })();
}

export interface Delivery {
  at: number;
  seq: number;
  event: NormalizedEvent;
}

export interface WorldCall {
  req: PlaceCallRequest;
  providerCallId: string;
  placedAt: number;
  endsAt: number;
  result: CallResult;
  conversation: boolean;
  cancelled: boolean;
}

export interface WorldOptions {
  name?: ProviderName;
  capabilities?: Partial<ProviderCapabilities>;
  random: () => number;
  now: () => number;
  /** Probability that an event is delivered twice. */
  duplicateRate?: number;
  /** Max random delivery delay in ms (events overtake each other within it). */
  jitterMs?: number;
  /** Probability that every event of a call after ringing is lost (tests the stale sweep). */
  lossRate?: number;
  /** Probability that the ringing webhook arrives before placeCall has returned. */
  earlyWebhookRate?: number;
  outcomeHints?: (string | undefined)[];
  /** Called with each request as it reaches the provider (rule checks happen here). */
  onPlace?: (req: PlaceCallRequest) => void;
  /** Receives webhooks sent while placeCall is still running. */
  deliverNow?: (event: NormalizedEvent) => void;
}

/**
 * A voice provider and the network between it and us. Calls get a random result and a script of events
 * (ringing, answer, end, a late analysis) delivered with jitter, duplicates and losses. `errors` makes the next
 * placeCall requests fail (429, 503, …) without creating a call.
 */
export class FakeWorld implements VoiceProvider {
  readonly name: ProviderName;
  readonly label = 'Fake provider';
  readonly capabilities: ProviderCapabilities;
  readonly calls = new Map<string, WorldCall>();
  readonly byCallId = new Map<number, WorldCall>();
  readonly keys: string[] = [];
  readonly cancelled: string[] = [];
  readonly errors: Error[] = [];
  private queue: Delivery[] = [];
  private seq = 0;

  constructor(private readonly o: WorldOptions) {
    this.name = o.name ?? 'retell';
    this.capabilities = {
      cancel: true,
      transfer: 'none',
      reconcile: false,
      liveTranscript: false,
      callLanguage: 'none',
      ...o.capabilities,
    };
  }

  /** Live from the world's point of view (placed, not yet ended). */
  liveTo(phone: string, at: number): WorldCall | undefined {
    for (const c of this.calls.values())
      if (c.req.to === phone && c.placedAt <= at && c.endsAt > at && !c.cancelled) return c;
    return undefined;
  }

  async placeCall(req: PlaceCallRequest): Promise<PlaceCallResult> {
    const error = this.errors.shift();
    if (error) throw error;
    this.o.onPlace?.(req);
    this.keys.push(req.idempotencyKey);
    const r = this.o.random;
    const now = this.o.now();
    const providerCallId = `pc-${req.callId}-${req.idempotencyKey.slice(-6)}`;
    const roll = r();
    const result: CallResult =
      roll < 0.4 ? 'completed' : roll < 0.6 ? 'no_answer' : roll < 0.75 ? 'busy' : roll < 0.85 ? 'voicemail' : 'failed';
    const conversation = result === 'completed';
    const ringAt = now + 1_000 + Math.floor(r() * 5_000);
    const answerAt = ringAt + 3_000 + Math.floor(r() * 10_000);
    const endsAt = conversation
      ? answerAt + 20_000 + Math.floor(r() * 240_000)
      : ringAt + 5_000 + Math.floor(r() * 30_000);
    const call: WorldCall = { req, providerCallId, placedAt: now, endsAt, result, conversation, cancelled: false };
    this.calls.set(providerCallId, call);
    this.byCallId.set(req.callId, call);
    const base = { provider: this.name, providerCallId, callId: req.callId };
    const ringing: NormalizedEvent = {
      ...base,
      dedupeKey: `${providerCallId}:ringing`,
      kind: 'ringing',
      status: 'ringing',
      occurredAt: ringAt,
    };
    if (this.o.deliverNow && r() < (this.o.earlyWebhookRate ?? 0)) this.o.deliverNow(ringing);
    else this.schedule(ringing, ringAt);
    const lost = r() < (this.o.lossRate ?? 0);
    if (lost) return { providerCallId };
    if (conversation)
      this.schedule(
        {
          ...base,
          dedupeKey: `${providerCallId}:answered`,
          kind: 'answered',
          status: 'in_progress',
          occurredAt: answerAt,
        },
        answerAt,
      );
    const hints = this.o.outcomeHints ?? [undefined];
    const hint = conversation ? hints[Math.floor(r() * hints.length)] : undefined;
    const transcript = conversation
      ? [
          { speaker: 'agent' as const, text: `Hello ${req.contactName}, calling about your order`, atMs: 0 },
          { speaker: 'customer' as const, text: 'yes this is me', atMs: 2_000 },
        ]
      : undefined;
    this.schedule(
      {
        ...base,
        dedupeKey: `${providerCallId}:ended`,
        kind: 'ended',
        status: 'ended',
        result,
        conversation,
        occurredAt: endsAt,
        endedAt: endsAt,
        durationS: conversation ? Math.round((endsAt - answerAt) / 1000) : 0,
        transcript,
      },
      endsAt,
    );
    if (conversation) {
      this.schedule(
        {
          ...base,
          dedupeKey: `${providerCallId}:analyzed`,
          kind: 'analyzed',
          status: 'ended',
          result,
          summary: `Spoke with ${req.contactName}`,
          outcomeHint: hint,
          occurredAt: endsAt + 3_000,
        },
        endsAt + 3_000,
      );
    }
    return { providerCallId };
  }

  private schedule(event: NormalizedEvent, at: number): void {
    const r = this.o.random;
    const jitter = this.o.jitterMs ?? 0;
    this.queue.push({ at: at + Math.floor(r() * jitter), seq: this.seq++, event });
    if (r() < (this.o.duplicateRate ?? 0))
      this.queue.push({ at: at + Math.floor(r() * (jitter + 5_000)), seq: this.seq++, event: { ...event } });
  }

  /** Events whose delivery time has come, in delivery order (which is not the order they happened in). */
  due(now: number): Delivery[] {
    const ready = this.queue.filter((d) => d.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.queue = this.queue.filter((d) => d.at > now);
    return ready;
  }

  pending(): number {
    return this.queue.length;
  }

  async cancelCall(providerCallId: string): Promise<void> {
    this.cancelled.push(providerCallId);
    const call = this.calls.get(providerCallId);
    if (!call || call.cancelled || call.endsAt <= this.o.now()) return;
    call.cancelled = true;
    call.endsAt = this.o.now();
    this.queue = this.queue.filter((d) => d.event.providerCallId !== providerCallId || d.event.status === 'ringing');
    this.schedule(
      {
        provider: this.name,
        providerCallId,
        callId: call.req.callId,
        dedupeKey: `${providerCallId}:canceled`,
        kind: 'canceled',
        status: 'ended',
        result: 'canceled',
        occurredAt: this.o.now(),
      },
      this.o.now() + 1_000,
    );
  }

  async getCall(providerCallId: string): Promise<Omit<NormalizedEvent, 'dedupeKey'> | null> {
    const call = this.calls.get(providerCallId);
    if (!call) return null;
    const base = { provider: this.name, providerCallId, callId: call.req.callId, kind: 'get-call' };
    if (call.endsAt <= this.o.now())
      return {
        ...base,
        status: 'ended',
        result: call.cancelled ? 'canceled' : call.result,
        conversation: call.conversation && !call.cancelled,
      };
    return { ...base, status: 'ringing' };
  }

  verifyWebhook(): void {}
  parseWebhook(): NormalizedEvent[] {
    return [];
  }
}

export function rateLimited(provider: ProviderName, retryAfterMs?: number): ProviderError {
  return new ProviderError(provider, 'rate_limited', 'HTTP 429 Too Many Requests', { status: 429, retryAfterMs });
}
export function unavailable(provider: ProviderName): ProviderError {
  return new ProviderError(provider, 'unavailable', 'HTTP 503 Service Unavailable', { status: 503 });
}
