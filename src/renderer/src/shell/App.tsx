import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
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
import { setUiLanguage, UI_LANGUAGES, type UiLanguage } from '../i18n';
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
  const { t } = useTranslation();
  return (
    <div className="notices" role="region" aria-label={t('shell.notifications')}>
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
          <span>{n.message}</span>
          <button type="button" aria-label={t('shell.dismiss', { message: n.message })} onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

function ConnectionBadge() {
  const connection = useShell((s) => s.connection);
  const { t } = useTranslation();
  if (connection !== 'connecting') return null;
  return (
    <span className="connection" role="status">
      {t('shell.connecting')}
    </span>
  );
}

/** While the socket is down, the view stays visible as it was but takes no input (see `inert` on <main>). */
function DisconnectedBanner() {
  const connection = useShell((s) => s.connection);
  const { t } = useTranslation();
  if (connection !== 'closed') return null;
  return (
    <div className="disconnected" role="alert">
      <strong>{t('shell.disconnectedTitle')}</strong>
      {t('shell.disconnectedBody')}
    </div>
  );
}

/** The UI language; dates and numbers follow it (en-IN, hi-IN). */
function LanguagePicker() {
  const { t, i18n } = useTranslation();
  return (
    <label className="ui-language">
      <span>{t('shell.uiLanguage')}</span>
      <select value={i18n.language} onChange={(e) => setUiLanguage(e.target.value as UiLanguage)}>
        {UI_LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function App() {
  const { t, i18n } = useTranslation();
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
    // Keyed by the language so every view renders again in it (their words come from humanize and t).
    <div className="app" key={i18n.language}>
      <header className="topbar">
        <span className="brand">Call Console</span>
        <nav aria-label={t('shell.nav')}>
          {VIEWS.map((v, i) => (
            <button
              key={v}
              type="button"
              className={v === view ? 'nav active' : 'nav'}
              aria-current={v === view ? 'page' : undefined}
              aria-keyshortcuts={`Alt+${i + 1}`}
              title={t('shell.viewShortcut', { view: humanize(v), n: i + 1 })}
              onClick={() => setView(v)}
            >
              {humanize(v)}
            </button>
          ))}
        </nav>
        <ConnectionBadge />
        <LanguagePicker />
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
