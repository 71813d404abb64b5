import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { languageLabel } from '@shared/languages';
import type { Transfer } from '@shared/contract/agents';
import { OUTCOMES } from '@shared/domain';
import { timeInZone, untilText } from '@shared/time/format';
import { resolveZone } from '@shared/time/zones';
import { useNow } from '../shell/clock';
import { StateBadge, callState } from '../calls/status';
import { formatDateTime, formatDuration, humanize } from '../shell/format';
import { useAgents } from './store';

/** Where the hand-off is in the loop, in words: ringing, on the call, wrap-up (with its countdown), done. */
function LoopStatus({ transfer }: { transfer: Transfer }) {
  const now = useNow();
  const { t } = useTranslation();
  const who = transfer.humanAgentName ?? t('handoff.theAgent');
  let text: string;
  if (!transfer.canDispose) text = t('handoff.loopRinging', { who });
  else if (transfer.status === 'connected' && transfer.wrapUpUntil !== null)
    text = t('handoff.loopWrapUp', { who, when: untilText(transfer.wrapUpUntil, now) });
  else if (transfer.status === 'connected' && transfer.dispositionRequired) text = t('handoff.loopRequired', { who });
  else if (transfer.status === 'connected') text = t('handoff.loopOnCall', { who });
  else text = transfer.disposition ? t('handoff.loopDone') : t('handoff.loopOver');
  return (
    <p className="loop-status" aria-live="polite" aria-label={t('handoff.loopStatus')}>
      {text}
    </p>
  );
}

function DispositionForm({
  transferId,
  saved,
  canDispose,
}: {
  transferId: number;
  saved: { disposition: string | null; notes: string | null };
  canDispose: boolean;
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
      <button type="submit" disabled={!canDispose}>
        {t('handoff.save')}
      </button>
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
  const zone = resolveZone(call.contactTimezone ?? null, call.phone, 'UTC').zone;
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
              <dt>{t('handoff.theirTime')}</dt>
              <dd aria-label={t('handoff.localTime')}>
                <LocalTime zone={zone} /> <span className="muted">({zone})</span>
              </dd>
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
            <LoopStatus transfer={transfer} />
            <DispositionForm
              key={JSON.stringify([transfer.id, transfer.disposition, transfer.notes])}
              transferId={transfer.id}
              saved={transfer}
              canDispose={transfer.canDispose}
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

function LocalTime({ zone }: { zone: string }) {
  const now = useNow(30_000);
  return <>{timeInZone(now, zone)}</>;
}
