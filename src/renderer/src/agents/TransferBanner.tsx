import { useShell } from '../shell/store';
import { useAgents } from './store';

/** Across the top of every view: a call just reached an agent; one click opens their hand-off card. */
export function TransferBanner() {
  const announced = useAgents((s) => s.announced);
  const transfers = useAgents((s) => s.transfers);
  const openCard = useAgents((s) => s.openCard);
  const dismiss = useAgents((s) => s.dismiss);
  const setView = useShell((s) => s.setView);
  const shown = announced.map((id) => transfers.get(id)).filter((t) => t !== undefined);
  if (shown.length === 0) return null;
  return (
    <div role="region" aria-label="Transfers">
      {shown.map((t) => (
        <div key={t.id} className="transfer-banner" role="status">
          <strong>Call transferred:</strong>
          <span>
            {t.contactName || t.phone} → {t.humanAgentName ?? 'an agent'}
          </span>
          <button
            type="button"
            onClick={() => {
              setView('live');
              void openCard(t.id);
              dismiss(t.id);
            }}
          >
            Open hand-off card
          </button>
          <button
            type="button"
            aria-label={`Dismiss transfer of ${t.contactName || t.phone}`}
            onClick={() => dismiss(t.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
