import { useEffect, useState } from 'react';
import {
  PROVIDER_NAMES,
  type Campaign,
  type CampaignSettings,
  type CampaignState,
  type Outcome,
  type ProviderName,
} from '@shared/domain';
import { StateBadge } from '../calls/status';
import { useContacts } from '../contacts/store';
import { useNow } from '../shell/clock';
import { formatDateTime, formatInZone, formatTime, humanize, LOCAL_ZONE } from '../shell/format';
import { useShell } from '../shell/store';
import { OutcomeMappingEditor, VariableMappingEditor } from './MappingEditors';
import { PresetPicker } from './PresetPicker';
import './campaign-form.css';
import { useCampaigns, type CampaignAction } from './store';
import { WindowNotice } from './WindowNotice';

const CAMPAIGN_COLORS: Record<CampaignState, string> = {
  draft: '#6b7280',
  scheduled: '#0891b2',
  running: '#16a34a',
  paused: '#ca8a04',
  completed: '#0f766e',
  cancelled: '#64748b',
};

export function CampaignStateBadge({ state }: { state: CampaignState }) {
  const color = CAMPAIGN_COLORS[state];
  return (
    <span className="badge" style={{ borderColor: color, color }}>
      <span className="dot" style={{ background: color }} aria-hidden="true" />
      {humanize(state)}
    </span>
  );
}

