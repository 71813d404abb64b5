import { create } from 'zustand';
import type { ApiOutput } from '@shared/contract';
import type { Call } from '@shared/domain';
import { api, payloadsOf } from '../connection/client';
import { useShell } from '../shell/store';

type SearchHit = ApiOutput<'transcripts.search'>[number];
type CallDetail = ApiOutput<'calls.get'>;

interface TranscriptsState {
  query: string;
  hits: SearchHit[] | null;
  searching: boolean;
  recent: Call[];
  detail: CallDetail | null;
  setQuery(query: string): void;
  search(): Promise<void>;
  loadRecent(): Promise<void>;
  open(callId: number): Promise<void>;
  close(): void;
}

export const useTranscripts = create<TranscriptsState>()((set, get) => ({
  query: '',
  hits: null,
  searching: false,
  recent: [],
  detail: null,
  setQuery: (query) => set({ query }),
  async search() {
    const query = get().query.trim();
    if (!query) return set({ hits: null });
    set({ searching: true });
    const hits = await useShell
      .getState()
      .attempt('Searching transcripts', () => api.call('transcripts.search', { query, limit: 100 }));
    set({ hits: hits ?? [], searching: false });
  },
  async loadRecent() {
    const recent = await useShell
      .getState()
      .attempt('Loading finished calls', () => api.call('calls.list', { status: ['ended'], limit: 200 }));
    if (recent) set({ recent: recent.sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0)) });
  },
  async open(callId) {
    const detail = await useShell
      .getState()
      .attempt(`Opening call ${callId}`, () => api.call('calls.get', { id: callId }));
    if (detail) set({ detail });
  },
  close: () => set({ detail: null }),
}));

// Keep an open call's detail current while it is still being enriched (summary, extracted fields arrive late).
api.onEvents((events) => {
  const detail = useTranscripts.getState().detail;
  if (!detail) return;
  const update = payloadsOf(events, 'call.updated').findLast((c) => c.id === detail.call.id);
  const turns = payloadsOf(events, 'call.transcript').filter((t) => t.callId === detail.call.id);
  if (update || turns.length) void useTranscripts.getState().open(detail.call.id);
});
