import { z } from 'zod';
import type { RecordingJob, RecordingSettingsView, RecordingState, RecordingStats } from '@shared/contract/recordings';
import type { Call, TranscriptTurn } from '@shared/domain';
import type { EventBus } from '../bus';
import type { Platform, TimerHandle } from '../platform';
import type { SecretStore } from '../settings/settings';
import type { Db } from '../store/db';
import { redactUrlCredentials } from '../redact';
import {
  RecordingsRepository,
  toRecordingJob,
  type JobRow,
  type NewJob,
  type Step,
} from '../store/repositories/recordings';
import { SettingsRepository } from '../store/repositories/settings';
import { AssemblyAiClient, overallTone, transcriptLines, type TranscriptResponse } from './assemblyai';
import { credentialsApply, downloadRecording, type RecordingCredentials } from './exotel-recording';
import { StepError, hostOf } from './http';
import { buildSlackMessages, concernOf, type SlackMessage } from './message';
import { callDirection, describeRecordErrors, payloadFromZapier, RecordingPayload, ZapierCallRecord } from './record';
import { postToSlack } from './slack';
import { decodeCredentials, encodeCredentials, splitUrlCredentials, urlCredentialsSecret } from './url-credentials';

// Call recordings → transcription → Slack, exactly once. A durable queue in SQLite: each job moves
// queued → transcribing → posting → posted (or failed, with the step Retry resumes at). Every step writes its result
// before the next request goes out, so a restart resumes; a Slack part that was in flight when the process stopped is
// never re-sent on its own, because incoming webhooks cannot tell a resend from a new message.

export const SECRET_SLACK_WEBHOOK = 'recordings.slack_webhook_url';
export const SECRET_ASSEMBLYAI_KEY = 'recordings.assemblyai_key';
/** Shared with the Exotel provider settings (Settings → Providers → Exotel). */
export const SECRET_EXOTEL_KEY = 'provider.exotel.apiKey';
export const SECRET_EXOTEL_TOKEN = 'provider.exotel.apiToken';

const SETTINGS_KEY = 'recordings';

export const RecordingSettings = z.object({
  supportNumber: z.string().default(''),
  processConsoleCalls: z.boolean().default(false),
  /** Adds "• Direction: Incoming/Outgoing" to the Slack post's metadata (not in the team's layout, so off). */
  slackShowDirection: z.boolean().default(false),
  assemblyaiBaseUrl: z.string().url().default('https://api.assemblyai.com'),
  exotelAuthHosts: z.array(z.string()).default(['exotel.com', 'exotel.in']),
});
export type RecordingSettings = z.infer<typeof RecordingSettings>;

export interface Tuning {
  /** Jobs advanced at the same time. */
  concurrency: number;
  /** Delay before the n-th retry of a step after a transient failure; the last value repeats. */
  retryDelaysMs: number[];
  /** Transient failures of one step before the job is marked failed (Retry starts counting again). */
  maxAttempts: number;
  /** Transcript polling: first delay, growth factor, cap, and how many polls before giving up. */
  pollFirstMs: number;
  pollGrowth: number;
  pollMaxMs: number;
  maxPolls: number;
  apiTimeoutMs: number;
  uploadTimeoutMs: number;
  downloadTimeoutMs: number;
  slackTimeoutMs: number;
}

export const DEFAULT_TUNING: Tuning = {
  concurrency: 4,
  retryDelaysMs: [5_000, 15_000, 60_000, 180_000, 600_000],
  maxAttempts: 8,
  pollFirstMs: 3_000,
  pollGrowth: 1.5,
  pollMaxMs: 30_000,
  maxPolls: 400,
  apiTimeoutMs: 30_000,
  uploadTimeoutMs: 300_000,
  downloadTimeoutMs: 120_000,
  slackTimeoutMs: 15_000,
};

export interface RecordingsDeps {
  db: Db;
  bus: EventBus;
  platform: Platform;
  secrets: SecretStore;
  /** URL of POST /hooks/<name>/<secret> when the webhook server runs (local or public). */
  hookUrl: (name: 'zapier' | 'assemblyai') => string | null;
  /** True when the webhook server is reachable from the internet (tunnel or the user's own URL). */
  isPublic: () => boolean;
  tuning?: Partial<Tuning>;
}

