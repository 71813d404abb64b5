import { z } from 'zod';
import { Call, CallEventRecord, CallResult, CallStatus, Outcome, TranscriptTurn } from '../domain';
import { method } from './define';

/**
 * A provider event that could not be tied to a call with certainty (docs/providers.md, Self-hosted Bolna + Twilio):
 * kept with its raw body until a person attaches it to a call or dismisses it. Never attached by guess.
 */
export const ReviewItem = z.object({
  id: z.number().int(),
  provider: z.string(),
  kind: z.string(),
  /** Why no call could be found, in words for the user. */
  reason: z.string(),
  receivedAt: z.number(),
  /** The body exactly as the provider sent it. */
  raw: z.string(),
  state: z.enum(['open', 'attached', 'dismissed']),
  callId: z.number().int().nullable(),
  resolvedAt: z.number().nullable(),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

export const callsMethods = {
  'calls.list': method(
    z.object({
      campaignId: z.number().int().optional(),
      status: z.array(CallStatus).optional(),
      /** Only calls not yet ended. */
      live: z.boolean().optional(),
      limit: z.number().int().min(1).max(5000).default(500),
    }),
    z.array(Call),
  ),
  'calls.get': method(
    z.object({ id: z.number().int() }),
    z.object({ call: Call, transcript: z.array(TranscriptTurn), events: z.array(CallEventRecord) }),
  ),
  'calls.hangup': method(z.object({ id: z.number().int() }), Call),
  /** Events waiting for a person (open first); resolved ones too when asked. */
  'review.list': method(
    z.object({ includeResolved: z.boolean().default(false), limit: z.number().int().min(1).max(1000).default(200) }),
    z.array(ReviewItem),
  ),
  /** A person's decision: this event belongs to that call. Applied like any provider event (dedupe, forward only). */
  'review.attach': method(z.object({ id: z.number().int(), callId: z.number().int() }), ReviewItem),
  'review.dismiss': method(z.object({ id: z.number().int() }), ReviewItem),
  'transcripts.search': method(
    z.object({
      query: z.string().trim().min(1).max(500),
      campaignId: z.number().int().optional(),
      outcome: Outcome.optional(),
      result: CallResult.optional(),
      /** Calls that ended at or after / before these times (epoch ms). */
      endedAfter: z.number().optional(),
      endedBefore: z.number().optional(),
      limit: z.number().int().min(1).max(200).default(50),
    }),
    z.array(
      z.object({
        callId: z.number().int(),
        contactName: z.string().nullable(),
        phone: z.string(),
        endedAt: z.number().nullable(),
        outcome: Outcome.nullable(),
        /** Snippet with matches wrapped in [[ and ]] (the renderer turns them into <mark>). */
        snippet: z.string(),
      }),
    ),
  ),
};

export const callsEvents = {
  /** An item was filed in, attached from or dismissed from the review list. */
  'review.changed': z.object({ open: z.number().int() }),
  /** Sent batched; the renderer merges by id. */
  'call.updated': Call,
  'call.transcript': z.object({ callId: z.number().int(), turns: z.array(TranscriptTurn) }),
  /** A provider reported a hand-off step, with the number or SIP address it transferred to when it says. */
  'call.transfer': z.object({
    callId: z.number().int(),
    state: z.enum(['started', 'bridged', 'cancelled', 'ended']),
    destination: z.string().nullable(),
  }),
};
