import { useEffect, useState } from 'react';
import { CALL_RESULTS, CALL_STATUSES, OUTCOMES, PROVIDER_NAMES, type ProviderName } from '@shared/domain';
import { runDemo, useCampaigns } from '../campaigns/store';
import { stateLabel } from '../calls/status';
import { humanize } from '../shell/format';
import { useShell } from '../shell/store';
import { ContactGrid } from './ContactGrid';
import { ImportButton } from './ImportDialog';
import { ListTarget } from './ListTarget';
import { useContacts } from './store';

function AddContactsForm({ onDone }: { onDone?: () => void }) {
  const add = useContacts((s) => s.add);
  const [text, setText] = useState('');
  const [target, setTarget] = useState<string>('new');
  const [listName, setListName] = useState('My contacts');
  const [report, setReport] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const result = await add(listName.trim(), target === 'new' ? undefined : Number(target), text);
    setBusy(false);
    if (!result) return;
    const rejected = result.rejected.map((r) => `line ${r.row}: ${r.column} "${r.value}": ${r.reason}`);
    setReport(
      [
        `Added ${result.accepted}, duplicates ${result.duplicates}, rejected ${result.rejected.length}.`,
        ...rejected,
      ].join('\n'),
    );
    if (!result.rejected.length) {
      setText('');
      onDone?.();
    }
  };

  return (
    <form className="add-form" aria-label="Add contacts" onSubmit={submit}>
      <ListTarget
        label="Add to list"
        nameLabel="New list name"
        target={target}
        onTarget={setTarget}
        listName={listName}
        onListName={setListName}
        required
      />
      <label className="grow">
        Contacts, one per line: name, phone
        <textarea
          aria-label="Contacts to add, one per line: name, phone"
          rows={4}
          value={text}
          placeholder={'Asha Rao, +91 98765 43210\nJohn Smith, (201) 555-0142'}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <div className="row">
        <button type="submit" disabled={busy || !text.trim()}>
          Add contacts
        </button>
        {report && (
          <pre className="report" role="status" aria-label="Add contacts result">
            {report}
          </pre>
        )}
      </div>
    </form>
  );
}

const STATUS_OPTIONS = ['not_called', ...CALL_STATUSES.filter((s) => s !== 'ended'), ...CALL_RESULTS];

