import { z } from 'zod';

// The call record an automation (Zapier) posts for every finished Exotel call. Zapier sends what the
// user mapped, often everything as strings, so numbers may arrive quoted and optional fields empty.

const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) =>
  z
    .union([text(max), z.null()])
    .optional()
    .transform((v) => (v ? v : null));

const seconds = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds'),
    z.null(),
  ])
  .optional()
  .transform((v) => (v === null || v === undefined || v === '' ? null : Number(v)))
  .refine((v) => v === null || (Number.isFinite(v) && v >= 0 && v < 86_400 * 7), 'must be a number of seconds');

/** ISO 8601 with a zone, or Exotel's "YYYY-MM-DD HH:mm:ss" (taken as UTC, as the automation sends it). */
export function parseRecordTime(value: string): number | null {
  const exotel = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value);
  const ms = exotel
    ? Date.UTC(+exotel[1], +exotel[2] - 1, +exotel[3], +exotel[4], +exotel[5], +exotel[6])
    : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

export const ZapierCallRecord = z.object({
  call_id: z.union([text(200).min(1, 'must not be empty'), z.number().int().transform(String)]),
  from_number: text(40).min(1, 'must not be empty'),
  to_number: text(40).min(1, 'must not be empty'),
  duration: seconds,
  recording_url: z
    .string()
    .trim()
    .max(4000)
    .url('must be the full http(s) address of the recording')
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) address'),
  timestamp: z
    .union([text(64), z.null()])
    .optional()
    .refine((v) => !v || parseRecordTime(v) !== null, 'must be a date and time like 2025-10-09T17:58:27Z'),
  status: optionalText(40),
  agent_name: optionalText(200),
  agent_slack_handle: optionalText(200),
  department: optionalText(200),
  customer_segment: optionalText(200),
});
export type ZapierCallRecord = z.infer<typeof ZapierCallRecord>;

/** What a job keeps of its record (payload_json), the same for Zapier records and the console's own calls. */
export const RecordingPayload = z.object({
  callId: z.string(),
  fromNumber: z.string(),
  toNumber: z.string(),
  durationS: z.number().nullable(),
  recordingUrl: z.string(),
  occurredAt: z.number().nullable(),
  status: z.string().nullable(),
  agentName: z.string().nullable(),
  agentSlackHandle: z.string().nullable(),
  department: z.string().nullable(),
  customerSegment: z.string().nullable(),
  /** Set for the console's own calls: the calls row the transcript belongs to. */
  consoleCallId: z.number().int().nullable(),
});
export type RecordingPayload = z.infer<typeof RecordingPayload>;

export function payloadFromZapier(record: ZapierCallRecord): RecordingPayload {
  return {
    callId: record.call_id,
    fromNumber: record.from_number,
    toNumber: record.to_number,
    durationS: record.duration,
    recordingUrl: record.recording_url,
    occurredAt: record.timestamp ? parseRecordTime(record.timestamp) : null,
    status: record.status,
    agentName: record.agent_name,
    agentSlackHandle: record.agent_slack_handle,
    department: record.department,
    customerSegment: record.customer_segment,
    consoleCallId: null,
  };
}

/** A readable one-line reason for a rejected record: each field at fault (once), with what it must be. */
export function describeRecordErrors(error: z.ZodError, body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'the body must be a JSON object with call_id, from_number, to_number and recording_url';
  }
  const given = body as Record<string, unknown>;
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of error.issues) {
    const field = issue.path.join('.') || 'body';
    if (seen.has(field)) continue;
    seen.add(field);
    const missing =
      issue.path.length === 1 && (given[String(issue.path[0])] === undefined || given[String(issue.path[0])] === null);
    parts.push(`${field}: ${missing ? 'is required' : issue.message}`);
  }
  return parts.join('; ');
}

const digits = (n: string): string => n.replace(/\D/g, '');

/**
 * Whether two phone numbers are the same line, however written: 09631084471, +919631084471 and 9631084471 all match
 * (national significant number, the last 10 digits, when both have that many).
 */
export function sameNumber(a: string, b: string): boolean {
  const da = digits(a);
  const db = digits(b);
  if (!da || !db) return false;
  if (da.length >= 10 && db.length >= 10) return da.slice(-10) === db.slice(-10);
  return da.replace(/^0+/, '') === db.replace(/^0+/, '');
}

/** The support team's rule: a call from the support number is outgoing, anything else incoming. */
export function callDirection(
  payload: Pick<RecordingPayload, 'fromNumber' | 'toNumber'>,
  supportNumber: string,
): {
  direction: 'incoming' | 'outgoing';
  supportNumber: string;
  customerNumber: string;
} {
  if (supportNumber && sameNumber(payload.fromNumber, supportNumber)) {
    return { direction: 'outgoing', supportNumber: payload.fromNumber, customerNumber: payload.toNumber };
  }
  return { direction: 'incoming', supportNumber: payload.toNumber, customerNumber: payload.fromNumber };
}
