import { useState } from 'react';
import { OUTCOMES } from '../../../shared/domain';
import { StateBadge, callState } from '../calls/status';
import { formatDateTime, formatDuration, humanize } from '../shell/format';
import { useAgents } from './store';

const SPEAKERS: Record<string, string> = {
  agent: 'AI agent',
  customer: 'Customer',
  human_agent: 'Agent',
  system: 'System',
};

function DispositionForm({
  transferId,
  saved,
}: {
  transferId: number;
  saved: { disposition: string | null; notes: string | null };
}) {
  const dispose = useAgents((s) => s.dispose);
  const [disposition, setDisposition] = useState(saved.disposition ?? '');
  const [notes, setNotes] = useState(saved.notes ?? '');
  return (
    <form
      className="dispose-form"
      aria-label="Disposition"
      onSubmit={(e) => {
        e.preventDefault();
        void dispose(transferId, disposition, notes);
      }}
    >
      <label>
        Disposition (an outcome, or type your own)
        <input list="dispositions" value={disposition} onChange={(e) => setDisposition(e.target.value)} required />
      </label>
      <datalist id="dispositions">
        {OUTCOMES.map((o) => (
          <option key={o} value={o}>
            {humanize(o)}
          </option>
        ))}
      </datalist>
      <label>
        Notes
        <textarea value={notes} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <button type="submit">Save disposition</button>
    </form>
  );
}

/** What the agent sees on picking up: who, why, what was said so far, the history with this number, the wrap-up. */
export function HandoffCardDialog() {
  const card = useAgents((s) => s.card);
  const close = useAgents((s) => s.closeCard);
  if (!card) return null;
  const { transfer, call, variables, transcript, previousCalls } = card;
  const who = call.contactName || call.phone;
  const extracted = Object.entries(call.extracted ?? {}).filter(([, v]) => v !== null && v !== '');
  // Contact columns often repeat the name and number shown above.
  const details = Object.entries(variables).filter(([, v]) => v !== call.contactName && v !== call.phone);
  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && close()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={`Hand-off card: ${who}`}>
        <div className="dialog-head">
          <h3>
            {who} → {transfer.humanAgentName ?? 'agent'} <span className="muted">({humanize(transfer.status)})</span>
          </h3>
          <button type="button" aria-label="Close hand-off card" onClick={close}>
            ×
          </button>
        </div>
        <div className="handoff-card">
          <div>
            <h4>Customer</h4>
            <dl className="facts" aria-label="Customer">
              <dt>Name</dt>
              <dd>{call.contactName || '—'}</dd>
              <dt>Phone</dt>
              <dd>{call.phone}</dd>
              {details.map(([k, v]) => (
                <div key={k} style={{ display: 'contents' }}>
                  <dt>{humanize(k)}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
            <h4>Why they called</h4>
            <p aria-label="Summary so far">
              {call.summary ?? <span className="muted">No summary yet; read the transcript.</span>}
            </p>
            {extracted.length > 0 && (
              <dl className="facts" aria-label="Extracted fields">
                {extracted.map(([k, v]) => (
                  <div key={k} style={{ display: 'contents' }}>
                    <dt>{humanize(k)}</dt>
                    <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                  </div>
                ))}
              </dl>
            )}
            <h4>Previous calls with this number</h4>
            {previousCalls.length === 0 && <p className="muted">None.</p>}
            <ul className="hits" aria-label="Previous calls">
              {previousCalls.map((c) => (
                <li key={c.id}>
                  {formatDateTime(c.createdAt)} <StateBadge state={callState(c)} />{' '}
                  {c.outcome ? humanize(c.outcome) : ''} <span className="muted">{formatDuration(c.durationS)}</span>
                  {c.summary && <p className="muted">{c.summary}</p>}
                </li>
              ))}
            </ul>
            {/* Keyed by what is saved, so a new transfer or a saved change starts the form from the stored values. */}
            <DispositionForm
              key={JSON.stringify([transfer.id, transfer.disposition, transfer.notes])}
              transferId={transfer.id}
              saved={transfer}
            />
            {transfer.disposition && (
              <p role="status">
                Saved: <strong>{humanize(transfer.disposition)}</strong>
              </p>
            )}
          </div>
          <div>
            <h4>Transcript so far</h4>
            <ol className="transcript" aria-label="Transcript so far">
              {transcript.length === 0 && <li className="muted">Nothing said yet.</li>}
              {transcript.map((t) => (
                <li key={t.seq} className={`turn turn-${t.speaker}`}>
                  <span className="speaker">{SPEAKERS[t.speaker] ?? t.speaker}</span>
                  {t.atMs !== null && <span className="muted">{formatDuration(t.atMs / 1000)}</span>}
                  <span className="text">{t.text}</span>
                </li>
              ))}
            </ol>
          </div>
        </div>
      </div>
    </div>
  );
}
