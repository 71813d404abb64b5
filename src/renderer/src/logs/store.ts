import { create } from 'zustand';
import type { ApiOutput } from '@shared/contract';
import type { LogEntry } from '@shared/contract/analytics';
import type { BackupInfo } from '@shared/contract/maintenance';
import { api } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';

export type Level = LogEntry['level'];

interface LogsState {
  minLevel: Level;
  campaignId: number | null;
  /** One call's lines only (its status changes and what the dialer did with it). */
  callId: number | null;
  scope: string | null;
  entries: LogEntry[];
  scopes: string[];
  campaigns: { id: number; name: string }[];
  backups: BackupInfo[];
  /** The last restore or wipe staged: the console must restart to finish it. */
  pendingRestart: string | null;
  busy: boolean;
  setFilter(patch: Partial<Pick<LogsState, 'minLevel' | 'campaignId' | 'callId' | 'scope'>>): void;
  load(): Promise<void>;
  loadBackups(): Promise<void>;
  backup(path: string): Promise<void>;
  restore(path: string): Promise<void>;
  wipe(confirm: string, includeSettings: boolean): Promise<boolean>;
}

export const useLogs = create<LogsState>()((set, get) => {
  const run = async <T>(what: string, action: () => Promise<T>): Promise<T | undefined> => {
    set({ busy: true });
    try {
      return await useShell.getState().attempt(what, action);
    } finally {
      set({ busy: false });
    }
  };
  const staged = (what: string, r: { safetyBackup: BackupInfo }) => {
    const message = `${what} staged. Restart the console to finish; until then it shows the current data. The current data was backed up to ${r.safetyBackup.path}.`;
    set({ pendingRestart: message });
    useShell.getState().notify('warning', message);
  };
  return {
    minLevel: 'info',
    campaignId: null,
    callId: null,
    scope: null,
    entries: [],
    scopes: [],
    campaigns: [],
    backups: [],
    pendingRestart: null,
    busy: false,
    setFilter(patch) {
      set(patch);
      void get().load();
    },
    async load() {
      const { attempt } = useShell.getState();
      const { minLevel, campaignId, callId, scope } = get();
      const [logs, campaigns] = await Promise.all([
        attempt('Loading logs', () => api.call('logs.list', { minLevel, campaignId, callId, scope, limit: 500 })),
        attempt('Loading campaigns', () => api.call('campaigns.list', {})),
      ]);
      if (logs) set({ entries: logs.entries, scopes: logs.scopes });
      if (campaigns) set({ campaigns: campaigns.map((c) => ({ id: c.id, name: c.name })) });
    },
    async loadBackups() {
      const backups = await useShell.getState().attempt('Listing backups', () => api.call('maintenance.backups', {}));
      if (backups) set({ backups });
    },
    async backup(path) {
      const info = await run('Backup', () => api.call('maintenance.backup', { path: path.trim() || null }));
      if (!info) return;
      useShell.getState().notify('info', `Backup written to ${info.path}.`);
      await get().loadBackups();
    },
    async restore(path) {
      const r: ApiOutput<'maintenance.restore'> | undefined = await run('Restore', () =>
        api.call('maintenance.restore', { path: path.trim() }),
      );
      if (r) staged(`Restore of ${path.trim()}`, r);
      await get().loadBackups();
    },
    async wipe(confirm, includeSettings) {
      const r = await run('Wipe', () => api.call('maintenance.wipe', { confirm, includeSettings }));
      if (r) staged('Wipe', r);
      await get().loadBackups();
      return r !== undefined;
    },
  };
});

onReconnect(() => void useLogs.getState().load());
