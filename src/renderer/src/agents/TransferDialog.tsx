import { useEffect, useState } from 'react';
import { useLive } from '../live/store';
import { useAgents } from './store';

/** Choose who takes the call; busy and away agents are shown but cannot be chosen. */
export function TransferDialog() {
  const callId = useAgents((s) => s.dialogCallId);
  const agents = useAgents((s) => s.agents);
  const close = useAgents((s) => s.openDialog);
  const transfer = useAgents((s) => s.transfer);
  const call = useLive((s) => (callId === null ? undefined : s.calls.get(callId)));
  const [agentId, setAgentId] = useState<number | null>(null);
  const [sending, setSending] = useState(false);
  useEffect(() => {
    setAgentId(agents.find((a) => a.status === 'available' && a.phone)?.id ?? null);
  }, [callId, agents]);
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
            const usable = a.status === 'available' && a.phone !== null;
            return (
              <li key={a.id}>
                <label>
                  <input
                    type="radio"
                    name="agent"
                    disabled={!usable}
                    checked={agentId === a.id}
                    onChange={() => setAgentId(a.id)}
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
          disabled={agentId === null || sending}
          onClick={async () => {
            if (agentId === null) return;
            setSending(true);
            await transfer(callId, agentId);
            setSending(false);
          }}
        >
          {sending ? 'Transferring…' : 'Transfer now'}
        </button>
      </div>
    </div>
  );
}
