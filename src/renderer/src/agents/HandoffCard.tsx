import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { languageLabel } from '../../../shared/languages';
import { OUTCOMES } from '../../../shared/domain';
import { StateBadge, callState } from '../calls/status';
import { formatDateTime, formatDuration, humanize } from '../shell/format';
import { useAgents } from './store';

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
  const { t } = useTranslation();
  return (
    <form
      className="dispose-form"
      aria-label={t('handoff.disposition')}
      onSubmit={(e) => {
        e.preventDefault();
        void dispose(transferId, disposition, notes);
      }}
    >
      <label>
        {t('handoff.dispositionHint')}
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
        {t('handoff.notes')}
        <textarea value={notes} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <button type="submit">{t('handoff.save')}</button>
    </form>
  );
}

/** What the agent sees on picking up: who, why, what was said so far, the history with this number, the wrap-up. */
export function HandoffCardDialog() {
  const card = useAgents((s) => s.card);
  const close = useAgents((s) => s.closeCard);
  const { t } = useTranslation();
  if (!card) return null;
  const { transfer, call, variables, transcript, previousCalls } = card;
  const who = call.contactName || call.phone;
  const extracted = Object.entries(call.extracted ?? {}).filter(([, v]) => v !== null && v !== '');
  // Contact columns often repeat the name and number shown above.
  const details = Object.entries(variables).filter(([, v]) => v !== call.contactName && v !== call.phone);
  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && close()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={t('handoff.cardLabel', { who })}>
        <div className="dialog-head">
          <h3>
            {who} → {transfer.humanAgentName ?? t('handoff.agent')}{' '}
            <span className="muted">({humanize(transfer.status)})</span>
          </h3>
          <button type="button" aria-label={t('handoff.close')} onClick={close}>
            ×
          </button>
        </div>
        <div className="handoff-card">
          <div>
            <h4>{t('handoff.customer')}</h4>
            <dl className="facts" aria-label={t('handoff.customer')}>
              <dt>{t('handoff.name')}</dt>
              <dd>{call.contactName || '—'}</dd>
              <dt>{t('handoff.phone')}</dt>
              <dd>{call.phone}</dd>
              <dt>{t('handoff.language')}</dt>
              <dd lang={call.language ?? undefined}>{call.language ? languageLabel(call.language) : '—'}</dd>
              {details.map(([k, v]) => (
                <div key={k} style={{ display: 'contents' }}>
                  <dt>{humanize(k)}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
            <h4>{t('handoff.why')}</h4>
            <p aria-label={t('handoff.summary')}>
              {call.summary ?? <span className="muted">{t('handoff.noSummary')}</span>}
            </p>
            {extracted.length > 0 && (
              <dl className="facts" aria-label={t('handoff.extracted')}>
                {extracted.map(([k, v]) => (
                  <div key={k} style={{ display: 'contents' }}>
                    <dt>{humanize(k)}</dt>
                    <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                  </div>
                ))}
              </dl>
            )}
            <h4>{t('handoff.previous')}</h4>
            {previousCalls.length === 0 && <p className="muted">{t('handoff.none')}</p>}
            <ul className="hits" aria-label={t('handoff.previousList')}>
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
                {t('handoff.saved')} <strong>{humanize(transfer.disposition)}</strong>
              </p>
            )}
          </div>
          <div>
            <h4>{t('handoff.transcript')}</h4>
            <ol className="transcript" aria-label={t('handoff.transcript')}>
              {transcript.length === 0 && <li className="muted">{t('handoff.nothingSaid')}</li>}
              {transcript.map((turn) => (
                <li key={turn.seq} className={`turn turn-${turn.speaker}`}>
                  <span className="speaker">{t(`speakers.${turn.speaker}`, { defaultValue: turn.speaker })}</span>
                  {turn.atMs !== null && <span className="muted">{formatDuration(turn.atMs / 1000)}</span>}
                  <span className="text">{turn.text}</span>
                </li>
              ))}
            </ol>
          </div>
        </div>
      </div>
    </div>
  );
}
