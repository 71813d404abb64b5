import { create } from 'zustand';
import type { ApiInput } from '@shared/contract';
import type { RecordingJob, RecordingSettingsView, RecordingState, RecordingStats } from '@shared/contract/recordings';
import { api, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';

export type RecordingFilter = 'all' | 'active' | 'failed' | 'posted';

const FILTER_STATES: Record<RecordingFilter, RecordingState[] | undefined> = {
  all: undefined,
  active: ['queued', 'transcribing', 'posting'],
  failed: ['failed'],
  posted: ['posted'],
};

interface RecordingsState {
  filter: RecordingFilter;
  jobs: RecordingJob[];
  stats: RecordingStats | null;
  settings: RecordingSettingsView | null;
  detail: { job: RecordingJob; transcript: string | null } | null;
  setFilter(filter: RecordingFilter): void;
  load(): Promise<void>;
  loadStats(): Promise<void>;
  retry(id: number): Promise<void>;
  open(id: number): Promise<void>;
  close(): void;
  loadSettings(): Promise<void>;
  saveSettings(patch: ApiInput<'recordings.settings.set'>): Promise<boolean>;
}

export const useRecordings = create<RecordingsState>()((set, get) => ({
  filter: 'all',
  jobs: [],
  stats: null,
  settings: null,
  detail: null,
  setFilter(filter) {
    set({ filter });
    void get().load();
  },
  async load() {
    const attempt = useShell.getState().attempt;
    const jobs = await attempt('Loading recordings', () =>
      api.call('recordings.list', { state: FILTER_STATES[get().filter], limit: 500 }),
    );
    if (jobs) set({ jobs });
    await get().loadStats();
  },
  async loadStats() {
    const stats = await useShell.getState().attempt('Loading recording counts', () => api.call('recordings.stats', {}));
    if (stats) set({ stats });
  },
  async retry(id) {
    const job = await useShell
      .getState()
      .attempt(`Retrying recording ${id}`, () => api.call('recordings.retry', { id }));
    if (job) merge([job]);
  },
  async open(id) {
    const detail = await useShell
      .getState()
      .attempt(`Opening recording ${id}`, () => api.call('recordings.get', { id }));
    if (detail) set({ detail });
  },
  close: () => set({ detail: null }),
  async loadSettings() {
    const settings = await useShell
      .getState()
      .attempt('Loading recording settings', () => api.call('recordings.settings.get', {}));
    if (settings) set({ settings });
  },
  async saveSettings(patch) {
    const settings = await useShell
      .getState()
      .attempt('Saving recording settings', () => api.call('recordings.settings.set', patch));
    if (!settings) return false;
    set({ settings });
    useShell.getState().notify('info', 'Recording settings saved.');
    return true;
  },
}));

/** Updates rows in place (newest first); a job that no longer matches the filter leaves the list. */
function merge(updates: RecordingJob[]): void {
  const { jobs, filter, detail } = useRecordings.getState();
  const states = FILTER_STATES[filter];
  const byId = new Map(jobs.map((j) => [j.id, j]));
  for (const job of updates) {
    if (states && !states.includes(job.state)) byId.delete(job.id);
    else byId.set(job.id, job);
  }
  const next = [...byId.values()].sort((a, b) => b.receivedAt - a.receivedAt || b.id - a.id);
  const open = detail ? updates.findLast((j) => j.id === detail.job.id) : undefined;
  useRecordings.setState({ jobs: next, ...(open && detail ? { detail: { ...detail, job: open } } : {}) });
}

api.onEvents((events) => {
  const updates = payloadsOf(events, 'recording.updated');
  if (updates.length === 0) return;
  merge(updates);
  void useRecordings.getState().loadStats();
  const detail = useRecordings.getState().detail;
  if (detail && updates.some((u) => u.id === detail.job.id && u.state === 'posting'))
    void useRecordings.getState().open(detail.job.id);
});

onReconnect(() => void useRecordings.getState().load());
