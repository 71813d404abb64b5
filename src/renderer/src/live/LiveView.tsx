import { memo, useEffect, useMemo } from 'react';
import type { Transfer } from '@shared/contract/agents';
import type { Call, Campaign, TranscriptTurn } from '@shared/domain';
import { timeInZone } from '@shared/time/format';
import { resolveZone } from '@shared/time/zones';
import { AgentsPanel } from '../agents/AgentsPanel';
import { isOpenTransfer, useAgents } from '../agents/store';
import { useCampaigns } from '../campaigns/store';
import { WindowNotice } from '../campaigns/WindowNotice';
import { callState, StateBadge, stateLabel, STATE_COLORS, type CallState } from '../calls/status';
import { useNow } from '../shell/clock';
import { formatDuration, formatTime, humanize } from '../shell/format';
import { useShell } from '../shell/store';
import { useTranscripts } from '../transcripts/store';
import { isLive, stateSince, stepsOf, useLive, type BoardView, type SortKey } from './store';
import './live.css';

const IN_STATE_CHOICES = [
  { s: 0, label: 'any time' },
  { s: 30, label: '30 s or more' },
  { s: 60, label: '1 min or more' },
  { s: 120, label: '2 min or more' },
  { s: 300, label: '5 min or more' },
];

/** The contact's zone and local time, by the one resolver the dialer uses. */
function zoneOf(call: Call, campaign: Campaign | undefined): string {
  return resolveZone(call.contactTimezone ?? null, call.phone, campaign?.settings.defaultTimezone ?? 'UTC').zone;
}

function speakerLabel(line: TranscriptTurn): string {
  return line.speaker === 'customer' ? 'Customer' : line.speaker === 'agent' ? 'AI' : 'Agent';
}

const Tile = memo(function Tile({
  call,
  line,
  campaignName,
  zone,
  now,
  onHangup,
  onTransfer,
}: {
  call: Call;
  /** The latest live transcript line, when the provider streams them. */
  line?: TranscriptTurn;
  campaignName: string;
  zone: string;
  now: number;
  onHangup(id: number): void;
  /** Set when the provider transfers by API (hand-off to a human agent). */
  onTransfer?: (id: number) => void;
}) {
  const state = callState(call);
  const who = call.contactName || call.phone;
  return (
    <article
      className="tile"
      style={{ borderLeftColor: STATE_COLORS[state] }}
      aria-label={`Call ${call.id}: ${who}`}
      data-state={state}
    >
      <div className="tile-head">
        <strong className="ellipsis">{who}</strong>
        <StateBadge state={state} />
      </div>
      <div className="tile-meta">
        <span>{call.phone}</span>
        <span className="ellipsis">{campaignName}</span>
        <span title="Time in this state">{formatDuration((now - stateSince(call)) / 1000)}</span>
      </div>
      <div className="tile-meta">
        <span title={`The contact's time (${zone})`}>Their time {timeInZone(now, zone)}</span>
      </div>
      <ol className="steps" aria-label="Last events">
        {stepsOf(call).map((s, i) => (
          <li key={i}>
            <time>{formatTime(s.at)}</time> {s.label}
          </li>
        ))}
      </ol>
      {line && (
        <p className="tile-line ellipsis" aria-label="Latest transcript line" title={line.text}>
          <strong>{speakerLabel(line)}:</strong> {line.text}
        </p>
      )}
      <div className="tile-actions">
        <CallActions call={call} who={who} onHangup={onHangup} onTransfer={onTransfer} />
      </div>
    </article>
  );
});

interface Row {
  call: Call;
  state: CallState;
  since: number;
  campaignName: string;
  zone: string;
  transfer: Transfer | undefined;
}

