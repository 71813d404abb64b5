import { create } from 'zustand';
import { saveDownload } from '../shell/download';
import type { Dashboard } from '@shared/contract/analytics';
import type { Campaign } from '@shared/domain';
import { api, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';

/** The user's date inputs (YYYY-MM-DD, local days); `to` is inclusive here and made exclusive for the API. */
export interface DateRange {
  from: string;
  to: string;
}

interface AnalyticsState {
  campaigns: Campaign[];
  campaignId: number | null;
  range: DateRange;
  dashboard: Dashboard | null;
  loading: boolean;
  /** True while the view is on screen: call events then refresh the figures (throttled). */
  watching: boolean;
  setCampaign(id: number | null): void;
  setRange(range: DateRange): void;
  load(): Promise<void>;
  exportFile(format: 'csv' | 'xlsx'): Promise<void>;
  watch(on: boolean): void;
}

const localDay = (day: string): number | null => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d).getTime();
};

function query(s: Pick<AnalyticsState, 'campaignId' | 'range'>) {
  const from = localDay(s.range.from);
  const toDay = localDay(s.range.to);
  const to = toDay === null ? null : new Date(toDay).setDate(new Date(toDay).getDate() + 1);
  return { campaignId: s.campaignId, from, to, utcOffsetMinutes: -new Date().getTimezoneOffset() };
}

export const useAnalytics = create<AnalyticsState>()((set, get) => ({
  campaigns: [],
  campaignId: null,
  range: { from: '', to: '' },
  dashboard: null,
  loading: false,
  watching: false,
  setCampaign(campaignId) {
    set({ campaignId });
    void get().load();
  },
  setRange(range) {
    set({ range });
    void get().load();
  },
  async load() {
    const { attempt } = useShell.getState();
    set({ loading: true });
    const started = performance.now();
    const [campaigns, dashboard] = await Promise.all([
      attempt('Loading campaigns', () => api.call('campaigns.list', {})),
      attempt('Loading the dashboard', () => api.call('analytics.dashboard', query(get()))),
    ]);
    lastLoadMs = performance.now() - started;
    set({ loading: false, ...(campaigns && { campaigns }), ...(dashboard && { dashboard }) });
  },
  async exportFile(format) {
    const file = await useShell
      .getState()
      .attempt('Exporting the dashboard', () => api.call('analytics.export', { query: query(get()), format }));
    if (!file) return;
    saveDownload(file);
    useShell.getState().notify('info', `Exported ${file.rows} figures to ${file.fileName}.`);
  },
  watch: (watching) => set({ watching }),
}));

let refresh: ReturnType<typeof setTimeout> | null = null;
/** The figures are SQL over every call in range; on big campaigns live refreshes back off so the core stays free. */
let lastLoadMs = 0;
api.onEvents((events) => {
  if (!useAnalytics.getState().watching || refresh) return;
  if (payloadsOf(events, 'call.updated').length === 0) return;
  refresh = setTimeout(
    () => {
      refresh = null;
      void useAnalytics.getState().load();
    },
    Math.max(2000, lastLoadMs * 10),
  );
});

onReconnect(() => {
  if (useAnalytics.getState().watching) void useAnalytics.getState().load();
});
