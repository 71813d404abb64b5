import { create } from 'zustand';
import type { ApiInput, ApiOutput } from '@shared/contract';
import type { GoogleCredential, SheetConnection } from '@shared/contract/sources';
import { api, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';

type Inspection = ApiOutput<'sources.sheets.inspect'>;
type ConnectInput = ApiInput<'sources.sheets.connect'>;

interface SourcesState {
  credentials: GoogleCredential[];
  connections: SheetConnection[];
  inspection: Inspection | null;
  /** Desktop OAuth in progress: the consent link to open, polled until done. */
  oauth: { flowId: string; authUrl: string } | null;
  busy: boolean;
  load(): Promise<void>;
  addKeyFile(file: File): Promise<void>;
  startOAuth(file: File): Promise<void>;
  inspect(url: string, credentialId: number, gid?: number): Promise<void>;
  connect(input: ConnectInput): Promise<boolean>;
  sync(id: number): Promise<void>;
  flush(id: number): Promise<void>;
  setPaused(id: number, paused: boolean): Promise<void>;
  disconnect(id: number): Promise<void>;
}

const attempt = <T>(what: string, action: () => Promise<T>) => useShell.getState().attempt(what, action);

export const useSources = create<SourcesState>()((set, get) => {
  const upsert = (c: SheetConnection) =>
    set((s) => ({
      connections: s.connections.some((x) => x.id === c.id)
        ? s.connections.map((x) => (x.id === c.id ? c : x))
        : [...s.connections, c],
    }));
  const pollOAuth = async (flowId: string) => {
    for (;;) {
      await new Promise((r) => setTimeout(r, 1500));
      if (get().oauth?.flowId !== flowId) return;
      const status = await attempt('Checking the Google sign-in', () =>
        api.call('sources.google.oauthStatus', { flowId }),
      );
      if (!status || status.state === 'failed') {
        if (status?.error) useShell.getState().notify('error', status.error);
        return set({ oauth: null });
      }
      if (status.state === 'done') {
        set({ oauth: null });
        useShell.getState().notify('info', `Signed in to Google (${status.credential?.account ?? 'OAuth'}).`);
        return get().load();
      }
    }
  };
  return {
    credentials: [],
    connections: [],
    inspection: null,
    oauth: null,
    busy: false,
    async load() {
      if (!api.has('sources.sheets.list')) return;
      const [credentials, connections] = await Promise.all([
        attempt('Loading Google credentials', () => api.call('sources.google.credentials', {})),
        attempt('Loading sheet connections', () => api.call('sources.sheets.list', {})),
      ]);
      set({ credentials: credentials ?? get().credentials, connections: connections ?? get().connections });
    },
    async addKeyFile(file) {
      const content = await file.text();
      const credential = await attempt(`Adding the key file ${file.name}`, () =>
        api.call('sources.google.addServiceAccount', { fileName: file.name, content }),
      );
      if (!credential) return;
      useShell
        .getState()
        .notify(
          'info',
          `Key added. Share the sheet with ${credential.account} (Editor) so the console can write to it.`,
        );
      await get().load();
    },
    async startOAuth(file) {
      const clientJson = await file.text();
      const started = await attempt('Starting the Google sign-in', () =>
        api.call('sources.google.oauthStart', { clientJson }),
      );
      if (!started) return;
      set({ oauth: { flowId: started.flowId, authUrl: started.authUrl } });
      void pollOAuth(started.flowId);
    },
    async inspect(url, credentialId, gid) {
      set({ busy: true });
      const inspection = await attempt('Reading the sheet', () =>
        api.call('sources.sheets.inspect', { url, credentialId, gid }),
      );
      set({ inspection: inspection ?? null, busy: false });
    },
    async connect(input) {
      set({ busy: true });
      const result = await attempt('Connecting the sheet', () => api.call('sources.sheets.connect', input));
      set({ busy: false });
      if (!result) return false;
      upsert(result.connection);
      const { added, rejected } = result.sync;
      useShell
        .getState()
        .notify(
          rejected.length ? 'warning' : 'info',
          `Sheet connected: ${added} contacts read${rejected.length ? `, ${rejected.length} rows skipped (see the connection's details)` : ''}.`,
        );
      set({ inspection: null });
      return true;
    },
    async sync(id) {
      const r = await attempt('Reading the sheet', () => api.call('sources.sheets.sync', { id }));
      if (r)
        useShell
          .getState()
          .notify(
            'info',
            `Sheet read: ${r.added} added, ${r.updated} updated, ${r.removed} removed, ${r.rejected.length} skipped.`,
          );
    },
    async flush(id) {
      const r = await attempt('Writing to the sheet', () => api.call('sources.sheets.flush', { id }));
      if (r) useShell.getState().notify('info', `${r.written} rows written; ${r.pending} still waiting.`);
    },
    async setPaused(id, paused) {
      const c = await attempt(paused ? 'Pausing the sheet' : 'Resuming the sheet', () =>
        api.call('sources.sheets.setPaused', { id, paused }),
      );
      if (c) upsert(c);
    },
    async disconnect(id) {
      const ok = await attempt('Disconnecting the sheet', () => api.call('sources.sheets.disconnect', { id }));
      if (ok) set((s) => ({ connections: s.connections.filter((c) => c.id !== id) }));
    },
  };
});

// Health (reads, writes, pending, errors) streams in as it changes.
api.onEvents((events) => {
  const updates = payloadsOf(events, 'source.updated');
  if (updates.length === 0) return;
  useSources.setState((s) => {
    const byId = new Map(s.connections.map((c) => [c.id, c]));
    for (const u of updates) byId.set(u.id, u);
    return { connections: [...byId.values()].sort((a, b) => a.id - b.id) };
  });
});
onReconnect(() => void useSources.getState().load());