const Line = memo(function Line({
  row,
  line,
  now,
  onHangup,
  onTransfer,
}: {
  row: Row;
  line?: TranscriptTurn;
  now: number;
  onHangup(id: number): void;
  onTransfer?: (id: number) => void;
}) {
  const { call, state } = row;
  const who = call.contactName || call.phone;
  const last = stepsOf(call).at(-1);
  return (
    <tr data-state={state} aria-label={`Call ${call.id}: ${who}`}>
      <td className="ellipsis">{call.contactName || '—'}</td>
      <td>{call.phone}</td>
      <td title={row.zone}>{timeInZone(now, row.zone)}</td>
      <td className="ellipsis">{row.campaignName}</td>
      <td>
        <StateBadge state={state} /> <span className="muted">{formatDuration((now - row.since) / 1000)}</span>
      </td>
      <td className="ellipsis" title={line?.text}>
        {line ? (
          <>
            <strong>{speakerLabel(line)}:</strong> {line.text}
          </>
        ) : last ? (
          `${last.label} ${formatTime(last.at)}`
        ) : (
          ''
        )}
      </td>
      <td className="ellipsis">
        {row.transfer ? `${row.transfer.humanAgentName ?? 'unassigned'} (${humanize(row.transfer.status)})` : ''}
      </td>
      <td className="row-actions">
        <CallActions call={call} who={who} onHangup={onHangup} onTransfer={onTransfer} />
      </td>
    </tr>
  );
});

const COLUMNS: { label: string; key?: SortKey }[] = [
  { label: 'Contact', key: 'contact' },
  { label: 'Number' },
  { label: 'Their time' },
  { label: 'Campaign', key: 'campaign' },
  { label: 'State, time in state', key: 'state' },
  { label: 'Last event or line' },
  { label: 'Human agent' },
  { label: 'Actions' },
];

