import { create } from 'zustand';
import type { ApiOutput } from '@shared/contract';
import { AppView } from '@shared/contract/app';
import { api, describeError, payloadsOf, type ConnectionState } from '../connection/client';

export const VIEWS = AppView.options;
export type View = AppView;

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
  at: number;
}

interface ShellState {
  view: View;
  info: ApiOutput<'app.info'> | null;
  connection: ConnectionState;
  notices: Notice[];
  setView(view: View): void;
  loadInfo(): Promise<void>;
  notify(level: Notice['level'], message: string): void;
  /** Runs an action and turns a failure into an error banner; resolves to undefined on failure. */
  attempt<T>(what: string, action: () => Promise<T>): Promise<T | undefined>;
  dismiss(id: number): void;
}

let noticeId = 1;
/** Stores register what to reload after the socket comes back (events may have been missed meanwhile). */
const reloaders = new Set<() => void>();
export function onReconnect(reload: () => void): void {
  reloaders.add(reload);
}

export const useShell = create<ShellState>()((set, get) => ({
  view: 'contacts',
  info: null,
  connection: 'connecting',
  notices: [],
  setView: (view) => set({ view }),
  async loadInfo() {
    const info = await get().attempt('Loading app info', () => api.call('app.info', {}));
    if (info) set({ info });
  },
  notify(level, message) {
    const notice = { id: noticeId++, level, message, at: Date.now() };
    set((s) => ({ notices: [...s.notices.slice(-4), notice] }));
    if (level === 'info') setTimeout(() => get().dismiss(notice.id), 6000);
  },
  async attempt(what, action) {
    try {
      return await action();
    } catch (err) {
      get().notify('error', `${what} failed: ${describeError(err)}`);
      return undefined;
    }
  },
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
}));

let wasClosed = false;
api.onConnection((connection) => {
  useShell.setState({ connection });
  if (connection === 'closed') wasClosed = true;
  if (connection === 'open' && wasClosed) {
    wasClosed = false;
    for (const reload of reloaders) reload();
  }
});

api.onEvents((events) => {
  for (const n of payloadsOf(events, 'notice')) useShell.getState().notify(n.level, n.message);
  for (const n of payloadsOf(events, 'app.navigate')) useShell.getState().setView(n.view);
});