export interface HookAnswer {
  status: 200 | 400;
  body: Record<string, unknown>;
}

export class RecordingsService {
  private readonly repo: RecordingsRepository;
  private readonly settingsRepo: SettingsRepository;
  private readonly tuning: Tuning;
  private timer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private started = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: RecordingsDeps) {
    this.repo = new RecordingsRepository(deps.db);
    this.settingsRepo = new SettingsRepository(deps.db);
    this.tuning = { ...DEFAULT_TUNING, ...deps.tuning };
  }

  private now(): number {
    return this.deps.platform.clock.now();
  }

  // ---- settings -------------------------------------------------------------------------------------------------

  settings(): RecordingSettings {
    const parsed = RecordingSettings.safeParse(this.settingsRepo.get(SETTINGS_KEY) ?? {});
    return parsed.success ? parsed.data : RecordingSettings.parse({});
  }

  updateSettings(patch: {
    supportNumber?: string;
    processConsoleCalls?: boolean;
    slackShowDirection?: boolean;
    assemblyaiBaseUrl?: string;
    exotelAuthHosts?: string[];
    slackWebhookUrl?: string | null;
    assemblyaiKey?: string | null;
    exotelApiKey?: string | null;
    exotelApiToken?: string | null;
  }): RecordingSettingsView {
    const { slackWebhookUrl, assemblyaiKey, exotelApiKey, exotelApiToken, ...plain } = patch;
    const next = RecordingSettings.parse({ ...this.settings(), ...stripUndefined(plain) });
    this.settingsRepo.set(SETTINGS_KEY, next);
    this.setSecret(SECRET_SLACK_WEBHOOK, slackWebhookUrl);
    this.setSecret(SECRET_ASSEMBLYAI_KEY, assemblyaiKey);
    this.setSecret(SECRET_EXOTEL_KEY, exotelApiKey);
    this.setSecret(SECRET_EXOTEL_TOKEN, exotelApiToken);
    return this.settingsView();
  }

  private setSecret(name: string, value: string | null | undefined): void {
    if (value === undefined) return;
    if (value === null) this.deps.secrets.delete(name);
    else this.deps.secrets.set(name, value);
  }

  /** Never the secrets themselves: whether each is set, and its last four characters. */
  settingsView(): RecordingSettingsView {
    const s = this.settings();
    const { secrets } = this.deps;
    const exotel = secrets.has(SECRET_EXOTEL_KEY) && secrets.has(SECRET_EXOTEL_TOKEN);
    return {
      ...s,
      zapierHookUrl: this.deps.hookUrl('zapier'),
      slackWebhook: { configured: secrets.has(SECRET_SLACK_WEBHOOK), hint: secrets.hint(SECRET_SLACK_WEBHOOK) },
      assemblyaiKey: { configured: secrets.has(SECRET_ASSEMBLYAI_KEY), hint: secrets.hint(SECRET_ASSEMBLYAI_KEY) },
      exotelCredentials: { configured: exotel, hint: exotel ? secrets.hint(SECRET_EXOTEL_KEY) : null },
    };
  }

  // ---- intake ---------------------------------------------------------------------------------------------------

  /**
   * POST /hooks/zapier/<secret>: validate, persist, answer. Processing happens in the background; a call_id seen
   * before is acknowledged (so the automation does not retry) and skipped.
   */
  receive(body: unknown): HookAnswer {
    const at = new Date(this.now()).toISOString();
    const parsed = ZapierCallRecord.safeParse(body);
    if (!parsed.success) {
      return {
        status: 400,
        body: {
          success: false,
          error: `Invalid call record: ${describeRecordErrors(parsed.error, body)}`,
          timestamp: at,
        },
      };
    }
    const { payload, credentials } = withoutUrlCredentials(payloadFromZapier(parsed.data));
    const where = callDirection(payload, this.settings().supportNumber);
    const { id, duplicate } = this.insertJob(credentials, {
      source: 'zapier',
      externalId: payload.callId,
      payloadJson: JSON.stringify(payload),
      ...where,
      now: this.now(),
    });
    this.log(
      'info',
      duplicate ? `Call record ${payload.callId} delivered again; skipped` : `Call record ${payload.callId} queued`,
      { jobId: id },
    );
    this.publish(id);
    if (!duplicate) this.kick();
    return {
      status: 200,
      body: {
        success: true,
        message: duplicate ? 'Duplicate call_id: already received, not processed again' : 'Call queued for processing',
        call_id: payload.callId,
        duplicate,
        timestamp: at,
      },
    };
  }

  /** The console's own finished calls, when the switch is on. An Exotel call is keyed by its Sid, like Zapier's. */
  enqueueConsoleCall(call: Call): void {
    if (call.status !== 'ended' || !call.recordingUrl) return;
    const externalId = call.provider === 'exotel' && call.providerCallId ? call.providerCallId : `console:${call.id}`;
    if (this.repo.byExternalId(externalId)) return;
    const support = this.settings().supportNumber;
    const { payload, credentials } = withoutUrlCredentials({
      callId: call.providerCallId ?? `console-${call.id}`,
      fromNumber: support,
      toNumber: call.phone,
      durationS: call.durationS,
      recordingUrl: call.recordingUrl,
      occurredAt: call.endedAt,
      status: call.result,
      agentName: null,
      agentSlackHandle: null,
      department: null,
      customerSegment: call.contactName,
      consoleCallId: call.id,
    });
    const { id, duplicate } = this.insertJob(credentials, {
      source: 'console',
      externalId,
      payloadJson: JSON.stringify(payload),
      direction: 'outgoing',
      supportNumber: support || 'not set',
      customerNumber: call.phone,
      now: this.now(),
    });
    if (duplicate) return;
    this.log('info', `Console call ${call.id} queued for transcription`, { jobId: id });
    this.publish(id);
    this.kick();
  }

  /** POST /hooks/assemblyai/<secret>: {transcript_id, status}, no text; the job polls at once to fetch it. */
  transcriptReady(body: unknown): HookAnswer {
    const parsed = z.object({ transcript_id: z.string().min(1).max(200), status: z.string().max(40) }).safeParse(body);
    if (!parsed.success) return { status: 400, body: { error: 'expected {"transcript_id", "status"}' } };
    const id = this.repo.wakeTranscript(parsed.data.transcript_id, this.now());
    if (id !== null) this.kick();
    return { status: 200, body: { ok: true, known: id !== null } };
  }

  // ---- queries --------------------------------------------------------------------------------------------------

  list(states: RecordingState[] | undefined, limit: number): RecordingJob[] {
    return this.repo.list(states, limit).map((r) => this.view(r));
  }

  get(id: number): { job: RecordingJob; transcript: string | null } | undefined {
    const row = this.repo.get(id);
    return row ? { job: this.view(row), transcript: row.transcript_text } : undefined;
  }

  stats(): RecordingStats {
    return this.repo.stats();
  }

  /** The job for a Zapier record's call_id (or `console:<id>`), with the record as it was received. */
  byCallId(callId: string): { job: RecordingJob; payload: RecordingPayload; transcript: string | null } | undefined {
    const row = this.repo.byExternalId(callId);
    if (!row) return undefined;
    return {
      job: this.view(row),
      payload: RecordingPayload.parse(JSON.parse(row.payload_json)),
      transcript: row.transcript_text,
    };
  }

  /** Puts a failed job back at the step where it stopped; returns undefined when it is not failed. */
  retry(id: number): RecordingJob | undefined {
    if (!this.repo.requeue(id, this.now())) return undefined;
    this.log('info', `Recording job ${id} retried by the user`, { jobId: id });
    this.publish(id);
    this.kick();
    const row = this.repo.get(id);
    return row ? this.view(row) : undefined;
  }

  // ---- worker ---------------------------------------------------------------------------------------------------

  /** Resumes the queue. A Slack part left in flight by the previous run is marked failed for the user to check. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const row of this.repo.inflightPosts()) {
      const total = row.slack_parts_total ?? 1;
      this.repo.setFailed(
        row.id,
        'posting',
        `The console stopped while part ${(row.slack_inflight_part ?? 0) + 1} of ${total} was being sent to Slack, so it may ` +
          'already be in the channel. Check the channel; Retry sends that part again.',
        this.now(),
      );
      this.log('warn', `Recording job ${row.id}: Slack post in doubt after a restart; waiting for the user`, {
        jobId: row.id,
      });
    }
    this.unsubscribe = this.deps.bus.subscribe((event) => {
      if (event.type === 'call.updated' && this.settings().processConsoleCalls) this.enqueueConsoleCall(event.payload);
    });
    this.kick();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) this.deps.platform.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Resolves when the worker has nothing due right now (tests and shutdown wait on it). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  kick(): void {
    if (!this.started) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.runLoop().finally(() => {
      this.running = null;
    });
  }

  private async runLoop(): Promise<void> {
    do {
      this.rerun = false;
      for (;;) {
        if (!this.started) return;
        const due = this.repo.due(this.now(), this.tuning.concurrency);
        if (due.length === 0) break;
        await Promise.all(due.map((job) => this.advance(job)));
      }
    } while (this.rerun && this.started);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    const { clock } = this.deps.platform;
    if (this.timer) clock.clearTimeout(this.timer);
    this.timer = null;
    const at = this.repo.nextDueAt();
    if (at === null || !this.started) return;
    this.timer = clock.setTimeout(
      () => {
        this.timer = null;
        this.kick();
      },
      Math.max(0, at - this.now()),
    );
    this.timer.unref?.();
  }

  /** One step of one job. Every path changes the job's state or pushes next_at forward. */
  /** The job and the credentials taken out of its recording URL, in one commit: a job never waits for lost ones. */
  private insertJob(credentials: RecordingCredentials | null, job: NewJob): { id: number; duplicate: boolean } {
    return this.deps.db.transaction(() => {
      const inserted = this.repo.insertOrCountDuplicate(job);
      if (inserted.duplicate) return inserted;
      // Set or cleared: a job id reused after a wipe must not inherit the credentials of the job it replaces.
      const name = urlCredentialsSecret(inserted.id);
      if (credentials) this.deps.secrets.set(name, encodeCredentials(credentials));
      else this.deps.secrets.delete(name);
      return inserted;
    })();
  }

  private async advance(job: JobRow): Promise<void> {
    const step: Step = job.state === 'transcribing' ? 'transcribing' : job.state === 'posting' ? 'posting' : 'queued';
    try {
      const payload = RecordingPayload.parse(JSON.parse(job.payload_json));
      if (step === 'queued') await this.submit(job, payload);
      else if (step === 'transcribing') await this.poll(job, payload);
      else await this.post(job);
    } catch (err) {
      this.fail(job, step, err);
    }
    this.publish(job.id);
  }

  private fail(job: JobRow, step: Step, err: unknown): void {
    const now = this.now();
    if (!(err instanceof StepError)) {
      const message = err instanceof Error ? err.message : String(err);
      this.log('error', `Recording job ${job.id} failed unexpectedly at ${step}: ${message}`, { jobId: job.id });
      this.markFailed(job, step, `Unexpected error while ${stepLabel(step)}: ${message}`);
      return;
    }
    if (step === 'posting' && err.kind !== 'in_doubt') this.repo.clearSending(job.id);
    if (err.kind === 'transient') {
      if (job.attempts + 1 >= this.tuning.maxAttempts) {
        this.markFailed(job, step, `${err.message} Gave up after ${job.attempts + 1} tries; Retry to try again.`);
        return;
      }
      const delays = this.tuning.retryDelaysMs;
      const delay = Math.max(err.retryAfterMs ?? 0, delays[Math.min(job.attempts, delays.length - 1)]);
      this.repo.setRetryLater(
        job.id,
        redactUrlCredentials(`${err.message} Trying again in ${Math.ceil(delay / 1000)} s.`),
        now + delay,
        now,
      );
      this.log('warn', `Recording job ${job.id}: ${err.message} (retry ${job.attempts + 1})`, { jobId: job.id });
      return;
    }
    const doubt = err.kind === 'in_doubt' ? ' Check the channel; Retry sends that part again.' : '';
    this.markFailed(job, step, `${err.message}${doubt}`);
  }

  private markFailed(job: JobRow, step: Step, raw: string): void {
    // Stored, shown and backed up: a message quoting an address must not carry its credentials.
    const message = redactUrlCredentials(raw);
    this.repo.setFailed(job.id, step, message, this.now());
    this.log('error', `Recording job ${job.id} (${job.external_id}) failed: ${message}`, { jobId: job.id });
    this.deps.bus.publish('notice', {
      level: 'error',
      message: `Recording of call ${job.external_id}: ${message}`,
      at: this.now(),
    });
  }

  private assemblyAi(): AssemblyAiClient {
    const apiKey = this.deps.secrets.get(SECRET_ASSEMBLYAI_KEY);
    if (!apiKey)
      throw new StepError(
        'permanent',
        'The AssemblyAI API key is not set. Add it in Settings → Recordings, then Retry.',
      );
    return new AssemblyAiClient({
      baseUrl: this.settings().assemblyaiBaseUrl,
      apiKey,
      timeoutMs: this.tuning.apiTimeoutMs,
      uploadTimeoutMs: this.tuning.uploadTimeoutMs,
      now: () => this.now(),
    });
  }

  /**
   * Recordings on Exotel's hosts need the account's credentials, so they are downloaded here and uploaded to
   * AssemblyAI; any other (public) URL is handed to AssemblyAI as it is.
   */
  private async submit(job: JobRow, payload: RecordingPayload): Promise<void> {
    const client = this.assemblyAi();
    let audioUrl = job.upload_url;
    if (!audioUrl) {
      const fromUrl = decodeCredentials(this.deps.secrets.get(urlCredentialsSecret(job.id)));
      const allowed = credentialsApply(payload.recordingUrl, this.settings().exotelAuthHosts);
      if (fromUrl && !allowed) {
        const host = hostOf(payload.recordingUrl);
        throw new StepError(
          'permanent',
          `The recording URL carries credentials for ${host}, which is not among the hosts allowed to receive them. Add ${new URL(payload.recordingUrl).hostname} to those hosts in Settings → Recordings if it is yours, then Retry.`,
        );
      }
      if (allowed) {
        const key = this.deps.secrets.get(SECRET_EXOTEL_KEY);
        const token = this.deps.secrets.get(SECRET_EXOTEL_TOKEN);
        const audio = await downloadRecording(
          payload.recordingUrl,
          fromUrl ?? (key && token ? { apiKey: key, apiToken: token } : null),
          this.tuning.downloadTimeoutMs,
        );
        audioUrl = await client.upload(audio.bytes);
        this.deps.db.transaction(() => {
          this.repo.setUploaded(job.id, audioUrl!, this.now());
          // Downloaded once and for all: the URL's credentials are not needed again.
          this.deps.secrets.delete(urlCredentialsSecret(job.id));
        })();
        this.log(
          'info',
          `Recording job ${job.id}: ${audio.bytes.length} bytes from ${hostOf(payload.recordingUrl)} uploaded`,
          { jobId: job.id },
        );
      } else {
        audioUrl = payload.recordingUrl;
      }
    }
    // AssemblyAI can only call back through a public URL; polling covers the rest (and a lost callback).
    const callback = this.deps.isPublic() ? this.deps.hookUrl('assemblyai') : null;
    const transcriptId = await client.submit(audioUrl, callback);
    this.repo.setSubmitted(job.id, transcriptId, this.now() + this.pollDelay(0), this.now());
  }

  private pollDelay(polls: number): number {
    const t = this.tuning;
    return Math.min(t.pollMaxMs, Math.round(t.pollFirstMs * t.pollGrowth ** polls));
  }

  private async poll(job: JobRow, payload: RecordingPayload): Promise<void> {
    if (!job.transcript_id) throw new Error('transcribing without a transcript id');
    const transcript = await this.assemblyAi().get(job.transcript_id);
    if (transcript.status === 'error') {
      throw new StepError(
        'permanent',
        `AssemblyAI could not transcribe the recording: ${transcript.error ?? 'no reason given'}. Check that the recording URL plays, then Retry.`,
      );
    }
    if (transcript.status !== 'completed') {
      if (job.polls + 1 >= this.tuning.maxPolls) {
        throw new StepError(
          'permanent',
          `AssemblyAI had not finished transcript ${job.transcript_id} after ${job.polls + 1} checks.`,
        );
      }
      this.repo.setPolled(job.id, this.now() + this.pollDelay(job.polls + 1), this.now());
      return;
    }
    this.storeTranscript(job, payload, transcript);
  }

  private storeTranscript(job: JobRow, payload: RecordingPayload, transcript: TranscriptResponse): void {
    const lines = transcriptLines(transcript);
    const tone = overallTone(transcript);
    const messages = buildSlackMessages({
      payload,
      direction: job.direction,
      supportNumber: job.support_number,
      customerNumber: job.customer_number,
      lines,
      tone,
      receivedAt: job.received_at,
      extras: { direction: this.settings().slackShowDirection },
    });
    const labelled = lines.map((l) => (l.speaker ? `Speaker ${l.speaker}: ${l.text}` : l.text));
    const roles = speakerRoles(lines, job.direction);
    const now = this.now();
    const callId = this.repo.storeTranscript(job.id, {
      text: labelled.join('\n'),
      messagesJson: JSON.stringify(messages),
      now,
      existingCallId: payload.consoleCallId,
      idempotencyKey: `recording:${job.external_id}`,
      call: {
        phone: job.customer_number,
        providerCallId: job.source === 'zapier' ? payload.callId : null,
        endedAt: payload.occurredAt ?? job.received_at,
        durationS: payload.durationS,
        recordingUrl: payload.recordingUrl,
        summary: concernOf(lines, tone),
        turns: lines.map((l) => ({ speaker: roles(l.speaker), text: l.text, atMs: l.atMs })),
        searchText: labelled.join('\n'),
      },
    });
    this.log(
      'info',
      `Recording job ${job.id}: transcript stored with call ${callId}; ${messages.length} Slack message(s) to send`,
      { jobId: job.id },
    );
  }

  private async post(job: JobRow): Promise<void> {
    const url = this.deps.secrets.get(SECRET_SLACK_WEBHOOK);
    if (!url)
      throw new StepError(
        'permanent',
        'The Slack webhook URL is not set. Add it in Settings → Recordings, then Retry.',
      );
    const messages = JSON.parse(job.slack_messages_json ?? '[]') as SlackMessage[];
    const part = job.slack_parts_posted;
    if (part >= messages.length) throw new Error(`nothing left to post (part ${part + 1} of ${messages.length})`);
    // Committed before the request: if the process dies while Slack has the message, the restart knows to ask.
    this.repo.markSending(job.id, part, this.now());
    await postToSlack(url, messages[part], this.tuning.slackTimeoutMs, () => this.now());
    this.repo.markPartPosted(job.id, part, messages.length, this.now());
    if (part + 1 >= messages.length)
      this.log('info', `Recording job ${job.id} posted to Slack (${messages.length} message(s))`, { jobId: job.id });
  }

  // ---- plumbing -------------------------------------------------------------------------------------------------

  private view(row: JobRow): RecordingJob {
    const payload = RecordingPayload.safeParse(JSON.parse(row.payload_json));
    const p = payload.success ? payload.data : null;
    return toRecordingJob(row, {
      agentName: p?.agentName ?? null,
      agentSlackHandle: p?.agentSlackHandle ?? null,
      department: p?.department ?? null,
      durationS: p?.durationS ?? null,
      occurredAt: p?.occurredAt ?? null,
    });
  }

  private publish(id: number): void {
    const row = this.repo.get(id);
    if (row) this.deps.bus.publish('recording.updated', this.view(row));
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.deps.platform.logger.log(level, 'recordings', message, fields);
  }
}

