import { useEffect } from 'react';
import { TransferBanner } from '../agents/TransferBanner';
import { AnalyticsView } from '../analytics/AnalyticsView';
import { ReviewView } from '../calls/ReviewView';
import { CampaignsView } from '../campaigns/CampaignsView';
import { ContactsView } from '../contacts/ContactsView';
import { ImportDropZone } from '../contacts/ImportDialog';
import { LiveView } from '../live/LiveView';
import { LogsView } from '../logs/LogsView';
import { RecordingsView } from '../recordings/RecordingsView';
import { SettingsView } from '../settings/SettingsView';
import { TranscriptsView } from '../transcripts/TranscriptsView';
import { humanize } from './format';
import { useShell, VIEWS, type View } from './store';

const VIEW_COMPONENTS: Record<View, () => React.JSX.Element> = {
  contacts: ContactsView,
  campaigns: CampaignsView,
  live: LiveView,
  transcripts: TranscriptsView,
  review: ReviewView,
  settings: SettingsView,
  recordings: RecordingsView,
  analytics: AnalyticsView,
  logs: LogsView,
};

/** Alt+1..5 in the browser (Ctrl+1..5 belongs to the browser's tabs; the desktop menu sends app.navigate). */
function useViewShortcuts() {
  const setView = useShell((s) => s.setView);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const index = Number(e.key) - 1;
      if (Number.isInteger(index) && index >= 0 && index < VIEWS.length) {
        e.preventDefault();
        setView(VIEWS[index]);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setView]);
}

function Notices() {
  const notices = useShell((s) => s.notices);
  const dismiss = useShell((s) => s.dismiss);
  return (
    <div className="notices" role="region" aria-label="Notifications">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
          <span>{n.message}</span>
          <button type="button" aria-label={`Dismiss: ${n.message}`} onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

function ConnectionBadge() {
  const connection = useShell((s) => s.connection);
  if (connection !== 'connecting') return null;
  return (
    <span className="connection" role="status">
      Connecting to the console…
    </span>
  );
}

/** While the socket is down, the view stays visible as it was but takes no input (see `inert` on <main>). */
function DisconnectedBanner() {
  const connection = useShell((s) => s.connection);
  if (connection !== 'closed') return null;
  return (
    <div className="disconnected" role="alert">
      <strong>Disconnected from the console</strong>: reconnecting by itself. What you see is as it was; actions are
      paused until the connection is back.
    </div>
  );
}

export function App() {
  const view = useShell((s) => s.view);
  const setView = useShell((s) => s.setView);
  const loadInfo = useShell((s) => s.loadInfo);
  useViewShortcuts();
  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);
  const offline = useShell((s) => s.connection === 'closed');
  const Current = VIEW_COMPONENTS[view];
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Call Console</span>
        <nav aria-label="Views">
          {VIEWS.map((v, i) => (
            <button
              key={v}
              type="button"
              className={v === view ? 'nav active' : 'nav'}
              aria-current={v === view ? 'page' : undefined}
              aria-keyshortcuts={`Alt+${i + 1}`}
              title={`${humanize(v)} (Alt+${i + 1})`}
              onClick={() => setView(v)}
            >
              {humanize(v)}
            </button>
          ))}
        </nav>
        <ConnectionBadge />
      </header>
      <DisconnectedBanner />
      <TransferBanner />
      <Notices />
      <main
        className={offline ? 'view offline' : 'view'}
        aria-label={humanize(view)}
        inert={offline}
        aria-disabled={offline || undefined}
      >
        <Current />
      </main>
      {offline ? null : <ImportDropZone />}
    </div>
  );
}
