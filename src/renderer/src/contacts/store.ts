import { create } from 'zustand';
import { saveDownload } from '../shell/download';
import type { ApiInput, ApiOutput } from '@shared/contract';
import type { ContactFilter, GridContact } from '@shared/contract/contacts';
import type { ContactList, ProviderName } from '@shared/domain';
import { api, describeError, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';

// The contacts grid reads pages on demand: only the blocks the viewport touches are fetched, so 100,000
// contacts cost a few requests, not one huge one. Any change of list/search drops the cache (generation guard).

export const BLOCK = 200;

type AddResult = ApiOutput<'contacts.add'>;
export type CellEdit = { field: 'name' | 'phone' | 'email' } | { variable: string };
export type Sort = NonNullable<ApiInput<'contacts.page'>['sort']>;
/** The grid's filters besides list and search (which have their own controls). */
export type GridFilter = Pick<
  ContactFilter,
  'campaignId' | 'status' | 'outcome' | 'attemptsMin' | 'attemptsMax' | 'callable'
>;

interface ContactsState {
  lists: ContactList[];
  listsLoaded: boolean;
  listId: number | undefined;
  search: string;
  filter: GridFilter;
  sort: Sort | undefined;
  /** Variable names of the current list (grid columns). */
  variables: string[];
  total: number | null;
  /** Row index → contact, for the blocks fetched so far. */
  rows: Map<number, GridContact>;
  /** Bumped on every fetch so the grid re-renders once per arrived block. */
  version: number;
  selected: Set<number>;
  loadLists(): Promise<void>;
  setList(listId: number | undefined): void;
  setSearch(search: string): void;
  setFilter(filter: GridFilter): void;
  setSort(sort: Sort | undefined): void;
  /** The current list/search/filter as the API's filter (bulk actions and exports on "everything shown"). */
  currentFilter(): ContactFilter;
  /** Replaces one loaded row after an inline edit. */
  replaceRow(contact: GridContact): void;
  /** Inline edit of one field or variable; resolves to the error to show beside the cell, or null when saved. */
  saveCell(id: number, edit: CellEdit, value: string): Promise<string | null>;
  ensureRange(start: number, end: number): void;
  setSelected(selected: Set<number>): void;
  add(listName: string, listId: number | undefined, text: string): Promise<AddResult | undefined>;
  reload(): void;
  /** Bulk action on the selected contacts; the result is reported as a notice. */
  bulk(action: BulkAction): Promise<void>;
  exportFile(scope: ApiInput<'exports.create'>['scope'], format: 'csv' | 'xlsx'): Promise<void>;
}

export type BulkAction =
  { kind: 'delete' } | { kind: 'markDnc' } | { kind: 'callNow'; campaignId?: number; provider: ProviderName };

let generation = 0;
const inFlight = new Set<number>();
/** The rows held are those of an earlier reload: shown until the first block of the current one replaces them. */
let stale = false;

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
  filter: {},
  sort: undefined,
  variables: [],
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
  setFilter(filter) {
    set({ filter });
    get().reload();
  },
  setSort(sort) {
    set({ sort });
    get().reload();
  },
  currentFilter() {
    const { listId, search, filter } = get();
    return { ...filter, listId, search: search.trim() || undefined };
  },
  replaceRow(contact) {
    set((s) => {
      const rows = new Map(s.rows);
      for (const [i, row] of rows) if (row.id === contact.id) rows.set(i, contact);
      return { rows, version: s.version + 1 };
    });
  },
  async saveCell(id, edit, value) {
    const input: ApiInput<'contacts.update'> =
      'variable' in edit
        ? { id, setVariables: { [edit.variable]: value === '' ? null : value } }
        : edit.field === 'email'
          ? { id, email: value.trim() || null }
          : { id, [edit.field]: value };
    try {
      const contact = await api.call('contacts.update', input);
      get().replaceRow(contact);
      return null;
    } catch (err) {
      return describeError(err);
    }
  },
  async bulk(action) {
    const ids = [...get().selected];
    if (!ids.length) return;
    const shell = useShell.getState();
    const n = `${ids.length} contact${ids.length === 1 ? '' : 's'}`;
    if (action.kind === 'delete') {
      const r = await shell.attempt(`Deleting ${n}`, () => api.call('contacts.delete', { ids }));
      if (r) shell.notify('info', `Deleted ${r.deleted} contacts.`);
    } else if (action.kind === 'markDnc') {
      const r = await shell.attempt(`Marking ${n} do-not-call`, () =>
        api.call('contacts.markDnc', { selection: { ids } }),
      );
      if (r)
        shell.notify('info', `${r.numbers} numbers on the do-not-call list; ${r.contacts} contacts now not callable.`);
    } else {
      const r = await shell.attempt(`Calling ${n}`, () =>
        api.call('campaigns.callNow', { contactIds: ids, campaignId: action.campaignId, provider: action.provider }),
      );
      if (r) shell.notify('info', `${r.queued} contacts queued in "${r.campaign.name}".`);
    }
    await get().loadLists();
    get().reload();
  },
  async exportFile(scope, format) {
    const file = await useShell.getState().attempt('Exporting', () => api.call('exports.create', { scope, format }));
    if (!file) return;
    saveDownload(file);
    useShell.getState().notify('info', `Exported ${file.rows} rows to ${file.fileName}.`);
  },
  reload() {
    generation++;
    void loadVariables(generation);
    inFlight.clear();
    // The rows shown stay until the first block of the new order arrives (fetchBlock swaps them): a reload that
    // waits (a slow answer, a dropped connection) never blanks the grid to "0 contacts".
    stale = true;
    set((s) => ({ version: s.version + 1, selected: new Set() }));
    get().ensureRange(0, BLOCK);
  },
  ensureRange(start, end) {
    const { rows, total } = get();
    const last = total === null ? end : Math.min(end, total);
    for (let block = Math.floor(start / BLOCK) * BLOCK; block < Math.max(last, start + 1); block += BLOCK) {
      if (inFlight.has(block) || (rows.has(block) && !stale)) continue;
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
    const result = await useShell
      .getState()
      .attempt('Adding contacts', () =>
        api.call(
          'contacts.add',
          listId !== undefined ? { listId, contacts } : { listName: listName || 'My contacts', contacts },
        ),
      );
    if (!result) return undefined;
    await get().loadLists();
    set({ listId: result.listId });
    get().reload();
    return result;
  },
}));

async function loadVariables(gen: number): Promise<void> {
  const { listId, filter } = useContacts.getState();
  try {
    const { variables } = await api.call('contacts.columns', { listId, campaignId: filter.campaignId });
    if (gen === generation) useContacts.setState({ variables });
  } catch {
    // Columns fall back to the variables seen in loaded rows.
  }
}

async function fetchBlock(offset: number, gen: number): Promise<void> {
  const state = useContacts.getState();
  try {
    const page = await api.call('contacts.page', { ...state.currentFilter(), sort: state.sort, offset, limit: BLOCK });
    if (gen !== generation) return;
    useContacts.setState((s) => {
      const rows = stale ? new Map<number, GridContact>() : new Map(s.rows);
      stale = false;
      page.rows.forEach((row, i) => rows.set(offset + i, row));
      return { rows, total: page.total, version: s.version + 1 };
    });
  } catch (err) {
    if (gen === generation)
      useShell
        .getState()
        .notify('error', `Loading contacts failed: ${err instanceof Error ? err.message : String(err)}`);
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