function stepLabel(step: Step): string {
  return step === 'queued' ? 'fetching the recording' : step === 'transcribing' ? 'transcribing' : 'posting to Slack';
}

function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * AssemblyAI labels speakers A, B… in order of appearance without saying who is who. The first voice is taken to be
 * whoever answered: the support agent on an incoming call, the customer on an outgoing one; the Slack post keeps
 * AssemblyAI's own labels.
 */
function speakerRoles(
  lines: { speaker: string | null }[],
  direction: 'incoming' | 'outgoing',
): (speaker: string | null) => TranscriptTurn['speaker'] {
  const first = lines.find((l) => l.speaker !== null)?.speaker ?? null;
  const answerer: TranscriptTurn['speaker'] = direction === 'incoming' ? 'human_agent' : 'customer';
  const caller: TranscriptTurn['speaker'] = direction === 'incoming' ? 'customer' : 'human_agent';
  return (speaker) => (speaker === null || speaker === first ? answerer : caller);
}

/** The payload with a bare recording URL, and the credentials its URL carried (see url-credentials.ts). */
function withoutUrlCredentials(payload: RecordingPayload): {
  payload: RecordingPayload;
  credentials: RecordingCredentials | null;
} {
  const { url, credentials } = splitUrlCredentials(payload.recordingUrl);
  return { payload: { ...payload, recordingUrl: url }, credentials };
}
