import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { z } from 'zod';
import { CallResult, type CallStatus, type TranscriptTurn } from '@shared/domain';
import type { Clock, Logger, TimerHandle } from '../platform';
import type { SecretStore, SettingsService } from '../settings/settings';
import { phrasebookFor, type SpokenScenario } from './simulator-speech';
import { SimulatorStateFile } from './simulator-state';
import {
  ProviderError,
  WebhookRejected,
  type NormalizedEvent,
  type PlaceCallRequest,
  type PlacementLookup,
  type PlacementQuery,
  type PlaceCallResult,
  type ProviderCapabilities,
  type VoiceProvider,
  type WebhookRequest,
} from './types';

// The built-in provider: places pretend calls with no account, and reports every status change the way a real
// provider does, by a signed HTTP POST to the console's own webhook server. Its wire format (below) is ours, modelled
// on Retell's: a JSON snapshot of the call per event, signed with `x-sim-signature: v=<ms>,d=<hex HMAC-SHA256(key,
// rawBody + ms)>`, the key being a random per-install secret.

export const SIM_SIGNATURE_HEADER = 'x-sim-signature';
const SIGNING_KEY_SECRET = 'simulator.signing_key';
const SIGNATURE_TOLERANCE_MS = 5 * 60_000;
/** Ended calls remembered for getCall (reconciliation) before the oldest are forgotten. */
const REMEMBERED_CALLS = 10_000;
/** Like real providers: a failed delivery is retried a few times with growing delays. */
const RETRY_DELAYS_MS = [1_000, 3_000, 9_000];
const POST_TIMEOUT_MS = 10_000;
const E164 = /^\+[1-9]\d{6,14}$/;

const SimTurn = z.object({
  speaker: z.enum(['agent', 'customer', 'human_agent', 'system']),
  text: z.string(),
  at_ms: z.number().nullable(),
});

export const SIM_EVENT_KINDS = [
  'call.initiated',
  'call.ringing',
  'call.answered',
  'call.transcript',
  'call.transferring',
  'call.ended',
  'call.analyzed',
] as const;

/** One delivery: the call as it stands, after `event`. */
export const SimulatorEvent = z.object({
  event: z.enum(SIM_EVENT_KINDS),
  /** Unique per distinct event of the call; duplicates of one event share it. */
  event_id: z.string().min(1).max(100),
  call_id: z.string().min(1).max(100),
  metadata: z.object({ attempt_id: z.number().int(), idempotency_key: z.string() }),
  to: z.string(),
  status: z.enum(['initiated', 'ringing', 'in_progress', 'transferring', 'ended']),
  result: CallResult.nullable(),
  conversation: z.boolean(),
  occurred_at: z.number(),
  answered_at: z.number().nullable(),
  ended_at: z.number().nullable(),
  /** Talk time in (simulated) seconds: what the call would have lasted at speed 1. */
  duration_s: z.number().min(0).nullable(),
  cost: z.number().min(0).nullable(),
  hangup_reason: z.string().nullable(),
  transcript: z.array(SimTurn).nullable(),
  analysis: z
    .object({
      summary: z.string(),
      sentiment: z.enum(['positive', 'neutral', 'negative']),
      extracted: z.record(z.string(), z.unknown()),
      outcome: z.string().nullable(),
    })
    .nullable(),
  transfer: z
    .object({ state: z.enum(['started', 'bridged', 'cancelled', 'ended']), destination: z.string() })
    .nullable(),
});
export type SimulatorEvent = z.infer<typeof SimulatorEvent>;

export function signSimulatorBody(key: string, body: string | Buffer, timestampMs: number): string {
  const digest = createHmac('sha256', key).update(body).update(String(timestampMs)).digest('hex');
  return `v=${timestampMs},d=${digest}`;
}

/** The per-install signing key (created on first use), shared by the sender and the verifier. */
export function simulatorSigningKey(secrets: SecretStore): string {
  let key = secrets.get(SIGNING_KEY_SECRET);
  if (!key) {
    key = randomBytes(32).toString('hex');
    secrets.set(SIGNING_KEY_SECRET, key);
  }
  return key;
}

