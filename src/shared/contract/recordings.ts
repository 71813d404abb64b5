import { z } from 'zod';
import { method } from './define';

// Call recordings → transcription → Slack: the processed-recordings view, its retry button and settings.

export const RECORDING_STATES = ['queued', 'transcribing', 'posting', 'posted', 'failed'] as const;
export const RecordingState = z.enum(RECORDING_STATES);
export type RecordingState = z.infer<typeof RecordingState>;

export const RecordingJob = z.object({
  id: z.number().int(),
  source: z.enum(['zapier', 'console']),
  /** Exotel call Sid for Zapier records; `console:<call id>` for the console's own calls. */
  externalId: z.string(),
  direction: z.enum(['incoming', 'outgoing']),
  supportNumber: z.string(),
  customerNumber: z.string(),
  agentName: z.string().nullable(),
  agentSlackHandle: z.string().nullable(),
  department: z.string().nullable(),
  durationS: z.number().nullable(),
  /** When the call happened (from the record), epoch ms. */
  occurredAt: z.number().nullable(),
  receivedAt: z.number(),
  updatedAt: z.number(),
  state: RecordingState,
  /** For failed jobs: the step Retry resumes at. */
  failedStep: z.enum(['queued', 'transcribing', 'posting']).nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  nextAt: z.number().nullable(),
  /** Deliveries of the same record (2+ means duplicates were acknowledged and skipped). */
  deliveries: z.number().int(),
  /** The calls row holding the transcript (open it in the calls view / search). */
  callId: z.number().int().nullable(),
  slackPartsPosted: z.number().int(),
  slackPartsTotal: z.number().int().nullable(),
  postedAt: z.number().nullable(),
});
export type RecordingJob = z.infer<typeof RecordingJob>;

export const RecordingStats = z.object({
  /** Distinct call records received (duplicates not counted). */
  processed: z.number().int(),
  posted: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  /** Repeated deliveries acknowledged and skipped. */
  duplicates: z.number().int(),
});
export type RecordingStats = z.infer<typeof RecordingStats>;

const SecretStatus = z.object({ configured: z.boolean(), hint: z.string().nullable() });

export const RecordingSettingsView = z.object({
  /** The support line: a call from this number is outgoing, anything else incoming. */
  supportNumber: z.string(),
  /** Also transcribe and post the console's own finished calls that have a recording. */
  processConsoleCalls: z.boolean(),
  /** The Slack post also says whether the call was incoming or outgoing (a line the team's layout does not have). */
  slackShowDirection: z.boolean(),
  assemblyaiBaseUrl: z.string(),
  /** Hosts (suffix match) the Exotel credentials may be sent to when downloading a recording. */
  exotelAuthHosts: z.array(z.string()),
  /** Where the automation posts call records; null until the webhook server runs. */
  zapierHookUrl: z.string().nullable(),
  slackWebhook: SecretStatus,
  assemblyaiKey: SecretStatus,
  exotelCredentials: SecretStatus,
});
export type RecordingSettingsView = z.infer<typeof RecordingSettingsView>;

/** A secret field in an update: a new value, null to remove it, absent to keep it. */
const SecretInput = z.string().trim().min(1).max(2000).nullable().optional();

export const recordingsMethods = {
  'recordings.list': method(
    z.object({
      state: z.array(RecordingState).optional(),
      limit: z.number().int().min(1).max(2000).default(200),
    }),
    z.array(RecordingJob),
  ),
  'recordings.get': method(
    z.object({ id: z.number().int() }),
    z.object({ job: RecordingJob, transcript: z.string().nullable() }),
  ),
  /** Puts a failed job back in the queue at the step where it stopped. */
  'recordings.retry': method(z.object({ id: z.number().int() }), RecordingJob),
  'recordings.stats': method(z.object({}), RecordingStats),
  'recordings.settings.get': method(z.object({}), RecordingSettingsView),
  'recordings.settings.set': method(
    z.object({
      supportNumber: z.string().trim().max(40).optional(),
      processConsoleCalls: z.boolean().optional(),
      slackShowDirection: z.boolean().optional(),
      assemblyaiBaseUrl: z.string().url().optional(),
      exotelAuthHosts: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
      slackWebhookUrl: z
        .string()
        .trim()
        .url('the Slack webhook URL must be a full https://hooks.slack.com/... address')
        .nullable()
        .optional(),
      assemblyaiKey: SecretInput,
      /** Exotel API key and token, both or neither (used only to download recordings here). */
      exotelApiKey: SecretInput,
      exotelApiToken: SecretInput,
    }),
    RecordingSettingsView,
  ),
};

export const recordingsEvents = {
  'recording.updated': RecordingJob,
};
