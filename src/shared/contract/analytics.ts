import { z } from 'zod';
import { type Outcome } from '../domain';
import { method } from './define';
import { ExportFile } from './contacts';

/**
 * Outcomes that count as a successful call for the funnel's last stage and the outcome success rate. The rest
 * (cancelled, wrong_person, wrong_number, not_interested, do_not_call, callback_requested, unsuccessful) are not successes.
 */
export const SUCCESS_OUTCOMES = [
  'confirmed',
  'rescheduled',
  'appointment_scheduled',
  'qualified_lead',
  'sale_made',
  'successful',
] as const satisfies readonly Outcome[];

/** Duration buckets (seconds, lower bound inclusive) for the distribution chart; the last one is open-ended. */
export const DURATION_BUCKETS = [0, 15, 30, 60, 120, 300] as const;

/**
 * The one place the figures are defined in words: the dashboard's tooltips and the export's "definition" column
 * read these, and the SQL in the analytics repository implements them.
 */
export const FIGURE_DEFINITIONS = {
  placed:
    'Attempts the console placed with the provider (a refusal that did not use up an attempt, such as a 429, is not counted).',
  ended: 'Placed attempts that have ended, whatever the result.',
  live: 'Placed attempts not ended yet (dialling, ringing, in a call or being transferred).',
  connected: 'Placed attempts the callee answered: the call reached in-progress, or ended completed or transferred.',
  conversations: 'Placed attempts in which somebody actually talked (the provider reported a conversation).',
  successRate:
    'Ended attempts with result completed or transferred ÷ ended attempts except cancelled ones. Success rate + failure rate = 100 %.',
  failureRate:
    'Ended attempts with result failed, busy, no answer or voicemail ÷ ended attempts except cancelled ones.',
  outcomeSuccessRate: `Attempts with a successful outcome (${SUCCESS_OUTCOMES.join(', ')}) ÷ conversations.`,
  connectRate: 'Connected ÷ placed.',
  averageDurationS: 'Mean duration in seconds of connected attempts that report a duration.',
  transferRate:
    'Connected attempts handed to a person (result transferred, or a transfer was requested) ÷ connected attempts.',
  attemptsPerContact: 'Placed attempts ÷ distinct contacts dialled.',
  cost: 'Sum of the cost the provider reported, over the attempts that report one (blank when none does).',
  callsPerHour: 'Placed attempts per clock hour in which any attempt was placed.',
} as const;
export type FigureName = keyof typeof FIGURE_DEFINITIONS;

export const FUNNEL_STAGES = ['loaded', 'eligible', 'dialled', 'connected', 'conversation', 'successful'] as const;
/** The funnel counts contacts (per campaign); loaded and eligible ignore the date range, the later stages use it. */
export const FUNNEL_DEFINITIONS: Record<(typeof FUNNEL_STAGES)[number], string> = {
  loaded: "Contacts in the campaign's lists.",
  eligible:
    'Queued contacts with a callable, unique number and not on the do-not-call list (unless dialled before being put on it).',
  dialled: 'Contacts with at least one placed attempt in the range.',
  connected: 'Contacts with an attempt in the range that was answered.',
  conversation: 'Contacts with an attempt in the range in which somebody talked.',
  successful: `Contacts with an attempt in the range with a successful outcome (${SUCCESS_OUTCOMES.join(', ')}).`,
};

export const AnalyticsQuery = z
  .object({
    /** One campaign, or every call when absent. */
    campaignId: z.number().int().nullable().default(null),
    /** Epoch ms, inclusive; on the attempt's creation time. */
    from: z.number().int().nullable().default(null),
    /** Epoch ms, exclusive. */
    to: z.number().int().nullable().default(null),
    /** The viewer's offset from UTC, so "calls per hour" buckets are the viewer's clock hours (India is +330). */
    utcOffsetMinutes: z.number().int().min(-840).max(840).default(0),
  })
  .refine((q) => q.from === null || q.to === null || q.from < q.to, {
    message: 'from must be before to',
    path: ['to'],
  });