function LiveTable({
  rows,
  now,
  onHangup,
  canTransfer,
  onTransfer,
}: {
  rows: Row[];
  now: number;
  onHangup(id: number): void;
  canTransfer(call: Call): boolean;
  onTransfer(id: number): void;
}) {
  const view = useLive((s) => s.view);
  const setView = useLive((s) => s.setView);
  const lines = useLive((s) => s.lines);
  const sortBy = (key: SortKey) =>
    setView({ sort: { key, descending: view.sort.key === key ? !view.sort.descending : key === 'inState' } });
  return (
    <table className="live-table" aria-label="Live calls table">
      <thead>
        <tr>
          {COLUMNS.map((c) => {
            const sorted = c.key && (view.sort.key === c.key || (c.key === 'state' && view.sort.key === 'inState'));
            return (
              <th
                key={c.label}
                aria-sort={sorted ? (view.sort.descending ? 'descending' : 'ascending') : undefined}
                scope="col"
              >
                {c.key === 'state' ? (
                  <>
                    <button type="button" className="link" onClick={() => sortBy('state')}>
                      State
                    </button>
                    ,{' '}
                    <button type="button" className="link" onClick={() => sortBy('inState')}>
                      time in state
                    </button>
                  </>
                ) : c.key ? (
                  <button type="button" className="link" onClick={() => sortBy(c.key!)}>
                    {c.label}
                  </button>
                ) : (
                  c.label
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <Line
            key={r.call.id}
            row={r}
            line={lines.get(r.call.id)}
            now={now}
            onHangup={onHangup}
            onTransfer={canTransfer(r.call) ? onTransfer : undefined}
          />
        ))}
      </tbody>
    </table>
  );
}

/** Pinned above the calls: every human agent with state and time in state, and the open hand-offs. */
function FloorStrip({ now }: { now: number }) {
  const agents = useAgents((s) => s.agents);
  const transfers = useAgents((s) => s.transfers);
  const openCard = useAgents((s) => s.openCard);
  const open = useMemo(
    () =>
      [...transfers.values()]
        .filter((t) => isOpenTransfer(t))
        .sort((a, b) => a.requestedAt - b.requestedAt)
        .slice(0, 8),
    [transfers],
  );
  return (
    <section className="floor-strip" aria-label="Agents and open hand-offs">
      <div>
        <h3>Agents</h3>
        {agents.length === 0 && <p className="muted">No agents yet: add them under Roster below.</p>}
        <ul className="floor-agents" aria-label="Agents now">
          {agents.map((a) => (
            <li key={a.id} data-status={a.status} aria-label={`${a.name}: ${humanize(a.status)}`}>
              <strong className="ellipsis">{a.name}</strong>
              <span className={`agent-status-${a.status}`}>{humanize(a.status)}</span>
              <span className="muted">{formatDuration(Math.max(0, now - a.statusSince) / 1000)}</span>
            </li>
          ))}
        </ul>
      </div>
      <div>
        <h3>Open hand-offs ({open.length})</h3>
        {open.length === 0 && <p className="muted">None open.</p>}
        <ul className="floor-handoffs" aria-label="Open hand-offs">
          {open.map((t) => (
            <li key={t.id} data-status={t.status}>
              <span className="ellipsis">
                {t.contactName || t.phone} → {t.humanAgentName ?? 'unassigned'}
              </span>
              <span>{t.status === 'connected' && t.wrapUpUntil !== null ? 'Wrap-up' : humanize(t.status)}</span>
              <span className="muted">{formatDuration((now - t.requestedAt) / 1000)}</span>
              <button
                type="button"
                className="small"
                onClick={() => void openCard(t.id)}
                aria-label={`Open hand-off card ${t.id} (${t.contactName || t.phone})`}
              >
                Card
              </button>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

function RecentStrip({ ids, calls, names }: { ids: number[]; calls: Map<number, Call>; names: Map<number, string> }) {
  const open = useTranscripts((s) => s.open);
  const setView = useShell((s) => s.setView);
  return (
    <section className="recent" aria-label="Recently finished calls">
      <h3>Recently finished</h3>
      {ids.length === 0 && <p className="muted">Finished calls appear here with their result and outcome.</p>}
      <ul>
        {ids.map((id) => {
          const call = calls.get(id);
          if (!call) return null;
          return (
            <li key={id} className="recent-item" data-state={callState(call)}>
              <button
                type="button"
                className="link"
                aria-label={`Open call ${call.id} (${call.contactName || call.phone})`}
                onClick={() => {
                  void open(call.id);
                  setView('transcripts');
                }}
              >
                {call.contactName || call.phone}
                {call.attempt > 1 ? ` (attempt ${call.attempt})` : ''}
              </button>
              <span className="muted ellipsis">{campaignLabel(call, names)}</span>
              <StateBadge state={callState(call)} />
              <span>{call.outcome ? humanize(call.outcome) : '—'}</span>
              <span className="muted">{formatDuration(call.durationS)}</span>
              <time className="muted">{formatTime(call.endedAt)}</time>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function campaignLabel(call: Call, names: Map<number, string>): string {
  return call.campaignId === null ? 'Manual' : (names.get(call.campaignId) ?? `Campaign ${call.campaignId}`);
}

/** Figures for the campaigns in scope (every campaign when none is chosen). */
function Summary({ live, scope }: { live: Call[]; scope: Campaign[] }) {
  const progress = useCampaigns((s) => s.progress);
  const byState = useMemo(() => {
    const counts = new Map<CallState, number>();
    for (const c of live) counts.set(callState(c), (counts.get(callState(c)) ?? 0) + 1);
    return counts;
  }, [live]);
  const active = scope.filter((c) => c.state === 'running' || c.state === 'paused');
  let waiting = 0;
  const results: Record<string, number> = {};
  for (const c of scope) {
    const p = progress[c.id];
    if (!p) continue;
    if (c.state === 'running' || c.state === 'paused') waiting += p.byContactState.pending ?? 0;
    for (const [k, n] of Object.entries(p.byResult)) results[k] = (results[k] ?? 0) + n;
  }
  const transferred = results.transferred ?? 0;
  const ended = Object.values(results).reduce((a, b) => a + b, 0);
  return (
    <section className="summary" aria-label="Supervisor summary">
      <div className="kpi">
        <span>Live now</span>
        <strong aria-label="Calls live now">{live.length}</strong>
      </div>
      <div className="kpi">
        <span>Waiting</span>
        <strong>{waiting}</strong>
      </div>
      <div className="kpi">
        <span>Transfer rate</span>
        <strong>{ended ? `${Math.round((100 * transferred) / ended)}%` : '—'}</strong>
      </div>
      <div className="kpi-group" aria-label="Live by status">
        <span className="group-label">Live</span>
        {[...byState.entries()].map(([s, n]) => (
          <span key={s}>
            <StateBadge state={s} /> {n}
          </span>
        ))}
      </div>
      <div className="kpi-group" aria-label="Results so far">
        <span className="group-label">
          Results ({scope.length === 1 ? scope[0].name : `${scope.length} campaigns`})
        </span>
        {Object.entries(results).map(([s, n]) => (
          <span key={s}>
            <StateBadge state={s} /> {n}
          </span>
        ))}
      </div>
      <div className="campaign-bars">
        {active.map((c) => {
          const p = progress[c.id];
          const done = p?.byContactState.done ?? 0;
          return (
            <div
              key={c.id}
              className="mini-progress"
              role="progressbar"
              aria-label={`${c.name} progress`}
              aria-valuemin={0}
              aria-valuemax={p?.total ?? 0}
              aria-valuenow={done}
            >
              <span className="ellipsis">{c.name}</span>
              <div className="bar">
                <div style={{ width: p?.total ? `${(100 * done) / p.total}%` : 0 }} />
              </div>
              <span>
                {done}/{p?.total ?? '?'} · {humanize(c.state)}
              </span>
            </div>
          );
        })}
      </div>
    </section>
  );
}

function Toolbar({ campaigns, states }: { campaigns: Campaign[]; states: CallState[] }) {
  const view = useLive((s) => s.view);
  const setView = useLive((s) => s.setView);
  const toggleCampaign = (id: number) =>
    setView({
      campaigns: view.campaigns.includes(id) ? view.campaigns.filter((x) => x !== id) : [...view.campaigns, id],
    });
  return (
    <div className="board-toolbar" role="toolbar" aria-label="Live board view">
      <div className="segmented" role="group" aria-label="Board mode">
        {(['tiles', 'table'] as BoardView['mode'][]).map((m) => (
          <button key={m} type="button" aria-pressed={view.mode === m} onClick={() => setView({ mode: m })}>
            {m === 'tiles' ? 'Tiles' : 'Table'}
          </button>
        ))}
      </div>
      <label>
        State
        <select aria-label="Filter by state" value={view.state} onChange={(e) => setView({ state: e.target.value })}>
          <option value="">every state</option>
          {states.map((s) => (
            <option key={s} value={s}>
              {stateLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        In state for
        <select
          aria-label="Filter by time in state"
          value={view.minInStateS}
          onChange={(e) => setView({ minInStateS: Number(e.target.value) })}
        >
          {IN_STATE_CHOICES.map((c) => (
            <option key={c.s} value={c.s}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <div className="campaign-scope" role="group" aria-label="Campaigns shown">
        <span className="muted">Campaigns:</span>
        <button type="button" aria-pressed={view.campaigns.length === 0} onClick={() => setView({ campaigns: [] })}>
          All
        </button>
        {campaigns.map((c) => (
          <button
            key={c.id}
            type="button"
            aria-pressed={view.campaigns.includes(c.id)}
            onClick={() => toggleCampaign(c.id)}
          >
            {c.name}
          </button>
        ))}
      </div>
    </div>
  );
}

const STATE_ORDER: CallState[] = ['queued', 'dialing', 'initiated', 'ringing', 'in_progress', 'transferring'];

export function LiveView() {
  const calls = useLive((s) => s.calls);
  const recent = useLive((s) => s.recent);
  const lines = useLive((s) => s.lines);
  const view = useLive((s) => s.view);
  const load = useLive((s) => s.load);
  const hangup = useLive((s) => s.hangup);
  const transferKinds = useAgents((s) => s.transferKinds);
  const transfers = useAgents((s) => s.transfers);
  const openTransfer = useAgents((s) => s.openDialog);
  const campaigns = useCampaigns((s) => s.campaigns);
  const progress = useCampaigns((s) => s.progress);
  const loadCampaigns = useCampaigns((s) => s.load);
  const now = useNow();
  useEffect(() => {
    void load();
    void loadCampaigns();
  }, [load, loadCampaigns]);
  const byId = useMemo(() => new Map(campaigns.map((c) => [c.id, c])), [campaigns]);
  const names = useMemo(() => new Map(campaigns.map((c) => [c.id, c.name])), [campaigns]);
  // Campaigns worth a button: running, paused, or finished today.
  const dayStart = new Date(now).setHours(0, 0, 0, 0);
  const shown = useMemo(
    () =>
      campaigns.filter(
        (c) => c.state === 'running' || c.state === 'paused' || c.state === 'scheduled' || c.updatedAt >= dayStart,
      ),
    [campaigns, dayStart],
  );
  const scope = view.campaigns.length ? campaigns.filter((c) => view.campaigns.includes(c.id)) : shown;
  const inScope = (call: Call) =>
    view.campaigns.length === 0 || (call.campaignId !== null && view.campaigns.includes(call.campaignId));
  const live = useMemo(
    () => [...calls.values()].filter((c) => isLive(c) && inScope(c)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [calls, view.campaigns],
  );
  const transferOf = useMemo(() => {
    const m = new Map<number, Transfer>();
    for (const t of transfers.values()) if (!m.has(t.callId) || isOpenTransfer(t)) m.set(t.callId, t);
    return m;
  }, [transfers]);
  const rows = useMemo(() => {
    const out: Row[] = [];
    for (const call of live) {
      const state = callState(call);
      if (view.state && state !== view.state) continue;
      const since = stateSince(call);
      if (view.minInStateS && now - since < view.minInStateS * 1000) continue;
      out.push({
        call,
        state,
        since,
        campaignName: campaignLabel(call, names),
        zone: zoneOf(call, call.campaignId === null ? undefined : byId.get(call.campaignId)),
        transfer: transferOf.get(call.id),
      });
    }
    const dir = view.sort.descending ? -1 : 1;
    const key = view.sort.key;
    out.sort((a, b) => {
      let d: number;
      if (key === 'contact') d = (a.call.contactName || a.call.phone).localeCompare(b.call.contactName || b.call.phone);
      else if (key === 'campaign') d = a.campaignName.localeCompare(b.campaignName);
      else if (key === 'state') d = STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state);
      else d = b.since - a.since;
      return d * dir || a.call.id - b.call.id;
    });
    return out;
    // Time-in-state filtering follows the clock only when it is in use, so the list is stable otherwise.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live, view.state, view.sort, view.minInStateS ? now : 0, names, byId, transferOf]);
  const states = useMemo(() => STATE_ORDER.filter((s) => live.some((c) => callState(c) === s)), [live]);
  const liveByCampaign = useMemo(() => {
    const m = new Map<number, number>();
    for (const c of calls.values())
      if (isLive(c) && c.campaignId !== null) m.set(c.campaignId, (m.get(c.campaignId) ?? 0) + 1);
    return m;
  }, [calls]);
  const canTransfer = (call: Call) => transferKinds[call.provider] === 'api';
  return (
    <div className="live">
      <FloorStrip now={now} />
      <Summary live={live} scope={scope} />
      {scope.map((c) => (
        <WindowNotice
          key={c.id}
          campaign={c}
          progress={progress[c.id]}
          now={now}
          liveCalls={liveByCampaign.get(c.id) ?? 0}
        />
      ))}
      <Toolbar campaigns={shown} states={states} />
      {view.mode === 'table' ? (
        <section className="table-wrap" aria-label="Live calls">
          <LiveTable rows={rows} now={now} onHangup={hangup} canTransfer={canTransfer} onTransfer={openTransfer} />
          {rows.length === 0 && <p className="muted">No live calls match.</p>}
        </section>
      ) : (
        <section className="tiles" aria-label="Live calls">
          {rows.length === 0 && (
            <p className="muted">No live calls. Start a campaign to see calls here as they ring.</p>
          )}
          {rows.map((r) => (
            <Tile
              key={r.call.id}
              call={r.call}
              line={lines.get(r.call.id)}
              campaignName={r.campaignName}
              zone={r.zone}
              now={now}
              onHangup={hangup}
              onTransfer={canTransfer(r.call) ? openTransfer : undefined}
            />
          ))}
        </section>
      )}
      <details className="roster-details" open>
        <summary>Roster</summary>
        <AgentsPanel />
      </details>
      <RecentStrip ids={recent} calls={calls} names={names} />
    </div>
  );
}

/** Hang up, and transfer while the call is in progress: the same buttons on a tile and on a table row. */
function CallActions({
  call,
  who,
  onHangup,
  onTransfer,
}: {
  call: Call;
  who: string;
  onHangup: (callId: number) => void;
  onTransfer?: (callId: number) => void;
}) {
  return (
    <>
      <button
        type="button"
        className="danger small"
        aria-label={`Hang up call ${call.id} (${who})`}
        onClick={() => onHangup(call.id)}
      >
        Hang up
      </button>
      {onTransfer && call.status === 'in_progress' && (
        <button
          type="button"
          className="small"
          aria-label={`Transfer call ${call.id} (${who})`}
          onClick={() => onTransfer(call.id)}
        >
          Transfer
        </button>
      )}
    </>
  );
}
