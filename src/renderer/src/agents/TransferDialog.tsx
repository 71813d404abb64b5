import { useState } from 'react';
import type { HumanAgent } from '@shared/domain';
import { useLive } from '../live/store';
import { useAgents } from './store';

const usable = (a: HumanAgent) => a.status === 'available' && a.phone !== null;

/** Choose who takes the call; busy and away agents are shown but cannot be chosen. */
export function TransferDialog() {
  const callId = useAgents((s) => s.dialogCallId);
  const agents = useAgents((s) => s.agents);
  const close = useAgents((s) => s.openDialog);
  const transfer = useAgents((s) => s.transfer);
  const call = useLive((s) => (callId === null ? undefined : s.calls.get(callId)));
  // The person's pick for this call while that agent can still take it; otherwise the first agent who can.
  const [choice, setChoice] = useState<{ callId: number; humanAgentId: number } | null>(null);
  const [sending, setSending] = useState(false);
  const chosen = choice?.callId === callId ? agents.find((a) => a.id === choice.humanAgentId && usable(a)) : undefined;
  const humanAgentId = (chosen ?? agents.find(usable))?.id ?? null;
  if (callId === null) return null;
  const who = call?.contactName || call?.phone || `call ${callId}`;
  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && close(null)}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label={`Transfer ${who}`}
        style={{ width: 'min(480px, 94vw)' }}
      >
        <div className="dialog-head">
          <h3>Transfer {who} to an agent</h3>
          <button type="button" aria-label="Close" onClick={() => close(null)}>
            ×
          </button>
        </div>
        {call && call.status !== 'in_progress' && <p className="warning-text">This call is no longer in progress.</p>}
        <ul className="agent-choices" role="radiogroup" aria-label="Agents">
          {agents.map((a) => {
            return (
              <li key={a.id}>
                <label>
                  <input
                    type="radio"
                    name="agent"
                    disabled={!usable(a)}
                    checked={humanAgentId === a.id}
                    onChange={() => setChoice({ callId, humanAgentId: a.id })}
                  />{' '}
                  {a.name}{' '}
                  <span className="muted">
                    {a.phone ?? 'no phone number'} · {a.status}
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
        {!agents.some((a) => a.status === 'available') && (
          <p className="muted">Nobody is available: set an agent available in the roster first.</p>
        )}
        <button
          type="button"
          disabled={humanAgentId === null || sending}
          onClick={async () => {
            if (humanAgentId === null) return;
            setSending(true);
            await transfer(callId, humanAgentId);
            setSending(false);
          }}
        >
          {sending ? 'Transferring…' : 'Transfer now'}
        </button>
      </div>
    </div>
  );
}
