import { useEffect, useState } from 'react';
import { runDemo } from '../campaigns/store';
import { useShell } from '../shell/store';
import { ContactGrid } from './ContactGrid';
import { useContacts } from './store';

function AddContactsForm({ onDone }: { onDone?: () => void }) {
  const lists = useContacts((s) => s.lists);
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
      [`Added ${result.accepted}, duplicates ${result.duplicates}, rejected ${result.rejected.length}.`, ...rejected].join('\n'),
    );
    if (!result.rejected.length) {
      setText('');
      onDone?.();
    }
  };

  return (
    <form className="add-form" aria-label="Add contacts" onSubmit={submit}>
      <label>
        Add to
        <select aria-label="Add to list" value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="new">New list…</option>
          {lists.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      {target === 'new' && (
        <label>
          List name
          <input aria-label="New list name" value={listName} onChange={(e) => setListName(e.target.value)} required />
        </label>
      )}
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

function FirstRun() {
  const setView = useShell((s) => s.setView);
  return (
    <section className="first-run" aria-label="Getting started">
      <h2>No contacts yet</h2>
      <div className="cards">
        <div className="card">
          <h3>Try it with the simulator</h3>
          <p>20 fictional contacts and a fast simulator campaign. No account or keys needed; watch the calls on Live.</p>
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
  const [query, setQuery] = useState(useContacts.getState().search);
  const [adding, setAdding] = useState(false);

  useEffect(() => {
    void loadLists();
    reload();
  }, [loadLists, reload]);
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
        <span className="hint">Drop an .xlsx/.csv anywhere to import</span>
      </div>
      {adding && <AddContactsForm onDone={() => setAdding(false)} />}
      <ContactGrid />
    </section>
  );
}