export type AnalyticsQuery = z.output<typeof AnalyticsQuery>;

const Count = z.object({ key: z.string(), count: z.number().int() });

export const Dashboard = z.object({
  query: z.object({
    campaignId: z.number().int().nullable(),
    from: z.number().nullable(),
    to: z.number().nullable(),
    utcOffsetMinutes: z.number().int(),
  }),
  campaignName: z.string().nullable(),
  totals: z.object({
    placed: z.number().int(),
    ended: z.number().int(),
    live: z.number().int(),
    connected: z.number().int(),
    conversations: z.number().int(),
    successes: z.number().int(),
    failures: z.number().int(),
    successfulOutcomes: z.number().int(),
    transfers: z.number().int(),
    contactsDialled: z.number().int(),
  }),
  /** Ratios in 0..1, null when the denominator is zero. */
  rates: z.object({
    successRate: z.number().nullable(),
    failureRate: z.number().nullable(),
    outcomeSuccessRate: z.number().nullable(),
    connectRate: z.number().nullable(),
    transferRate: z.number().nullable(),
    attemptsPerContact: z.number().nullable(),
  }),
  duration: z.object({
    averageS: z.number().nullable(),
    totalS: z.number(),
    /** One entry per DURATION_BUCKETS value; `fromS` inclusive, `toS` exclusive (null = open). */
    buckets: z.array(z.object({ fromS: z.number(), toS: z.number().nullable(), count: z.number().int() })),
  }),
  cost: z.object({ total: z.number().nullable(), average: z.number().nullable(), callsWithCost: z.number().int() }),
  results: z.array(Count),
  outcomes: z.array(Count),
  sentiment: z.array(Count),
  /** How many contacts needed 1, 2, 3… placed attempts. */
  attemptsDistribution: z.array(z.object({ attempts: z.number().int(), contacts: z.number().int() })),
  perHour: z.array(z.object({ hourStart: z.number(), placed: z.number().int(), connected: z.number().int() })),
  averagePerHour: z.number().nullable(),
  /** loaded → eligible → dialled → connected → conversation → successful outcome, in contacts. */
  funnel: z.array(z.object({ stage: z.enum(FUNNEL_STAGES), contacts: z.number().int() })),
});
export type Dashboard = z.infer<typeof Dashboard>;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export const LogEntry = z.object({
  /** 'db' rows come from activity_log; 'file' rows from the rotating log files under <dataDir>/logs. */
  source: z.enum(['db', 'file']),
  at: z.number(),
  level: z.enum(LOG_LEVELS),
  scope: z.string(),
  campaignId: z.number().int().nullable(),
  callId: z.number().int().nullable(),
  message: z.string(),
});
export type LogEntry = z.infer<typeof LogEntry>;

export const analyticsMethods = {
  'analytics.dashboard': method(AnalyticsQuery, Dashboard),
  /** Every dashboard figure as one table (section, figure, key, value, definition), CSV or XLSX, formulas neutralised. */
  'analytics.export': method(
    z.object({ query: AnalyticsQuery, format: z.enum(['csv', 'xlsx']).default('csv') }),
    ExportFile,
  ),
  /** Newest first, secrets redacted; `minLevel` keeps that level and above. */
  'logs.list': method(
    z.object({
      minLevel: z.enum(LOG_LEVELS).default('info'),
      campaignId: z.number().int().nullable().default(null),
      /** One call's lines: its status changes with their times, and what the dialer did with it. */
      callId: z.number().int().nullable().default(null),
      scope: z.string().max(100).nullable().default(null),
      sources: z
        .array(z.enum(['db', 'file']))
        .min(1)
        .default(['db', 'file']),
      limit: z.number().int().min(1).max(2000).default(500),
    }),
    z.object({ entries: z.array(LogEntry), scopes: z.array(z.string()) }),
  ),
};

export const analyticsEvents = {};
