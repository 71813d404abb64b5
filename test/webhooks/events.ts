import type { SimulatorEvent } from '../../src/main/core/providers/simulator';

/** A simulator delivery as the simulator would send it; tests override what they need. */
export function simEvent(overrides: Partial<SimulatorEvent> & { call_id: string; attempt_id: number }): string {
  const { attempt_id, ...rest } = overrides;
  const event: SimulatorEvent = {
    event: 'call.ringing',
    event_id: overrides.event ?? 'call.ringing',
    metadata: { attempt_id, idempotency_key: `key-${attempt_id}` },
    to: '+919876543210',
    status: 'ringing',
    result: null,
    conversation: false,
    occurred_at: Date.now(),
    answered_at: null,
    ended_at: null,
    duration_s: null,
    cost: null,
    hangup_reason: null,
    transcript: null,
    analysis: null,
    transfer: null,
    ...rest,
  };
  return JSON.stringify(event);
}
