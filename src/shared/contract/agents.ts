import { z } from 'zod';
import { HumanAgentStatus, Call, HumanAgent, TranscriptTurn } from '../domain';
import { method } from './define';

const HumanAgentFields = z.object({
  name: z.string().trim().min(1, 'Name is required').max(120),
  /** Any typed form; stored as E.164 (a leading + and country code are required). */
  phone: z.string().trim().max(40).nullable().optional(),
  /** sip:user@host */
  sip: z.string().trim().max(200).nullable().optional(),
  skills: z.array(z.string().trim().min(1).max(60)).max(30).default([]),
});

export const TransferStatus = z.enum(['requested', 'ringing', 'connected', 'failed', 'ended']);
export type TransferStatus = z.infer<typeof TransferStatus>;

export const Transfer = z.object({
  id: z.number().int(),
  callId: z.number().int(),
  campaignId: z.number().int().nullable(),
  humanAgentId: z.number().int().nullable(),
  humanAgentName: z.string().nullable(),
  contactName: z.string().nullable(),
  phone: z.string(),
  status: TransferStatus,
  requestedAt: z.number(),
  connectedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  disposition: z.string().nullable(),
  notes: z.string().nullable(),
  /** Why it failed, when it did. */
  error: z.string().nullable(),
  /** In wrap-up: when the agent becomes ready by themselves (null: no timeout, or not in wrap-up). */
  wrapUpUntil: z.number().nullable().default(null),
  /** The campaign requires a disposition before the agent is ready again. */
  dispositionRequired: z.boolean().default(false),
  /** Whether a disposition may be saved now: only once the agent's leg has connected or ended. */
  canDispose: z.boolean().default(false),
});
export type Transfer = z.infer<typeof Transfer>;

/** What the human agent needs on picking up: who, why, what was said, and the history with this number. */
export const HandoffCard = z.object({
  transfer: Transfer,
  call: Call,
  variables: z.record(z.string(), z.string()),
  transcript: z.array(TranscriptTurn),
  previousCalls: z.array(Call),
});
export type HandoffCard = z.infer<typeof HandoffCard>;

export const TransferCount = z.object({
  campaignId: z.number().int().nullable(),
  /** Local calendar day, YYYY-MM-DD. */
  day: z.string(),
  transfers: z.number().int(),
  connected: z.number().int(),
  failed: z.number().int(),
});

export const agentsMethods = {
  'agents.list': method(z.object({}).default({}), z.array(HumanAgent)),
  'agents.create': method(HumanAgentFields, HumanAgent),
  'agents.update': method(HumanAgentFields.partial().extend({ id: z.number().int() }), HumanAgent),
  'agents.setStatus': method(z.object({ id: z.number().int(), status: HumanAgentStatus }), HumanAgent),
  'agents.delete': method(z.object({ id: z.number().int() }), z.object({ deleted: z.boolean() })),
  /** Hands a live call to a human agent: the given one, or the available agent who has waited longest. */
  'transfers.request': method(
    z.object({ callId: z.number().int(), humanAgentId: z.number().int().optional() }),
    Transfer,
  ),
  'transfers.list': method(
    z.object({
      /** Only transfers not yet ended or failed. */
      open: z.boolean().optional(),
      callId: z.number().int().optional(),
      limit: z.number().int().min(1).max(1000).default(100),
    }),
    z.array(Transfer),
  ),
  'transfers.handoff': method(z.object({ id: z.number().int() }), HandoffCard),
  /** The agent's wrap-up: an Outcome value (also set on the call) or free text, plus notes; ends the transfer. */
  'transfers.dispose': method(
    z.object({
      id: z.number().int(),
      disposition: z.string().trim().min(1, 'Choose or type a disposition').max(200),
      notes: z.string().max(5000).default(''),
    }),
    Transfer,
  ),
  'transfers.counts': method(
    z.object({
      campaignId: z.number().int().optional(),
      fromDay: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    }),
    z.array(TransferCount),
  ),
};

export const agentsEvents = {
  'agent.updated': z.object({ agent: HumanAgent.nullable(), id: z.number().int() }),
  'transfer.updated': Transfer,
};