function Filters() {
  const filter = useContacts((s) => s.filter);
  const setFilter = useContacts((s) => s.setFilter);
  const campaigns = useCampaigns((s) => s.campaigns);
  const num = (v: string) => (v === '' ? undefined : Math.max(0, Math.floor(Number(v))));
  return (
    <div className="filters" role="group" aria-label="Filters">
      <label>
        Status
        <select
          aria-label="Filter by status"
          value={filter.status?.[0] ?? ''}
          onChange={(e) => setFilter({ ...filter, status: e.target.value ? [e.target.value] : undefined })}
        >
          <option value="">Any</option>
          {STATUS_OPTIONS.map((s) => (
            <option key={s} value={s}>
              {s === 'not_called' ? 'Not called' : stateLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Outcome
        <select
          aria-label="Filter by outcome"
          value={filter.outcome?.[0] ?? ''}
          onChange={(e) => setFilter({ ...filter, outcome: e.target.value ? [e.target.value] : undefined })}
        >
          <option value="">Any</option>
          <option value="none">None yet</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {humanize(o)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Attempts ≥
        <input
          aria-label="Minimum attempts"
          type="number"
          min={0}
          className="narrow"
          value={filter.attemptsMin ?? ''}
          onChange={(e) => setFilter({ ...filter, attemptsMin: num(e.target.value) })}
        />
      </label>
      <label>
        ≤
        <input
          aria-label="Maximum attempts"
          type="number"
          min={0}
          className="narrow"
          value={filter.attemptsMax ?? ''}
          onChange={(e) => setFilter({ ...filter, attemptsMax: num(e.target.value) })}
        />
      </label>
      <label>
        Campaign
        <select
          aria-label="Filter by campaign"
          value={filter.campaignId ?? ''}
          onChange={(e) => setFilter({ ...filter, campaignId: e.target.value ? Number(e.target.value) : undefined })}
        >
          <option value="">Any</option>
          {campaigns.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Callable
        <select
          aria-label="Filter by callable"
          value={filter.callable === undefined ? '' : String(filter.callable)}
          onChange={(e) =>
            setFilter({ ...filter, callable: e.target.value === '' ? undefined : e.target.value === 'true' })
          }
        >
          <option value="">Any</option>
          <option value="true">Callable</option>
          <option value="false">Not callable</option>
        </select>
      </label>
    </div>
  );
}

function BulkBar() {
  const selected = useContacts((s) => s.selected);
  const bulk = useContacts((s) => s.bulk);
  const exportFile = useContacts((s) => s.exportFile);
  const campaigns = useCampaigns((s) => s.campaigns);
  const [target, setTarget] = useState('');
  const [provider, setProvider] = useState<ProviderName>('simulator');
  const open = campaigns.filter((c) => c.state !== 'completed' && c.state !== 'cancelled');
  // Always laid out (disabled when empty) so selecting a row never shifts the grid under the pointer.
  if (!selected.size) {
    return (
      <div className="bulk empty" role="toolbar" aria-label="Selected contacts">
        <span className="muted">
          Select rows (click, Shift+click, Ctrl+click, Space) to call, export, mark do-not-call or delete them.
        </span>
      </div>
    );
  }
  return (
    <div className="bulk" role="toolbar" aria-label="Selected contacts">
      <strong>{selected.size.toLocaleString()} selected</strong>
      <select aria-label="Campaign for the selection" value={target} onChange={(e) => setTarget(e.target.value)}>
        <option value="">New campaign</option>
        {open.map((c) => (
          <option key={c.id} value={c.id}>
            Add to: {c.name}
          </option>
        ))}
      </select>
      {target === '' && (
        <select
          aria-label="Provider for the new campaign"
          value={provider}
          onChange={(e) => setProvider(e.target.value as ProviderName)}
        >
          {PROVIDER_NAMES.map((p) => (
            <option key={p} value={p}>
              {humanize(p)}
            </option>
          ))}
        </select>
      )}
      <button
        type="button"
        className="primary"
        onClick={() => void bulk({ kind: 'callNow', campaignId: target ? Number(target) : undefined, provider })}
      >
        {target ? 'Add to campaign' : 'Call now'}
      </button>
      <button type="button" onClick={() => void exportFile({ selection: { ids: [...selected] } }, 'csv')}>
        Export selection (CSV)
      </button>
      <button type="button" onClick={() => void bulk({ kind: 'markDnc' })}>
        Mark do-not-call
      </button>
      <button
        type="button"
        className="danger"
        onClick={() => {
          if (window.confirm(`Delete ${selected.size} contacts? This cannot be undone.`)) void bulk({ kind: 'delete' });
        }}
      >
        Delete
      </button>
    </div>
  );
}

function ExportMenu() {
  const listId = useContacts((s) => s.listId);
  const exportFile = useContacts((s) => s.exportFile);
  const currentFilter = useContacts((s) => s.currentFilter);
  const run = (format: 'csv' | 'xlsx') =>
    void exportFile(listId !== undefined ? { listId } : { selection: { filter: currentFilter() } }, format);
  return (
    <span className="export" role="group" aria-label="Export">
      <button type="button" onClick={() => run('csv')}>
        Export CSV
      </button>
      <button type="button" onClick={() => run('xlsx')}>
        Export XLSX
      </button>
    </span>
  );
}

function FirstRun() {
  const setView = useShell((s) => s.setView);
  return (
    <section className="first-run" aria-label="Getting started">
      <h2>No contacts yet</h2>
      <div className="cards">
        <div className="card">
          <h3>Try it with the simulator</h3>
          <p>
            20 fictional contacts and a fast simulator campaign. No account or keys needed; watch the calls on Live.
          </p>
          <button type="button" className="primary" onClick={() => void runDemo()}>
            Run the simulator demo
          </button>
        </div>
        <div className="card">
          <h3>Use a real provider</h3>
          <p>Bolna, Retell, Exotel or self-hosted Bolna with Twilio: add keys and the webhook URL in Settings.</p>
          <button type="button" onClick={() => setView('settings')}>
            Set up a provider
          </button>
        </div>
        <div className="card">
          <h3>Bring your list</h3>
          <p>Drop an Excel or CSV file anywhere on this window, or type a few contacts:</p>
          <AddContactsForm />
        </div>
      </div>
    </section>
  );
}

export function ContactsView() {
  const lists = useContacts((s) => s.lists);
  const listsLoaded = useContacts((s) => s.listsLoaded);
  const listId = useContacts((s) => s.listId);
  const setList = useContacts((s) => s.setList);
  const setSearch = useContacts((s) => s.setSearch);
  const loadLists = useContacts((s) => s.loadLists);
  const reload = useContacts((s) => s.reload);
  const loadCampaigns = useCampaigns((s) => s.load);
  const [query, setQuery] = useState(useContacts.getState().search);
  const [adding, setAdding] = useState(false);

  useEffect(() => {
    void loadLists();
    void loadCampaigns();
    reload();
  }, [loadLists, loadCampaigns, reload]);
  useEffect(() => {
    const t = setTimeout(() => {
      if (query !== useContacts.getState().search) setSearch(query);
    }, 200);
    return () => clearTimeout(t);
  }, [query, setSearch]);

  if (listsLoaded && lists.length === 0) return <FirstRun />;

  return (
    <section className="contacts" aria-label="Contacts">
      <div className="toolbar" role="toolbar" aria-label="Contacts tools">
        <label>
          List
          <select
            aria-label="List"
            value={listId ?? ''}
            onChange={(e) => setList(e.target.value === '' ? undefined : Number(e.target.value))}
          >
            <option value="">All lists</option>
            {lists.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name} ({l.contactCount.toLocaleString()})
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          aria-label="Search contacts"
          placeholder="Search name, phone, variables…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="button" aria-expanded={adding} onClick={() => setAdding(!adding)}>
          {adding ? 'Close add form' : 'Add contacts…'}
        </button>
        <ImportButton />
        <ExportMenu />
      </div>
      <Filters />
      {adding && <AddContactsForm onDone={() => setAdding(false)} />}
      <BulkBar />
      <ContactGrid />
    </section>
  );
}
