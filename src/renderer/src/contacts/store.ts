import { create } from 'zustand';
import type { ApiOutput } from '../../../shared/contract';
import type { Contact, ContactList } from '../../../shared/domain';
import { api, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';

// The contacts grid reads pages on demand: only the blocks the viewport touches are fetched, so 100,000
// contacts cost a few requests, not one huge one. Any change of list/search drops the cache (generation guard).

export const BLOCK = 200;

type AddResult = ApiOutput<'contacts.add'>;

interface ContactsState {
  lists: ContactList[];
  listsLoaded: boolean;
  listId: number | undefined;
  search: string;
  total: number | null;
  /** Row index → contact, for the blocks fetched so far. */
  rows: Map<number, Contact>;
  /** Bumped on every fetch so the grid re-renders once per arrived block. */
  version: number;
  selected: Set<number>;
  loadLists(): Promise<void>;
  setList(listId: number | undefined): void;
  setSearch(search: string): void;
  ensureRange(start: number, end: number): void;
  setSelected(selected: Set<number>): void;
  add(listName: string, listId: number | undefined, text: string): Promise<AddResult | undefined>;
  reload(): void;
}

let generation = 0;
const inFlight = new Set<number>();

/** "Name, phone" or "phone" per line; tabs (pasted from a sheet) and semicolons work as separators too. */
export function parseContactLines(text: string): { name: string; phone: string }[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const parts = line.split(/\t|;|,(?=[^,]*$)/).map((p) => p.trim());
      return parts.length >= 2 ? { name: parts[0], phone: parts[parts.length - 1] } : { name: '', phone: parts[0] };
    });
}

export const useContacts = create<ContactsState>()((set, get) => ({
  lists: [],
  listsLoaded: false,
  listId: undefined,
  search: '',
  total: null,
  rows: new Map(),
  version: 0,
  selected: new Set(),
  async loadLists() {
    const lists = await useShell.getState().attempt('Loading lists', () => api.call('lists.list', {}));
    if (lists) set({ lists, listsLoaded: true });
  },
  setList(listId) {
    set({ listId });
    get().reload();
  },
  setSearch(search) {
    set({ search });
    get().reload();
  },
  reload() {
    generation++;
    inFlight.clear();
    set((s) => ({ rows: new Map(), total: null, version: s.version + 1, selected: new Set() }));
    get().ensureRange(0, BLOCK);
  },
  ensureRange(start, end) {
    const { rows, total } = get();
    const last = total === null ? end : Math.min(end, total);
    for (let block = Math.floor(start / BLOCK) * BLOCK; block < Math.max(last, start + 1); block += BLOCK) {
      if (inFlight.has(block) || rows.has(block)) continue;
      inFlight.add(block);
      void fetchBlock(block, generation);
    }
  },
  setSelected: (selected) => set({ selected }),
  async add(listName, listId, text) {
    const contacts = parseContactLines(text).map((c) => ({ ...c, variables: {} }));
    if (!contacts.length) {
      useShell.getState().notify('warning', 'Nothing to add: write one contact per line, as "name, phone".');
      return undefined;
    }
    const result = await useShell.getState().attempt('Adding contacts', () =>
      api.call('contacts.add', listId !== undefined ? { listId, contacts } : { listName: listName || 'My contacts', contacts }),
    );
    if (!result) return undefined;
    await get().loadLists();
    set({ listId: result.listId });
    get().reload();
    return result;
  },
}));

async function fetchBlock(offset: number, gen: number): Promise<void> {
  const { listId, search } = useContacts.getState();
  try {
    const page = await api.call('contacts.page', { listId, offset, limit: BLOCK, search: search.trim() || undefined });
    if (gen !== generation) return;
    useContacts.setState((s) => {
      const rows = new Map(s.rows);
      page.rows.forEach((row, i) => rows.set(offset + i, row));
      return { rows, total: page.total, version: s.version + 1 };
    });
  } catch (err) {
    if (gen === generation) useShell.getState().notify('error', `Loading contacts failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (gen === generation) inFlight.delete(offset);
  }
}

api.onEvents((events) => {
  if (payloadsOf(events, 'lists.changed').length) {
    void useContacts.getState().loadLists();
    useContacts.getState().reload();
  }
});
onReconnect(() => {
  void useContacts.getState().loadLists();
  useContacts.getState().reload();
});
