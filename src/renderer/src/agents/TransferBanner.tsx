import { useTranslation } from 'react-i18next';
import { useShell } from '../shell/store';
import { useAgents } from './store';

/** Across the top of every view: a call just reached an agent; one click opens their hand-off card. */
export function TransferBanner() {
  const announced = useAgents((s) => s.announced);
  const transfers = useAgents((s) => s.transfers);
  const openCard = useAgents((s) => s.openCard);
  const dismiss = useAgents((s) => s.dismiss);
  const setView = useShell((s) => s.setView);
  const { t } = useTranslation();
  const shown = announced.map((id) => transfers.get(id)).filter((x) => x !== undefined);
  if (shown.length === 0) return null;
  return (
    <div role="region" aria-label={t('transfers.region')}>
      {shown.map((x) => (
        <div key={x.id} className="transfer-banner" role="status">
          <strong>{t('transfers.transferred')}</strong>
          <span>
            {x.contactName || x.phone} → {x.humanAgentName ?? t('transfers.anAgent')}
          </span>
          <button
            type="button"
            onClick={() => {
              setView('live');
              void openCard(x.id);
              dismiss(x.id);
            }}
          >
            {t('transfers.open')}
          </button>
          <button
            type="button"
            aria-label={t('transfers.dismiss', { who: x.contactName || x.phone })}
            onClick={() => dismiss(x.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
