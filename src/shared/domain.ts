import { z } from 'zod';

// The vocabulary every part of the console shares (docs/architecture.md, Call lifecycle). Renderer, core, CLI and
// tests import these, so a status or result means the same thing everywhere.

export const CALL_STATUSES = [
  'queued',
  'dialing',
  'initiated',
  'ringing',
  'in_progress',
  'transferring',
  'ended',
] as const;
export const CallStatus = z.enum(CALL_STATUSES);
export type CallStatus = z.infer<typeof CallStatus>;

/** Status never moves backwards: an event whose rank is lower than the call's current rank is recorded, not applied. */
export const CALL_STATUS_RANK: Record<CallStatus, number> = {
  queued: 0,
  dialing: 1,
  initiated: 2,
  ringing: 3,
  in_progress: 4,
  transferring: 5,
  ended: 6,
};

export const LIVE_CALL_STATUSES = ['dialing', 'initiated', 'ringing', 'in_progress', 'transferring'] as const;

export const CALL_RESULTS = [
  'completed',
  'no_answer',
  'busy',
  'voicemail',
  'failed',
  'canceled',
  'transferred',
] as const;
export const CallResult = z.enum(CALL_RESULTS);
export type CallResult = z.infer<typeof CallResult>;

export const OUTCOMES = [
  'confirmed',
  'cancelled',
  'rescheduled',
  'wrong_person',
  'wrong_number',
  'appointment_scheduled',
  'qualified_lead',
  'sale_made',
  'not_interested',
  'do_not_call',
  'callback_requested',
  'successful',
  'unsuccessful',
] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const CAMPAIGN_STATES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export const CampaignState = z.enum(CAMPAIGN_STATES);
export type CampaignState = z.infer<typeof CampaignState>;

export const PROVIDER_NAMES = ['simulator', 'bolna', 'bolna_twilio', 'retell', 'exotel'] as const;
export const ProviderName = z.enum(PROVIDER_NAMES);
export type ProviderName = z.infer<typeof ProviderName>;

/** Where a contact stands inside one campaign. */
export const CAMPAIGN_CONTACT_STATES = ['pending', 'active', 'done', 'excluded'] as const;
export const CampaignContactState = z.enum(CAMPAIGN_CONTACT_STATES);
export type CampaignContactState = z.infer<typeof CampaignContactState>;

/** Why a pending contact is not being dialled right now (shown in the campaign view). */
export const WAIT_REASONS = [
  'new',
  'retry_delay',
  'window',
  'capacity',
  'number_busy',
  'provider_backoff',
  'scheduled',
] as const;
export const WaitReason = z.enum(WAIT_REASONS);
export type WaitReason = z.infer<typeof WaitReason>;

export const HUMAN_AGENT_STATUSES = ['available', 'busy', 'away'] as const;
export const HumanAgentStatus = z.enum(HUMAN_AGENT_STATUSES);
export type HumanAgentStatus = z.infer<typeof HumanAgentStatus>;
/**
 * What the roster shows: a status the person sets, or wrap_up, which the hand-off loop sets (busy with a hand-off
 * whose call is over and not yet disposed; never routed to, ends with the disposition or the wrap-up timeout).
 */
export const HumanAgentState = z.enum([...HUMAN_AGENT_STATUSES, 'wrap_up']);
export type HumanAgentState = z.infer<typeof HumanAgentState>;

export const Variables = z.record(z.string(), z.string());
export type Variables = z.infer<typeof Variables>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (24-hour)');

export const CampaignSettings = z.object({
  /** Calling window in the recipient's local time; end may be 24:00-style "23:59". */
  window: z.object({ start: HHMM, end: HHMM }).default({ start: '09:00', end: '20:00' }),
  /** Days of week allowed, 0 = Sunday. */
  days: z.array(z.number().int().min(0).max(6)).default([0, 1, 2, 3, 4, 5, 6]),
  /** Dates (YYYY-MM-DD, recipient local) on which nobody is called. */
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
  defaultTimezone: z.string().default('UTC'),
  /** BCP 47 tag of the language to call contacts in when their own language is not set; null = the voice agent's own. */
  defaultLanguage: z.string().nullable().default(null),
  /** When true the window is ignored (tests, internal lists). */
  ignoreWindow: z.boolean().default(false),
  concurrency: z.number().int().min(1).max(1000).default(10),
  /** Minimum gap between two call starts. */
  pacingMs: z.number().int().min(0).default(0),
  maxAttempts: z.number().int().min(1).max(20).default(3),
  /** A call in progress longer than this is hung up and ended as stale, so it cannot hold a slot forever. */
  maxCallMs: z
    .number()
    .int()
    .min(60_000)
    .default(60 * 60_000),
  /** Delay before attempt n+1, indexed by attempts already made - 1; the last value repeats. */
  retryDelaysMs: z
    .array(z.number().int().min(0))
    .min(1)
    .default([10 * 60_000]),
  retryOn: z.array(CallResult).default(['failed', 'busy', 'no_answer']),
  priority: z.number().int().default(0),
  /**
   * Contact field (CONTACT_FIELDS) or list column → the name the voice agent sees. Empty = pass every field and column
   * under its own name.
   */
  variableMapping: z.record(z.string(), z.string()).default({}),
  /** Provider analysis value (lower-cased) → outcome. */
  outcomeMapping: z.record(z.string(), Outcome).default({}),
  /** After a hand-off's call is over, how long the human agent stays in wrap-up before they are ready by themselves. */
  wrapUpMs: z.number().int().min(10_000).max(3_600_000).default(120_000),
  /** When true, an agent stays in wrap-up until they save a disposition (no timeout). */
  dispositionRequired: z.boolean().default(false),
  /**
   * Keep watching the lists' sources: with nothing left to call the campaign stays running ("watching") and calls
   * the rows a connected sheet gains, until the user stops it, instead of completing.
   */
  watchSources: z.boolean().default(false),
  /** Simulator only: time compression (2 = twice as fast as real calls). */
  simSpeed: z.number().positive().max(10_000).default(1),
});
export type CampaignSettings = z.infer<typeof CampaignSettings>;