type Fate = 'answered' | 'voicemail' | 'busy' | 'no_answer' | 'failed';
type Scenario = SpokenScenario;

interface Script {
  turns: { speaker: TranscriptTurn['speaker']; text: string; atMs: number }[];
  talkMs: number;
  summary: string;
  sentiment: 'positive' | 'neutral' | 'negative';
  extracted: Record<string, unknown>;
  outcome: string | null;
}

/** The next thing that happens to a call, by name, so a restarted simulator can pick it up where it was. */
type Step =
  | 'initiated'
  | 'unreachable'
  | 'ringing'
  | 'busy'
  | 'unanswered'
  | 'answered'
  | 'voicemail_done'
  | 'transcript'
  | 'hangup'
  | 'analyzed'
  | 'bridged';

/** What is written to the state file: everything about a call but its timer and deliveries in progress. */
interface StoredCall {
  id: string;
  req: PlaceCallRequest;
  speed: number;
  fate: Fate;
  script: Script;
  chaos: { duplicateRate: number; reorderRate: number };
  status: Exclude<CallStatus, 'queued' | 'dialing'>;
  result: CallResult | null;
  answeredAt: number | null;
  endedAt: number | null;
  /** Simulated ms since the call was placed, as of the last step; `stepAt` is the clock time of that step. */
  simMs: number;
  stepAt: number;
  answeredSimMs: number | null;
  durationS: number | null;
  hangupReason: string | null;
  transfer: SimulatorEvent['transfer'];
  spokenTurns: number;
  analyzed: boolean;
  transcriptUpdates: number;
  lastEvent: SimulatorEvent['event'];
  /** The planned next step: its name, its clock time, and the simulated time it moves the call on by. */
  pending: { step: Step; dueAt: number; simMs: number } | null;
}

interface SimCall extends StoredCall {
  timer: TimerHandle | null;
  held: string | null;
  outbox: Promise<void>;
  delivering: number;
}

export interface SimulatorDeps {
  clock: Clock;
  logger: Logger;
  settings: SettingsService;
  secrets: SecretStore;
  /** Randomness in [0, 1); tests pass a seeded generator. */
  random?: () => number;
  /**
   * Where the simulator keeps its calls (in the data folder), so they outlive the console like a real provider's:
   * after a restart it still knows them, answers getCall, and plays them on by the clock. Without it, memory only.
   */
  stateFile?: string;
}

