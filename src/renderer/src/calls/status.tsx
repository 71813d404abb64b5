import type { Call, CallResult, CallStatus } from '@shared/domain';
import { humanize } from '../shell/format';

// One colour per call state, used by tiles, grid and summaries alike, always beside its text.

export type CallState = Exclude<CallStatus, 'ended'> | CallResult | 'ended';

export const STATE_COLORS: Record<CallState, string> = {
  queued: '#6b7280',
  dialing: '#2563eb',
  initiated: '#0891b2',
  ringing: '#ca8a04',
  in_progress: '#16a34a',
  transferring: '#9333ea',
  ended: '#475569',
  completed: '#0f766e',
  transferred: '#7e22ce',
  no_answer: '#ea580c',
  busy: '#db2777',
  voicemail: '#a16207',
  failed: '#dc2626',
  canceled: '#64748b',
};

// The result value is spelled `canceled` (as providers spell it; a stable CLI value), the label as everywhere else.
const LABELS: Partial<Record<CallState, string>> = {
  in_progress: 'In call',
  no_answer: 'No answer',
  canceled: 'Cancelled',
};

/** An ended call is shown by its result; a live one by its status. */
export function callState(call: Pick<Call, 'status' | 'result'>): CallState {
  return call.status === 'ended' ? (call.result ?? 'ended') : call.status;
}

export function stateLabel(state: string): string {
  return LABELS[state as CallState] ?? humanize(state);
}

export function StateBadge({ state }: { state: string }) {
  const color = STATE_COLORS[state as CallState] ?? '#6b7280';
  return (
    <span className="badge" style={{ borderColor: color, color }} data-state={state}>
      <span className="dot" style={{ background: color }} aria-hidden="true" />
      {stateLabel(state)}
    </span>
  );
}