/** 600000 → "10 min", 3000 → "3 s". */
function formatDelay(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round((ms / 60_000) * 10) / 10} min`;
}

const ACTIONS: Record<CampaignState, CampaignAction[]> = {
  draft: ['start', 'cancel'],
  scheduled: ['start', 'cancel'],
  running: ['pause', 'cancel'],
  paused: ['resume', 'cancel'],
  completed: [],
  cancelled: [],
};

function CreateCampaign({ onCreated }: { onCreated(): void }) {
  const lists = useContacts((s) => s.lists);
  const loadLists = useContacts((s) => s.loadLists);
  const info = useShell((s) => s.info);
  const create = useCampaigns((s) => s.create);
  const [name, setName] = useState('');
  const [listId, setListId] = useState('');
  const [provider, setProvider] = useState<ProviderName>('simulator');
  const [start, setStart] = useState('09:00');
  const [end, setEnd] = useState('20:00');
  const [ignoreWindow, setIgnoreWindow] = useState(false);
  const [zone, setZone] = useState(LOCAL_ZONE);
  const [concurrency, setConcurrency] = useState(10);
  const [maxAttempts, setMaxAttempts] = useState(3);
  const [retryMinutes, setRetryMinutes] = useState(10);
  const [simSpeed, setSimSpeed] = useState(20);
  const [variableMapping, setVariableMapping] = useState<Record<string, string>>({});
  const [outcomeMapping, setOutcomeMapping] = useState<Record<string, Outcome>>({});
  /** Settings a preset brings that the form has no field of its own for (pacing, watching the sheet). */
  const [presetExtras, setPresetExtras] = useState<Partial<CampaignSettings>>({});
  const columns = useContacts((s) => s.variables);
  const pickPreset = (p: Partial<CampaignSettings>) => {
    const { concurrency: c, retryDelaysMs: r, ...rest } = p;
    if (c) setConcurrency(c);
    if (r) setRetryMinutes(r[0] / 60_000);
    setPresetExtras(rest);
  };
  useEffect(() => {
    void loadLists();
  }, [loadLists]);
  const chosenList = listId || (lists[0] ? String(lists[0].id) : '');
  const configured = new Map(info?.providers.map((p) => [p.name, p.configured]) ?? []);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const list = lists.find((l) => String(l.id) === chosenList);
    if (!list) return;
    const campaign = await create({
      name: name.trim() || `${list.name} · ${formatDateTime(Date.now())}`,
      listIds: [list.id],
      provider,
      voiceAgentId: null,
      startAt: null,
      settings: {
        window: { start, end },
        ignoreWindow,
        defaultTimezone: zone,
        concurrency,
        maxAttempts,
        retryDelaysMs: [Math.round(retryMinutes * 60_000)],
        ...(provider === 'simulator' ? { simSpeed } : {}),
        ...presetExtras,
        variableMapping,
        outcomeMapping,
      },
    });
    if (campaign) onCreated();
  };

  return (
    <form className="create-campaign" aria-label="New campaign" onSubmit={submit}>
      <h3>New campaign</h3>
      <PresetPicker onPick={pickPreset} />
      <div className="form-grid">
        <label>
          Name
          <input
            aria-label="Campaign name"
            value={name}
            placeholder="e.g. COD confirmations, Monday"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label>
          List
          <select aria-label="Campaign list" value={chosenList} onChange={(e) => setListId(e.target.value)} required>
            {lists.length === 0 && <option value="">No lists: add contacts first</option>}
            {lists.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name} ({l.contactCount})
              </option>
            ))}
          </select>
        </label>
        <label>
          Provider
          <select aria-label="Provider" value={provider} onChange={(e) => setProvider(e.target.value as ProviderName)}>
            {PROVIDER_NAMES.map((p) => (
              <option key={p} value={p}>
                {humanize(p)}
                {configured.get(p) === false ? ' (not set up)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Window from
          <input
            aria-label="Calling window start"
            type="time"
            value={start}
            onChange={(e) => setStart(e.target.value)}
          />
        </label>
        <label>
          to
          <input aria-label="Calling window end" type="time" value={end} onChange={(e) => setEnd(e.target.value)} />
        </label>
        <label>
          Default time zone
          <input aria-label="Default time zone" value={zone} onChange={(e) => setZone(e.target.value)} />
        </label>
        <label className="check">
          <input
            type="checkbox"
            aria-label="Ignore calling window"
            checked={ignoreWindow}
            onChange={(e) => setIgnoreWindow(e.target.checked)}
          />
          Ignore window (tests, internal lists)
        </label>
        <label>
          Concurrency
          <input
            aria-label="Concurrency"
            type="number"
            min={1}
            max={1000}
            value={concurrency}
            onChange={(e) => setConcurrency(Number(e.target.value))}
          />
        </label>
        <label>
          Max attempts
          <input
            aria-label="Max attempts"
            type="number"
            min={1}
            max={20}
            value={maxAttempts}
            onChange={(e) => setMaxAttempts(Number(e.target.value))}
          />
        </label>
        <label>
          Retry after (minutes)
          <input
            aria-label="Retry after minutes"
            type="number"
            min={0}
            step="any"
            value={retryMinutes}
            onChange={(e) => setRetryMinutes(Number(e.target.value))}
          />
        </label>
        {provider === 'simulator' && (
          <label>
            Simulator speed ×
            <input
              aria-label="Simulator speed"
              type="number"
              min={1}
              max={10000}
              value={simSpeed}
              onChange={(e) => setSimSpeed(Number(e.target.value))}
            />
          </label>
        )}
      </div>
      {presetExtras.watchSources && (
        <p className="hint">
          Sheet dialer: 5 s between calls; keeps watching the sheet for new rows until you stop it.
        </p>
      )}
      <div className="mapping-editors">
        <VariableMappingEditor value={variableMapping} columns={columns} onChange={setVariableMapping} />
        <OutcomeMappingEditor value={outcomeMapping} onChange={setOutcomeMapping} />
      </div>
      <button type="submit" className="primary" disabled={!chosenList}>
        Create campaign
      </button>
    </form>
  );
}

function Counts({ title, counts, badge }: { title: string; counts: Record<string, number>; badge?: boolean }) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  return (
    <div className="counts" role="group" aria-label={title}>
      <h4>{title}</h4>
      {entries.length === 0 ? (
        <span className="muted">none</span>
      ) : (
        <ul>
          {entries.map(([k, n]) => (
            <li key={k}>
              {badge ? <StateBadge state={k} /> : <span>{humanize(k)}</span>}
              <strong>{n}</strong>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * COD write-back: each list's outcomes go into the file it was imported from. A list imported from an uploaded
 * copy has no known file, so the person gives its path.
 */
function WriteBack({ campaignId }: { campaignId: number }) {
  const writeBack = useCampaigns((s) => s.writeBack);
  const [path, setPath] = useState('');
  const [files, setFiles] = useState<{ path: string; updated: number; unchanged: number; unmatched: number }[]>();
  return (
    <form
      className="write-back"
      aria-label="Write outcomes to the original file"
      onSubmit={(e) => {
        e.preventDefault();
        void writeBack(campaignId, path.trim() || undefined).then(setFiles);
      }}
    >
      <button type="submit">Write outcomes to the original file</button>
      <input
        value={path}
        onChange={(e) => setPath(e.target.value)}
        placeholder="call_list.csv path (only if the list was uploaded)"
        aria-label="Path of the original call_list.csv"
      />
      {files?.map((f) => (
        <span key={f.path} className="muted" role="status">
          {f.path}: {f.updated} updated, {f.unchanged} already up to date, {f.unmatched} rows without an outcome
        </span>
      ))}
    </form>
  );
}

function CampaignDetail({ campaign }: { campaign: Campaign }) {
  const progress = useCampaigns((s) => s.progress[campaign.id]);
  const localActivity = useCampaigns((s) => s.activity[campaign.id]);
  const log = useCampaigns((s) => s.log[campaign.id]);
  const waiting = useCampaigns((s) => s.waiting[campaign.id]);
  const act = useCampaigns((s) => s.act);
  const loadDetail = useCampaigns((s) => s.loadDetail);
  const activity = log?.length ? log : localActivity;
  // "Their time now" shows hours and minutes, so a clock that ticks every 15 s is close enough.
  const now = useNow(15_000);
  useEffect(() => {
    void loadDetail(campaign.id);
    if (campaign.state !== 'running') return;
    // Progress events are the main feed; this slow poll refreshes the log and the waiting list.
    const t = setInterval(() => void loadDetail(campaign.id), 2000);
    return () => clearInterval(t);
  }, [campaign.id, campaign.state, loadDetail]);
  const done = progress?.byContactState.done ?? 0;
  const total = progress?.total ?? 0;
  const s = campaign.settings;
  return (
    <section className="campaign-detail" aria-label={`Campaign ${campaign.name}`}>
      <header>
        <h3>{campaign.name}</h3>
        <CampaignStateBadge state={campaign.state} />
        {progress?.watching && (
          <span className="badge watching" title="Everything there is has been called; new rows of the sheet will be">
            watching the sheet
          </span>
        )}
        {campaign.stateReason && <span className="muted">{campaign.stateReason}</span>}
        <div className="actions">
          {ACTIONS[campaign.state].map((a) => (
            <button
              key={a}
              type="button"
              className={a === 'start' ? 'primary' : a === 'cancel' ? 'danger' : ''}
              onClick={() => void act(campaign.id, a)}
            >
              {humanize(a)}
            </button>
          ))}
        </div>
      </header>
      <WindowNotice
        campaign={campaign}
        progress={progress}
        now={now}
        liveCalls={Object.entries(progress?.byCallStatus ?? {})
          .filter(([status]) => status !== 'ended')
          .reduce((sum, [, n]) => sum + n, 0)}
      />
      <p className="settings-line">
        {humanize(campaign.provider)} · window{' '}
        {s.ignoreWindow ? 'ignored' : `${s.window.start}–${s.window.end} recipient time (default ${s.defaultTimezone})`}{' '}
        · concurrency {s.concurrency} · max attempts {s.maxAttempts} · retry after{' '}
        {s.retryDelaysMs.map(formatDelay).join(', ')}
        {campaign.provider === 'simulator' ? ` · sim speed ×${s.simSpeed}` : ''}
      </p>
      <div
        className="progress"
        role="progressbar"
        aria-label="Contacts done"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
      >
        <div style={{ width: total ? `${(100 * done) / total}%` : 0 }} />
        <span>
          {done} / {total} contacts done
        </span>
      </div>
      <WriteBack campaignId={campaign.id} />
      {progress ? (
        <div className="counts-row">
          <Counts title="Contacts" counts={progress.byContactState} />
          <Counts title="Calls by status" counts={progress.byCallStatus} badge />
          <Counts title="Results" counts={progress.byResult} badge />
          <Counts title="Outcomes" counts={progress.byOutcome} />
          <Counts title="Waiting because" counts={progress.byWaitReason} />
          {progress.nextDueAt && <p className="muted">Next retry due {formatTime(progress.nextDueAt)}</p>}
        </div>
      ) : (
        <p className="muted">No progress yet.</p>
      )}
      {waiting && waiting.length > 0 && (
        <>
          <h4>
            Waiting ({waiting.length}
            {waiting.length === 200 ? '+' : ''})
          </h4>
          <div className="waiting">
            <table aria-label="Waiting contacts">
              <thead>
                <tr>
                  <th>Contact</th>
                  <th>Phone</th>
                  <th>Attempts</th>
                  <th>Last result</th>
                  <th>Why waiting</th>
                  <th>Next try (your time)</th>
                  <th>Their time now</th>
                </tr>
              </thead>
              <tbody>
                {waiting.slice(0, 50).map((w) => (
                  <tr key={w.contactId}>
                    <td>{w.name}</td>
                    <td>{w.phone ?? '—'}</td>
                    <td>{w.attempts}</td>
                    <td>{w.lastResult ? <StateBadge state={w.lastResult} /> : '—'}</td>
                    <td>{w.waitReason ? humanize(w.waitReason) : '—'}</td>
                    <td>{w.nextAt ? formatTime(w.nextAt) : '—'}</td>
                    <td>{formatInZone(now, w.timezone ?? s.defaultTimezone) ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h4>Activity</h4>
      <ol className="activity" aria-label="Activity log">
        {(activity ?? []).map((a, i) => (
          <li key={i}>
            <time>{formatTime(a.at)}</time>{' '}
            <span className={a.level === 'error' || a.level === 'warn' ? 'error-text' : ''}>{a.text}</span>
          </li>
        ))}
        {!activity?.length && <li className="muted">Created {formatDateTime(campaign.createdAt)}</li>}
      </ol>
    </section>
  );
}

export function CampaignsView() {
  const campaigns = useCampaigns((s) => s.campaigns);
  const selectedId = useCampaigns((s) => s.selectedId);
  const select = useCampaigns((s) => s.select);
  const load = useCampaigns((s) => s.load);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    void load();
  }, [load]);
  const selected = campaigns.find((c) => c.id === selectedId);
  return (
    <div className="split">
      <aside className="campaign-list" aria-label="Campaigns">
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New campaign…
        </button>
        <table>
          <thead>
            <tr>
              <th>Campaign</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.map((c) => (
              <tr
                key={c.id}
                className={c.id === selectedId && !creating ? 'selected' : ''}
                aria-selected={c.id === selectedId && !creating}
              >
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      setCreating(false);
                      select(c.id);
                    }}
                  >
                    {c.name}
                  </button>
                </td>
                <td>
                  <CampaignStateBadge state={c.state} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {campaigns.length === 0 && <p className="muted">No campaigns yet.</p>}
      </aside>
      <div className="campaign-main">
        {creating || !selected ? (
          <CreateCampaign onCreated={() => setCreating(false)} />
        ) : (
          <CampaignDetail campaign={selected} />
        )}
      </div>
    </div>
  );
}
