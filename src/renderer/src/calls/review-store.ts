import { create } from 'zustand';
import type { ReviewItem } from '@shared/contract/calls';
import type { Call } from '@shared/domain';
import { api, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';

interface ReviewState {
  items: ReviewItem[];
  /** Calls of the selected item's provider a person may attach it to, newest first. */
  candidates: Call[];
  selectedId: number | null;
  loaded: boolean;
  busy: boolean;
  load(): Promise<void>;
  select(id: number | null): Promise<void>;
  attach(id: number, callId: number): Promise<boolean>;
  dismiss(id: number): Promise<boolean>;
}

export const useReview = create<ReviewState>()((set, get) => {
  const run = async <T>(what: string, action: () => Promise<T>): Promise<T | undefined> => {
    set({ busy: true });
    try {
      return await useShell.getState().attempt(what, action);
    } finally {
      set({ busy: false });
    }
  };
  const resolved = async (item: ReviewItem | undefined, text: string) => {
    if (!item) return false;
    useShell.getState().notify('info', text);
    await get().load();
    return true;
  };
  return {
    items: [],
    candidates: [],
    selectedId: null,
    loaded: false,
    busy: false,
    async load() {
      const items = await useShell
        .getState()
        .attempt('Loading the review list', () => api.call('review.list', { includeResolved: false, limit: 200 }));
      if (!items) return;
      const keep = items.some((i) => i.id === get().selectedId);
      set({ items, loaded: true });
      await get().select(keep ? get().selectedId : (items[0]?.id ?? null));
    },
    async select(id) {
      set({ selectedId: id });
      const item = get().items.find((i) => i.id === id);
      if (!item) {
        set({ candidates: [] });
        return;
      }
      const calls = await useShell
        .getState()
        .attempt('Loading calls to attach to', () => api.call('calls.list', { limit: 200 }));
      set({ candidates: (calls ?? []).filter((c) => c.provider === item.provider) });
    },
    async attach(id, callId) {
      const item = await run('Attaching the event', () => api.call('review.attach', { id, callId }));
      return resolved(item, `Attached to call ${callId}.`);
    },
    async dismiss(id) {
      const item = await run('Dismissing the event', () => api.call('review.dismiss', { id }));
      return resolved(item, 'Dismissed.');
    },
  };
});

api.onEvents((events) => {
  if (payloadsOf(events, 'review.changed').length && useReview.getState().loaded) void useReview.getState().load();
});
onReconnect(() => {
  if (useReview.getState().loaded) void useReview.getState().load();
});