export class SimulatorProvider implements VoiceProvider {
  readonly name = 'simulator' as const;
  readonly label = 'Simulator (no account needed)';
  readonly capabilities: ProviderCapabilities = {
    cancel: true,
    transfer: 'api',
    reconcile: true,
    liveTranscript: true,
    callLanguage: 'per_call',
  };
  private readonly calls = new Map<string, SimCall>();
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly sleeping = new Set<{ handle: TimerHandle; resolve: () => void }>();
  private readonly random: () => number;
  private key: string | null = null;
  private disposed = false;
  // Keep-alive connections, like a provider's delivery workers (hundreds of calls share a few sockets).
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 32 });

  private readonly state: SimulatorStateFile<StoredCall> | null;

  constructor(private readonly deps: SimulatorDeps) {
    this.random = deps.random ?? Math.random;
    this.state = deps.stateFile ? new SimulatorStateFile<StoredCall>(deps.stateFile, REMEMBERED_CALLS) : null;
    // Calls placed before a restart go on where the clock says they are; steps missed while the console was down
    // happen now, in order (their events are delivered late, as a provider's retried deliveries would be).
    for (const stored of this.state?.load() ?? []) {
      const call: SimCall = { ...stored, timer: null, held: null, outbox: Promise.resolve(), delivering: 0 };
      this.calls.set(call.id, call);
      this.byIdempotencyKey.set(call.req.idempotencyKey, call.id);
    }
    for (const call of this.calls.values()) this.resume(call);
  }

  async placeCall(req: PlaceCallRequest): Promise<PlaceCallResult> {
    if (this.disposed) throw new ProviderError('simulator', 'unavailable', 'The simulator is shutting down');
    if (!E164.test(req.to)) {
      throw new ProviderError(
        'simulator',
        'invalid_request',
        `"${req.to}" is not an E.164 phone number (e.g. +919876543210)`,
        {
          status: 400,
        },
      );
    }
    if (!/^https?:\/\//.test(req.webhookUrl)) {
      throw new ProviderError('simulator', 'invalid_request', 'The webhook URL must be an http(s) URL', {
        status: 400,
      });
    }
    // Same idempotency key, same call: a retried request never rings anyone twice.
    const known = this.byIdempotencyKey.get(req.idempotencyKey);
    if (known) return { providerCallId: known };
    this.forgetOldCalls();

    const odds = this.deps.settings.get('simulator');
    const call: SimCall = {
      id: `sim_${randomBytes(9).toString('base64url')}`,
      req,
      speed: req.simSpeed && req.simSpeed > 0 ? req.simSpeed : 1,
      fate: this.pickFate(odds),
      script: this.writeScript(req),
      chaos: { duplicateRate: odds.duplicateRate, reorderRate: odds.reorderRate },
      status: 'initiated',
      result: null,
      answeredAt: null,
      endedAt: null,
      simMs: 0,
      stepAt: this.deps.clock.now(),
      answeredSimMs: null,
      durationS: null,
      hangupReason: null,
      transfer: null,
      spokenTurns: 0,
      analyzed: false,
      transcriptUpdates: 0,
      lastEvent: 'call.initiated',
      pending: null,
      timer: null,
      held: null,
      outbox: Promise.resolve(),
      delivering: 0,
    };
    this.calls.set(call.id, call);
    this.byIdempotencyKey.set(req.idempotencyKey, call.id);
    // Written before the answer: once the console has an id, the call exists whatever happens to the console.
    this.after(call, this.between(200, 800), 'initiated');
    this.save(call);
    if (this.random() < odds.lostAnswerRate) {
      // Like a provider whose answer never arrives: the call rings, the console sees a timeout.
      throw new ProviderError('simulator', 'unavailable', 'The simulator did not answer in time (chaos: lost answer)', {
        mayHaveReached: true,
      });
    }
    return { providerCallId: call.id };
  }

  /** By idempotency key, which the simulator records before it answers: its "not found" is certain. */
  async findPlacement(query: PlacementQuery): Promise<PlacementLookup> {
    const id = this.byIdempotencyKey.get(query.idempotencyKey);
    return id ? { found: true, providerCallId: id } : { found: false, certain: true };
  }

  async cancelCall(providerCallId: string): Promise<void> {
    const call = this.mustFind(providerCallId);
    if (call.status === 'ended') return;
    this.catchUp(call);
    this.end(call, 'canceled', 'Cancelled by API request');
    this.save(call);
  }

  async getCall(providerCallId: string): Promise<Omit<NormalizedEvent, 'dedupeKey'> | null> {
    const call = this.calls.get(providerCallId);
    if (!call) return null;
    this.runDue(call);
    const { dedupeKey: _ignored, ...rest } = this.normalise(this.snapshot(call, call.lastEvent, true));
    return { ...rest, kind: 'snapshot' };
  }

  async transferCall(providerCallId: string, to: string): Promise<void> {
    const call = this.mustFind(providerCallId);
    if (!E164.test(to)) {
      throw new ProviderError('simulator', 'invalid_request', `"${to}" is not an E.164 phone number to transfer to`, {
        status: 400,
      });
    }
    if (call.status !== 'in_progress' || call.fate !== 'answered') {
      throw new ProviderError(
        'simulator',
        'invalid_request',
        `Call ${providerCallId} cannot be transferred: it is ${call.status}`,
        {
          status: 409,
        },
      );
    }
    this.clearTimers(call);
    this.catchUp(call);
    call.status = 'transferring';
    call.transfer = { state: 'started', destination: to };
    this.emit(call, 'call.transferring', false);
    this.after(call, this.between(2_000, 5_000), 'bridged');
    this.save(call);
  }

  private onBridged(call: SimCall): void {
    const to = call.transfer?.destination ?? '';
    call.transfer = { state: 'bridged', destination: to };
    call.script.turns.splice(call.spokenTurns, Infinity, {
      speaker: 'system',
      text: `Call transferred to ${to}`,
      atMs: call.simMs - (call.answeredSimMs ?? 0),
    });
    call.spokenTurns = call.script.turns.length;
    call.script.summary = `${call.req.contactName || 'The customer'} was transferred to a human agent (${to}).`;
    call.script.outcome = null;
    call.script.extracted = { ...call.script.extracted, outcome: null, transferred_to: to };
    this.end(call, 'transferred', 'Transferred to a human agent');
  }

  verifyWebhook(req: WebhookRequest): void {
    const match = /^v=(\d{1,16}),d=([0-9a-f]{64})$/.exec(req.headers[SIM_SIGNATURE_HEADER] ?? '');
    if (!match) throw new WebhookRejected('bad_signature', `missing or malformed ${SIM_SIGNATURE_HEADER} header`);
    if (Math.abs(this.deps.clock.now() - Number(match[1])) > SIGNATURE_TOLERANCE_MS) {
      throw new WebhookRejected('bad_signature', 'signature timestamp is more than 5 minutes away from now');
    }
    const expected = createHmac('sha256', this.signingKey()).update(req.rawBody).update(match[1]).digest();
    if (!timingSafeEqual(expected, Buffer.from(match[2], 'hex'))) {
      throw new WebhookRejected('bad_signature', 'signature does not match the body');
    }
  }

  parseWebhook(req: WebhookRequest): NormalizedEvent[] {
    if (req.method !== 'POST') throw new WebhookRejected('malformed', 'simulator events are POSTed');
    let json: unknown;
    try {
      json = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      throw new WebhookRejected('malformed', 'body is not JSON');
    }
    const parsed = SimulatorEvent.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new WebhookRejected('malformed', `field ${issue.path.join('.') || '(body)'}: ${issue.message}`);
    }
    return [this.normalise(parsed.data)];
  }

  /**
   * Resolves once no call has a step or a delivery pending, i.e. every event has been delivered or given up on
   * (tests, benchmarks, headless runs that want everything delivered before exiting). Needs a running clock.
   */
  async settled(): Promise<void> {
    for (;;) {
      const busy = [...this.calls.values()].filter((c) => c.pending !== null || c.delivering > 0);
      if (busy.length === 0 || this.disposed) return;
      // Polls on real time on purpose: the pending steps run on the injected clock, which may be fake.
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Stops every pending timer and delivery (the core is closing); planned steps stay in the state file. */
  dispose(): void {
    this.disposed = true;
    for (const call of this.calls.values()) {
      if (call.timer) this.deps.clock.clearTimeout(call.timer);
      call.timer = null;
    }
    for (const sleeper of this.sleeping) {
      this.deps.clock.clearTimeout(sleeper.handle);
      sleeper.resolve();
    }
    this.sleeping.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  // ── the call's life ────────────────────────────────────────────────────────────────────────────

  private step(call: SimCall, step: Step): void {
    switch (step) {
      case 'initiated':
        return this.onInitiated(call);
      case 'unreachable':
        return this.end(call, 'failed', 'Destination unreachable');
      case 'ringing':
        return this.onRinging(call);
      case 'busy':
        return this.end(call, 'busy', 'Call recipient was busy');
      case 'unanswered':
        return this.end(call, 'no_answer', 'Call unanswered');
      case 'answered':
        return this.onAnswered(call);
      case 'voicemail_done':
        call.spokenTurns = call.script.turns.length;
        return this.end(call, 'voicemail', 'Voicemail reached');
      case 'transcript':
        return this.onMidCall(call);
      case 'hangup':
        call.spokenTurns = call.script.turns.length;
        return this.end(call, 'completed', this.random() < 0.5 ? 'Call recipient hung up' : 'Agent ended the call');
      case 'analyzed':
        call.analyzed = true;
        return this.emit(call, 'call.analyzed', true);
      case 'bridged':
        return this.onBridged(call);
    }
  }

  private onInitiated(call: SimCall): void {
    this.emit(call, 'call.initiated', false);
    if (call.fate === 'failed') {
      this.after(call, this.between(500, 2_000), 'unreachable');
      return;
    }
    this.after(call, this.between(1_000, 3_000), 'ringing');
  }

  private onRinging(call: SimCall): void {
    call.status = 'ringing';
    this.emit(call, 'call.ringing', false);
    switch (call.fate) {
      case 'busy':
        this.after(call, this.between(1_000, 3_000), 'busy');
        return;
      case 'no_answer':
        this.after(call, this.between(25_000, 35_000), 'unanswered');
        return;
      case 'voicemail':
        this.after(call, this.between(8_000, 15_000), 'answered');
        return;
      default:
        this.after(call, this.between(3_000, 12_000), 'answered');
    }
  }

  private onAnswered(call: SimCall): void {
    call.status = 'in_progress';
    call.answeredAt = call.stepAt;
    call.answeredSimMs = call.simMs;
    this.emit(call, 'call.answered', false);
    if (call.fate === 'voicemail') {
      const name = call.req.contactName || 'the customer';
      call.script = {
        turns: [
          {
            speaker: 'customer',
            text: `Hi, you've reached ${name}. Please leave a message after the tone.`,
            atMs: 500,
          },
          {
            speaker: 'agent',
            text: `Hello ${name}, this is a courtesy call. We'll try you again later. Thank you.`,
            atMs: 7_000,
          },
        ],
        talkMs: 0,
        summary: `Reached ${name}'s voicemail; left a short message.`,
        sentiment: 'neutral',
        extracted: { voicemail: true },
        outcome: null,
      };
      this.after(call, this.between(15_000, 25_000), 'voicemail_done');
      return;
    }
    // Turns are spoken at their planned offsets; the transcript so far goes out once mid-call (live transcript).
    this.after(call, this.midCallAt(call), 'transcript');
  }

  private midCallAt(call: SimCall): number {
    const half = Math.max(1, Math.floor(call.script.turns.length / 2));
    return call.script.turns[half - 1].atMs + 500;
  }

  private onMidCall(call: SimCall): void {
    call.spokenTurns = Math.max(1, Math.floor(call.script.turns.length / 2));
    call.transcriptUpdates++;
    this.emit(call, 'call.transcript', false);
    this.after(call, call.script.talkMs - this.midCallAt(call), 'hangup');
  }

  private end(call: SimCall, result: CallResult, reason: string): void {
    this.clearTimers(call);
    call.status = 'ended';
    call.result = result;
    call.endedAt = call.stepAt;
    call.hangupReason = reason;
    if (call.answeredSimMs !== null) call.durationS = Math.round((call.simMs - call.answeredSimMs) / 100) / 10;
    else call.durationS = 0;
    if (result === 'canceled' && call.answeredAt !== null) {
      call.script.summary = `The call was stopped by the console after ${call.durationS} s.`;
      call.script.outcome = null;
    }
    const answered = call.answeredAt !== null;
    this.emit(call, 'call.ended', !answered);
    if (!answered) return;
    this.after(call, this.between(2_000, 5_000), 'analyzed');
  }

  /** Brings the simulated time up to now (for steps the console triggers between two planned ones). */
  private catchUp(call: SimCall): void {
    const now = this.deps.clock.now();
    call.simMs += (now - call.stepAt) * call.speed;
    call.stepAt = now;
    if (call.answeredSimMs !== null && call.status === 'in_progress') {
      const elapsed = call.simMs - call.answeredSimMs;
      call.spokenTurns = call.script.turns.filter((t) => t.atMs <= elapsed).length;
    }
  }

  /**
   * Plans the call's next step `simMs` of simulated time after its current one (real time = simMs / speed). Steps
   * are timed from the step before, not from now, so a call resumed after a restart keeps its own timeline.
   */
  private after(call: SimCall, simMs: number, step: Step): void {
    const ms = Math.max(0, simMs);
    call.pending = { step, dueAt: call.stepAt + ms / call.speed, simMs: ms };
    this.schedule(call);
  }

  private schedule(call: SimCall): void {
    if (call.timer) this.deps.clock.clearTimeout(call.timer);
    call.timer = null;
    if (!call.pending || this.disposed) return;
    const handle = this.deps.clock.setTimeout(
      () => {
        call.timer = null;
        if (!this.disposed) this.runDue(call);
      },
      Math.max(0, call.pending.dueAt - this.deps.clock.now()),
    );
    handle.unref?.();
    call.timer = handle;
  }

  /** Runs every planned step whose time has come, in order, and keeps the state file up to date. */
  private runDue(call: SimCall): void {
    let moved = false;
    while (call.pending && call.pending.dueAt <= this.deps.clock.now()) {
      const { step, dueAt, simMs } = call.pending;
      call.pending = null;
      call.simMs += simMs;
      call.stepAt = dueAt;
      this.step(call, step);
      moved = true;
    }
    if (moved) this.save(call);
    if (call.pending && !call.timer) this.schedule(call);
  }

  /** A call loaded from the state file: catch up with the clock, then plan the rest. */
  private resume(call: SimCall): void {
    this.runDue(call);
    this.schedule(call);
  }

  private clearTimers(call: SimCall): void {
    if (call.timer) this.deps.clock.clearTimeout(call.timer);
    call.timer = null;
    call.pending = null;
  }

  private save(call: SimCall): void {
    if (!this.state) return;
    this.state.save(storedCall(call));
    this.state.compactIfLarge(() => [...this.calls.values()].map(storedCall));
  }

  // ── delivery ──────────────────────────────────────────────────────────────────────────────────

  /** Sends the call's current state as `kind`; chaos settings duplicate it or swap it with the next event. */
  private emit(call: SimCall, kind: SimulatorEvent['event'], last: boolean): void {
    call.lastEvent = kind;
    const body = JSON.stringify(this.snapshot(call, kind, false));
    const out: string[] = [];
    if (call.held !== null) {
      out.push(body, call.held);
      call.held = null;
    } else if (!last && this.random() < call.chaos.reorderRate) {
      call.held = body;
      return;
    } else {
      out.push(body);
    }
    for (const item of out) {
      this.send(call, item);
      if (this.random() < call.chaos.duplicateRate) this.send(call, item);
    }
  }

  /** One call's deliveries go out one after another, so only chaos reorders them. */
  private send(call: SimCall, body: string): void {
    call.delivering++;
    call.outbox = call.outbox.then(() => this.post(call, body)).finally(() => call.delivering--);
  }

  private async post(call: SimCall, body: string): Promise<void> {
    let problem = '';
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      if (this.disposed) return;
      if (attempt > 0) await this.sleep(RETRY_DELAYS_MS[attempt - 1]);
      if (this.disposed) return;
      try {
        const status = await this.postOnce(call.req.webhookUrl, body);
        if (status >= 200 && status < 300) return;
        problem = `HTTP ${status}`;
        // Like real providers: a refusal (bad secret/signature, malformed) is not retried; 429 and 5xx are.
        if (status < 500 && status !== 429) break;
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
    }
    this.deps.logger.log('warn', 'simulator', `gave up delivering an event of call ${call.id}: ${problem}`);
  }

  private postOnce(url: string, body: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const req = (secure ? httpsRequest : httpRequest)(
        target,
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          timeout: POST_TIMEOUT_MS,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            [SIM_SIGNATURE_HEADER]: signSimulatorBody(this.signingKey(), body, this.deps.clock.now()),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${POST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        handle: this.deps.clock.setTimeout(() => {
          this.sleeping.delete(sleeper);
          resolve();
        }, ms),
        resolve,
      };
      sleeper.handle.unref?.();
      this.sleeping.add(sleeper);
    });
  }

  private signingKey(): string {
    this.key ??= simulatorSigningKey(this.deps.secrets);
    return this.key;
  }

  // ── wire format ───────────────────────────────────────────────────────────────────────────────

  /** The call as it stands after `kind`; `full` (getCall) also shows what was said so far and any analysis. */
  private snapshot(call: SimCall, kind: SimulatorEvent['event'], full: boolean): SimulatorEvent {
    const ended = call.status === 'ended';
    const answered = call.answeredAt !== null;
    const showTranscript = answered && (kind === 'call.transcript' || call.analyzed || full);
    const turns = call.script.turns.slice(0, call.spokenTurns);
    return {
      event: kind,
      event_id: kind === 'call.transcript' ? `${kind}#${call.transcriptUpdates}` : kind,
      call_id: call.id,
      metadata: { attempt_id: call.req.callId, idempotency_key: call.req.idempotencyKey },
      to: call.req.to,
      status: call.status,
      result: call.result,
      conversation: ended && answered && call.fate === 'answered' && (call.durationS ?? 0) > 0,
      occurred_at: full ? this.deps.clock.now() : call.stepAt,
      answered_at: call.answeredAt,
      ended_at: call.endedAt,
      duration_s: ended ? call.durationS : null,
      cost: ended ? Math.round((call.durationS ?? 0) * 0.15) / 100 : null,
      hangup_reason: call.hangupReason,
      transcript: showTranscript ? turns.map((t) => ({ speaker: t.speaker, text: t.text, at_ms: t.atMs })) : null,
      analysis:
        call.analyzed || (full && ended && answered)
          ? {
              summary: call.script.summary,
              sentiment: call.script.sentiment,
              extracted: call.script.extracted,
              outcome: call.script.outcome,
            }
          : null,
      transfer: call.transfer,
    };
  }

  private normalise(e: SimulatorEvent): NormalizedEvent {
    const event: NormalizedEvent = {
      provider: 'simulator',
      providerCallId: e.call_id,
      callId: e.metadata.attempt_id,
      dedupeKey: `${e.call_id}:${e.event_id}`,
      kind: e.event,
      status: e.status,
      occurredAt: e.occurred_at,
    };
    if (e.status === 'ended' && e.result) {
      event.result = e.result;
      event.conversation = e.conversation;
    }
    if (e.answered_at !== null) event.answeredAt = e.answered_at;
    if (e.ended_at !== null) event.endedAt = e.ended_at;
    if (e.duration_s !== null) event.durationS = e.duration_s;
    if (e.cost !== null) event.cost = e.cost;
    if (e.hangup_reason !== null) event.hangupReason = e.hangup_reason;
    if (e.transcript) event.transcript = e.transcript.map((t) => ({ speaker: t.speaker, text: t.text, atMs: t.at_ms }));
    if (e.analysis) {
      event.summary = e.analysis.summary;
      event.sentiment = e.analysis.sentiment;
      event.extracted = e.analysis.extracted;
      if (e.analysis.outcome) event.outcomeHint = e.analysis.outcome;
    }
    if (e.transfer) event.transfer = e.transfer;
    return event;
  }

  // ── randomness and scripts ────────────────────────────────────────────────────────────────────

  private between(min: number, max: number): number {
    return Math.round(min + this.random() * (max - min));
  }

  private pickFate(odds: { answerRate: number; busyRate: number; voicemailRate: number; failRate: number }): Fate {
    // Rates are read as weights; whatever they leave below 1 is "no answer".
    const weights: [Fate, number][] = [
      ['failed', odds.failRate],
      ['busy', odds.busyRate],
      ['voicemail', odds.voicemailRate],
      ['answered', odds.answerRate],
    ];
    const total = Math.max(
      1,
      weights.reduce((s, [, w]) => s + w, 0),
    );
    let r = this.random() * total;
    for (const [fate, weight] of weights) {
      if (r < weight) return fate;
      r -= weight;
    }
    return 'no_answer';
  }

  private pickScenario(): Scenario {
    const weights: [Scenario, number][] = [
      ['confirmed', 0.45],
      ['rescheduled', 0.15],
      ['not_interested', 0.1],
      ['callback_requested', 0.1],
      ['cancelled', 0.08],
      ['wrong_person', 0.05],
      ['none', 0.07],
    ];
    let r = this.random();
    for (const [scenario, weight] of weights) {
      if (r < weight) return scenario;
      r -= weight;
    }
    return 'none';
  }

  /** A short, plausible conversation from the contact's name and variables (order id, amount, product…). */
  private writeScript(req: PlaceCallRequest): Script {
    const variable = (pattern: RegExp): string | undefined => {
      const key = Object.keys(req.variables).find((k) => pattern.test(k) && req.variables[k].trim() !== '');
      return key ? req.variables[key].trim() : undefined;
    };
    const fullName = req.contactName.trim();
    const name = fullName.split(/\s+/)[0] || 'there';
    const orderId = variable(/order/i);
    const amount = variable(/amount|total|price|cod/i);
    const product = variable(/product|item/i);
    const company = variable(/company|brand|store|shop/i);
    const subject = orderId
      ? `your order ${orderId}${product ? ` (${product})` : ''}${amount ? ` of ${amount}` : ''}`
      : product
        ? `your ${product}`
        : 'your recent request';
    const scenario = this.pickScenario();
    const day = new Date(this.deps.clock.now() + this.between(2, 5) * 86_400_000).toISOString().slice(0, 10);
    const time = ['10:00', '12:30', '15:00', '17:30'][this.between(0, 3)];
    const speech = phrasebookFor(req.language);
    const said = { name, fullName, company, orderId, amount, product, day, time };

    const lines: [TranscriptTurn['speaker'], string][] = [['agent', speech.greeting(said)]];
    let summary: string;
    let sentiment: Script['sentiment'] = 'neutral';
    const extracted: Record<string, unknown> = {
      customer_name: fullName || null,
      ...(orderId ? { order_id: orderId } : {}),
    };
    let outcome: string | null = scenario === 'none' ? null : scenario;
    if (scenario === 'wrong_person') {
      lines.push(['customer', speech.wrongPerson[0](said)], ['agent', speech.wrongPerson[1](said)]);
      summary = `The person who answered is not ${fullName || 'the contact'}; wrong number.`;
    } else {
      const [customer, agent] = speech.replies[scenario];
      lines.push(['customer', speech.speaking(said)], ['agent', speech.ask(said)]);
      lines.push(['customer', customer(said)], ['agent', agent(said)]);
      switch (scenario) {
        case 'confirmed':
          summary = `${name} confirmed ${subject}.`;
          sentiment = 'positive';
          extracted.confirmed = true;
          break;
        case 'rescheduled':
          summary = `${name} asked to reschedule ${subject} to ${day} ${time}.`;
          sentiment = 'positive';
          extracted.reschedule_date = day;
          extracted.reschedule_time = time;
          break;
        case 'not_interested':
          summary = `${name} is not interested in ${subject}.`;
          sentiment = 'negative';
          break;
        case 'callback_requested':
          summary = `${name} asked for a call back on ${day} after ${time}.`;
          extracted.callback_at = `${day} ${time}`;
          break;
        case 'cancelled':
          summary = `${name} cancelled ${subject}.`;
          sentiment = 'negative';
          extracted.confirmed = false;
          break;
        default:
          summary = `${name} did not decide about ${subject}.`;
          outcome = null;
      }
    }
    extracted.outcome = outcome;
    let atMs = 1_000;
    const turns = lines.map(([speaker, text]) => {
      const turn = { speaker, text, atMs };
      atMs += 2_000 + text.length * 60 + this.between(0, 2_000);
      return turn;
    });
    return { turns, talkMs: atMs + this.between(1_000, 3_000), summary, sentiment, extracted, outcome };
  }

  private mustFind(providerCallId: string): SimCall {
    const call = this.calls.get(providerCallId);
    if (!call)
      throw new ProviderError('simulator', 'not_found', `The simulator has no call ${providerCallId}`, { status: 404 });
    return call;
  }

  private forgetOldCalls(): void {
    if (this.calls.size < REMEMBERED_CALLS) return;
    for (const [id, call] of this.calls) {
      if (this.calls.size < REMEMBERED_CALLS * 0.9) break;
      if (call.status !== 'ended' || call.pending !== null) continue;
      this.calls.delete(id);
      this.byIdempotencyKey.delete(call.req.idempotencyKey);
    }
  }
}

function storedCall(call: SimCall): StoredCall {
  const { timer: _timer, held: _held, outbox: _outbox, delivering: _delivering, ...stored } = call;
  return stored;
}
