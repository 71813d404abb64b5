import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { HUMAN_AGENT_STATUSES, type HumanAgentStatus } from '@shared/domain';
import { formatTime, humanize } from '../shell/format';
import { HandoffCardDialog } from './HandoffCard';
import { isOpenTransfer, useAgents } from './store';
import { TransferDialog } from './TransferDialog';
import './agents.css';

function AddAgentForm() {
  const create = useAgents((s) => s.create);
  const [name, setName] = useState('');
  const [reach, setReach] = useState('');
  const [skills, setSkills] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const sip = reach.trim().toLowerCase().startsWith('sip');
    const ok = await create({
      name,
      phone: sip ? null : reach,
      sip: sip ? reach : null,
      skills: skills
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    });
    if (ok) {
      setName('');
      setReach('');
      setSkills('');
    }
  };
  return (
    <form className="agent-form" onSubmit={(e) => void submit(e)} aria-label="Add an agent">
      <label>
        Agent name
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        Phone or SIP
        <input value={reach} onChange={(e) => setReach(e.target.value)} placeholder="+14155550123" required />
      </label>
      <label>
        Skills or languages
        <input value={skills} onChange={(e) => setSkills(e.target.value)} placeholder="English, Hindi" />
      </label>
      <button type="submit">Add agent</button>
    </form>
  );
}

/** Beside the live tiles: who can take a hand-off, and the hand-offs in flight with their cards. */
export function AgentsPanel() {
  const agents = useAgents((s) => s.agents);
  const transfers = useAgents((s) => s.transfers);
  const load = useAgents((s) => s.load);
  const setStatus = useAgents((s) => s.setStatus);
  const openCard = useAgents((s) => s.openCard);
  useEffect(() => {
    void load();
  }, [load]);
  const list = useMemo(() => [...transfers.values()].sort((a, b) => b.id - a.id).slice(0, 12), [transfers]);
  const openCount = list.filter(isOpenTransfer).length;
  return (
    <section className="agents-panel" aria-label="Human agents">
      <div>
        <h3>Agents ({agents.filter((a) => a.status === 'available').length} available)</h3>
        {agents.length === 0 && (
          <p className="muted">Add the people who take hand-offs: calls are transferred to available agents.</p>
        )}
        <ul className="roster" aria-label="Agent roster">
          {agents.map((a) => (
            <li key={a.id}>
              <span className="ellipsis" title={[a.phone, a.sip, a.skills.join(', ')].filter(Boolean).join(' · ')}>
                <strong>{a.name}</strong> <span className="muted">{a.phone ?? a.sip}</span>
                {a.skills.length > 0 && <span className="muted"> · {a.skills.join(', ')}</span>}
              </span>
              <span className={`agent-status-${a.status}`}>{humanize(a.status)}</span>
              <select
                aria-label={`Status of ${a.name}`}
                value={a.status}
                onChange={(e) => void setStatus(a.id, e.target.value as HumanAgentStatus)}
              >
                {a.status === 'wrap_up' && (
                  <option value="wrap_up" disabled>
                    Wrap-up
                  </option>
                )}
                {HUMAN_AGENT_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {humanize(s)}
                  </option>
                ))}
              </select>
            </li>
          ))}
        </ul>
        <AddAgentForm />
      </div>
      <div>
        <h3>Hand-offs ({openCount} open)</h3>
        {list.length === 0 && <p className="muted">Transfers to agents appear here with their hand-off card.</p>}
        <ul className="handoffs" aria-label="Hand-offs">
          {list.map((t) => (
            <li key={t.id} data-status={t.status}>
              <span className="ellipsis">
                {t.contactName || t.phone} → {t.humanAgentName ?? 'unassigned'}
              </span>
              <span>{humanize(t.status)}</span>
              <time className="muted">{formatTime(t.requestedAt)}</time>
              <button
                type="button"
                className="small"
                onClick={() => void openCard(t.id)}
                aria-label={`Open hand-off card ${t.id} (${t.contactName || t.phone})`}
              >
                {t.disposition ? 'View' : 'Open card'}
              </button>
            </li>
          ))}
        </ul>
      </div>
      <TransferDialog />
      <HandoffCardDialog />
    </section>
  );
}