/** A contact's own fields, offered to the voice agent as dynamic variables beside the list's columns. */
export const CONTACT_FIELDS = ['name', 'phone', 'phone_raw', 'email', 'timezone'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

/**
 * Campaign presets: settings a campaign form or `campaign create --preset` starts from. The Sheet dialer is the
 * call-tracker sheet's pacing: one call at a time, 5 s between calls, retries after 10 minutes, watching the sheet.
 */
export const CAMPAIGN_PRESETS = {
  sheet_dialer: {
    label: 'Sheet dialer',
    settings: { concurrency: 1, pacingMs: 5_000, retryDelaysMs: [10 * 60_000], watchSources: true },
  },
} as const satisfies Record<string, { label: string; settings: Partial<CampaignSettings> }>;
export type CampaignPreset = keyof typeof CAMPAIGN_PRESETS;

export const Contact = z.object({
  id: z.number().int(),
  listId: z.number().int(),
  name: z.string(),
  phone: z.string().nullable(),
  phoneRaw: z.string(),
  timezone: z.string().nullable(),
  /** The language to call in, a BCP 47 tag (hi-IN); null = the campaign's default. */
  language: z.string().nullable(),
  email: z.string().nullable(),
  variables: Variables,
  sourceRow: z.number().int().nullable(),
  callable: z.boolean(),
  notCallableReason: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Contact = z.infer<typeof Contact>;

export const ContactList = z.object({
  id: z.number().int(),
  name: z.string(),
  sourceKind: z.enum(['manual', 'file', 'google_sheet']),
  sourceRef: z.string().nullable(),
  contactCount: z.number().int(),
  createdAt: z.number(),
});
export type ContactList = z.infer<typeof ContactList>;

export const Campaign = z.object({
  id: z.number().int(),
  name: z.string(),
  provider: ProviderName,
  voiceAgentId: z.string().nullable(),
  state: CampaignState,
  listIds: z.array(z.number().int()),
  settings: CampaignSettings,
  startAt: z.number().nullable(),
  stateReason: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Campaign = z.infer<typeof Campaign>;

export const Call = z.object({
  id: z.number().int(),
  campaignId: z.number().int().nullable(),
  contactId: z.number().int().nullable(),
  contactName: z.string().nullable(),
  /** The contact's own time-zone column (resolveZone decides the zone shown, with the number). */
  contactTimezone: z.string().nullable().optional(),
  phone: z.string(),
  attempt: z.number().int(),
  provider: ProviderName,
  providerCallId: z.string().nullable(),
  status: CallStatus,
  result: CallResult.nullable(),
  outcome: Outcome.nullable(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  answeredAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  durationS: z.number().nullable(),
  cost: z.number().nullable(),
  hangupReason: z.string().nullable(),
  /** BCP 47 tag the call was placed in; null = the voice agent's own language. */
  language: z.string().nullable(),
  recordingUrl: z.string().nullable(),
  summary: z.string().nullable(),
  sentiment: z.string().nullable(),
  extracted: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
});
export type Call = z.infer<typeof Call>;

export const TranscriptTurn = z.object({
  seq: z.number().int(),
  speaker: z.enum(['agent', 'customer', 'human_agent', 'system']),
  text: z.string(),
  /** Milliseconds from call start, when the provider says. */
  atMs: z.number().nullable(),
});
export type TranscriptTurn = z.infer<typeof TranscriptTurn>;

export const CallEventRecord = z.object({
  id: z.number().int(),
  receivedAt: z.number(),
  kind: z.string(),
  status: z.string().nullable(),
  disposition: z.enum(['applied', 'duplicate', 'stale', 'enriched']),
  raw: z.string(),
});
export type CallEventRecord = z.infer<typeof CallEventRecord>;

export const HumanAgent = z.object({
  id: z.number().int(),
  name: z.string(),
  phone: z.string().nullable(),
  sip: z.string().nullable(),
  status: HumanAgentState,
  /** When the status last changed (time in state). */
  statusSince: z.number(),
  skills: z.array(z.string()),
});
export type HumanAgent = z.infer<typeof HumanAgent>;

export const CountsByKey = z.record(z.string(), z.number().int());

export const CampaignProgress = z.object({
  campaignId: z.number().int(),
  state: CampaignState,
  stateReason: z.string().nullable(),
  total: z.number().int(),
  byContactState: CountsByKey,
  byCallStatus: CountsByKey,
  byResult: CountsByKey,
  byOutcome: CountsByKey,
  byWaitReason: CountsByKey,
  nextDueAt: z.number().nullable(),
  /**
   * When the first contact waiting for its calling window can be called, and that contact's zone, so a screen can
   * say "opens 09:00 IST (in 18 min)". Null when nobody waits for the window.
   */
  windowOpens: z.object({ at: z.number(), zone: z.string() }).nullable().default(null),
  /** Running with nothing to call, waiting for rows its sheet gains (watchSources): shown as "watching". */
  watching: z.boolean().default(false),
});
export type CampaignProgress = z.infer<typeof CampaignProgress>;
