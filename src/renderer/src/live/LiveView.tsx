import { memo, useEffect, useMemo } from 'react';
import type { Call, TranscriptTurn } from '../../../shared/domain';
import { AgentsPanel } from '../agents/AgentsPanel';
import { useAgents } from '../agents/store';
import { useCampaigns } from '../campaigns/store';
import { callState, StateBadge, STATE_COLORS, type CallState } from '../calls/status';
import { useNow } from '../shell/clock';
import { formatDuration, formatTime, humanize } from '../shell/format';
import { useShell } from '../shell/store';
import { useTranscripts } from '../transcripts/store';
import { isLive, useLive, type CallStep } from './store';

const Tile = memo(function Tile({
  call,
  steps,
  line,
  campaignName,
  now,
  onHangup,
  onTransfer,
}: {
  call: Call;
  steps: CallStep[] | undefined;
  /** The latest live transcript line, when the provider streams them. */
  line?: TranscriptTurn;
  campaignName: string;
  now: number;
  onHangup(id: number): void;
  /** Set when the provider transfers by API (hand-off to a human agent). */
  onTransfer?: (id: number) => void;
}) {
  const state = callState(call);
  const since = call.answeredAt ?? call.startedAt ?? call.createdAt;
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
        <span title="Elapsed">{formatDuration((now - since) / 1000)}</span>
      </div>
      <ol className="steps" aria-label="Last events">
        {(steps ?? []).map((s, i) => (
          <li key={i}>
            <time>{formatTime(s.at)}</time> {s.label}
          </li>
        ))}
      </ol>
      {line && (
        <p className="tile-line ellipsis" aria-label="Latest transcript line" title={line.text}>
          <strong>{line.speaker === 'customer' ? 'Customer' : line.speaker === 'agent' ? 'AI' : 'Agent'}:</strong>{' '}
          {line.text}
        </p>
      )}
      <div className="tile-actions">
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
      </div>
    </article>
  );
});

function RecentStrip({ ids, calls }: { ids: number[]; calls: Map<number, Call> }) {
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

function Summary({ live }: { live: Call[] }) {
  const campaigns = useCampaigns((s) => s.campaigns);
  const progress = useCampaigns((s) => s.progress);
  const byState = useMemo(() => {
    const counts = new Map<CallState, number>();
    for (const c of live) counts.set(callState(c), (counts.get(callState(c)) ?? 0) + 1);
    return counts;
  }, [live]);
  const active = campaigns.filter((c) => c.state === 'running' || c.state === 'paused');
  let waiting = 0;
  const results: Record<string, number> = {};
  for (const c of campaigns) {
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
        <span className="group-label">Results</span>
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

export function LiveView() {
  const calls = useLive((s) => s.calls);
  const steps = useLive((s) => s.steps);
  const recent = useLive((s) => s.recent);
  const lines = useLive((s) => s.lines);
  const load = useLive((s) => s.load);
  const hangup = useLive((s) => s.hangup);
  const transferKinds = useAgents((s) => s.transferKinds);
  const openTransfer = useAgents((s) => s.openDialog);
  const campaigns = useCampaigns((s) => s.campaigns);
  const loadCampaigns = useCampaigns((s) => s.load);
  const now = useNow();
  useEffect(() => {
    void load();
    void loadCampaigns();
  }, [load, loadCampaigns]);
  const names = useMemo(() => new Map(campaigns.map((c) => [c.id, c.name])), [campaigns]);
  const live = useMemo(() => [...calls.values()].filter(isLive).sort((a, b) => a.createdAt - b.createdAt), [calls]);
  return (
    <div className="live">
      <Summary live={live} />
      <section className="tiles" aria-label="Live calls">
        {live.length === 0 && <p className="muted">No live calls. Start a campaign to see calls here as they ring.</p>}
        {live.map((call) => (
          <Tile
            key={call.id}
            call={call}
            steps={steps.get(call.id)}
            line={lines.get(call.id)}
            campaignName={
              call.campaignId === null ? 'Manual' : (names.get(call.campaignId) ?? `Campaign ${call.campaignId}`)
            }
            now={now}
            onHangup={hangup}
            onTransfer={transferKinds[call.provider] === 'api' ? openTransfer : undefined}
          />
        ))}
      </section>
      <AgentsPanel />
      <RecentStrip ids={recent} calls={calls} />
    </div>
  );
}
