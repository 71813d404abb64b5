import { z } from 'zod';
import { Call, CallEventRecord, CallResult, CallStatus, Outcome, TranscriptTurn } from '../domain';
import { method } from './define';

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
