import { useEffect } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { FIGURE_DEFINITIONS, FUNNEL_DEFINITIONS, type Dashboard, type FigureName } from '@shared/contract/analytics';
import { STATE_COLORS, stateLabel, type CallState } from '../calls/status';
import { formatDuration, humanize } from '../shell/format';
import { useAnalytics } from './store';
import './analytics.css';

// How the calling went, per campaign and date range: figures with their definitions as tooltips, charts for the
// breakdowns, the funnel, and CSV/XLSX export of every figure. All figures are computed in the core's SQL.

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const num = (v: number | null, digits = 2) => (v === null ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(digits));
const NEUTRAL = '#2563eb';
const SECONDARY = '#0f766e';

function Kpi({ label, value, figure }: { label: string; value: string; figure: FigureName }) {
  const definition = FIGURE_DEFINITIONS[figure];
  return (
    <div className="kpi card analytics-kpi" title={definition} data-figure={figure}>
      <span>{label}</span>
      <strong aria-label={label} aria-description={definition}>
        {value}
      </strong>
    </div>
  );
}

function ChartCard({
  title,
  hint,
  empty,
  children,
}: {
  title: string;
  hint?: string;
  empty: boolean;
  children: React.ReactElement;
}) {
  return (
    <figure className="card analytics-chart" aria-label={title}>
      <figcaption title={hint} className={hint ? 'has-hint' : undefined}>
        {title}
      </figcaption>
      {empty ? (
        <p className="muted">No calls in this range yet.</p>
      ) : (
        <ResponsiveContainer width="100%" height={210}>
          {children}
        </ResponsiveContainer>
      )}
    </figure>
  );
}

function CountBars({
  data,
  colors,
  label,
}: {
  data: { key: string; count: number }[];
  colors?: (key: string) => string;
  label: (key: string) => string;
}) {
  const rows = data.map((d) => ({ name: label(d.key), count: d.count, key: d.key }));
  return (
    <BarChart data={rows} margin={{ top: 16, right: 8, bottom: 4, left: 0 }}>
      <CartesianGrid strokeDasharray="3 3" vertical={false} />
      <XAxis dataKey="name" interval={0} fontSize={11} />
      <YAxis allowDecimals={false} fontSize={11} width={36} />
      <Tooltip />
      <Bar dataKey="count" name="Attempts" isAnimationActive={false}>
        {rows.map((r) => (
          <Cell key={r.key} fill={colors ? colors(r.key) : NEUTRAL} />
        ))}
        <LabelList dataKey="count" position="top" fontSize={11} />
      </Bar>
    </BarChart>
  );
}

function Funnel({ d }: { d: Dashboard }) {
  const loaded = d.funnel[0].contacts;
  const rows = d.funnel.map((s) => ({
    ...s,
    name: humanize(s.stage),
    share: loaded ? `${s.contacts} (${Math.round((s.contacts / loaded) * 100)} %)` : String(s.contacts),
  }));
  return (
    <figure className="card analytics-chart analytics-funnel" aria-label="Funnel">
      <figcaption>Funnel (contacts)</figcaption>
      <ResponsiveContainer width="100%" height={210}>
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 80, bottom: 4, left: 8 }}>
          <XAxis type="number" hide allowDecimals={false} />
          <YAxis type="category" dataKey="name" width={96} fontSize={12} />
          <Tooltip />
          <Bar dataKey="contacts" name="Contacts" fill={SECONDARY} isAnimationActive={false}>
            <LabelList dataKey="share" position="right" fontSize={11} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <ul className="funnel-steps">
        {d.funnel.map((s) => (
          <li key={s.stage} title={FUNNEL_DEFINITIONS[s.stage]} data-stage={s.stage}>
            {humanize(s.stage)}: <strong>{s.contacts}</strong>
          </li>
        ))}
      </ul>
    </figure>
  );
}

function Figures({ d }: { d: Dashboard }) {
  const hours = new Intl.DateTimeFormat(undefined, { month: 'short', day: '2-digit', hour: '2-digit' });
  const perHour = d.perHour.map((h) => ({ ...h, name: hours.format(h.hourStart) }));
  const buckets = d.duration.buckets.map((b) => ({
    key: `${b.fromS}`,
    count: b.count,
    label: b.toS === null ? `${formatDuration(b.fromS)}+` : `${formatDuration(b.fromS)}–${formatDuration(b.toS)}`,
  }));
  const bucketLabel = new Map(buckets.map((b) => [b.key, b.label]));
  const none = d.totals.placed === 0;
  return (
    <>
      <div className="kpi-group analytics-kpis" role="group" aria-label="Figures">
        <Kpi label="Placed" value={String(d.totals.placed)} figure="placed" />
        <Kpi label="Live" value={String(d.totals.live)} figure="live" />
        <Kpi label="Connected" value={String(d.totals.connected)} figure="connected" />
        <Kpi label="Conversations" value={String(d.totals.conversations)} figure="conversations" />
        <Kpi label="Success rate" value={pct(d.rates.successRate)} figure="successRate" />
        <Kpi label="Failure rate" value={pct(d.rates.failureRate)} figure="failureRate" />
        <Kpi label="Successful outcomes" value={pct(d.rates.outcomeSuccessRate)} figure="outcomeSuccessRate" />
        <Kpi label="Average duration" value={formatDuration(d.duration.averageS)} figure="averageDurationS" />
        <Kpi label="Transfer rate" value={pct(d.rates.transferRate)} figure="transferRate" />
        <Kpi label="Attempts per contact" value={num(d.rates.attemptsPerContact)} figure="attemptsPerContact" />
        <Kpi label="Calls per hour" value={num(d.averagePerHour, 1)} figure="callsPerHour" />
        <Kpi
          label="Cost"
          value={d.cost.total === null ? 'not reported' : `${num(d.cost.total)} (${d.cost.callsWithCost} calls)`}
          figure="cost"
        />
      </div>
      <div className="analytics-charts">
        <Funnel d={d} />
        <ChartCard title="Results" hint="Ended attempts by result." empty={d.results.length === 0}>
          <CountBars data={d.results} colors={(k) => STATE_COLORS[k as CallState] ?? NEUTRAL} label={stateLabel} />
        </ChartCard>
        <ChartCard
          title="Outcomes"
          hint="Attempts by the outcome taken from the provider's analysis."
          empty={d.outcomes.length === 0}
        >
          <CountBars data={d.outcomes} label={humanize} />
        </ChartCard>
        <ChartCard title="Duration of connected calls" hint={FIGURE_DEFINITIONS.averageDurationS} empty={none}>
          <CountBars data={buckets} colors={() => SECONDARY} label={(k) => bucketLabel.get(k) ?? k} />
        </ChartCard>
        <ChartCard title="Calls per hour" hint={FIGURE_DEFINITIONS.callsPerHour} empty={none}>
          <BarChart data={perHour} margin={{ top: 16, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="name" fontSize={11} />
            <YAxis allowDecimals={false} fontSize={11} width={36} />
            <Tooltip />
            <Legend verticalAlign="top" height={24} />
            <Bar dataKey="placed" name="Placed" fill={NEUTRAL} isAnimationActive={false} />
            <Bar dataKey="connected" name="Connected" fill={SECONDARY} isAnimationActive={false} />
          </BarChart>
        </ChartCard>
        <ChartCard
          title="Attempts per contact"
          hint="How many contacts needed 1, 2, 3… attempts."
          empty={d.attemptsDistribution.length === 0}
        >
          <CountBars
            data={d.attemptsDistribution.map((a) => ({ key: String(a.attempts), count: a.contacts }))}
            label={(k) => `${k} attempt${k === '1' ? '' : 's'}`}
          />
        </ChartCard>
        <ChartCard
          title="Sentiment"
          hint="Attempts by the sentiment the provider reported."
          empty={d.sentiment.length === 0}
        >
          <CountBars data={d.sentiment} label={humanize} />
        </ChartCard>
      </div>
    </>
  );
}

export function AnalyticsView() {
  const { campaigns, campaignId, range, dashboard, loading } = useAnalytics();
  const { setCampaign, setRange, load, exportFile, watch } = useAnalytics.getState();
  useEffect(() => {
    watch(true);
    void load();
    return () => watch(false);
  }, [load, watch]);
  return (
    <section className="analytics" aria-label="Analytics dashboard">
      <div className="toolbar">
        <label>
          Campaign
          <select
            value={campaignId ?? ''}
            onChange={(e) => setCampaign(e.target.value ? Number(e.target.value) : null)}
          >
            <option value="">All campaigns</option>
            {campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={range.from} onChange={(e) => setRange({ ...range, from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={range.to} onChange={(e) => setRange({ ...range, to: e.target.value })} />
        </label>
        <button type="button" onClick={() => void load()} disabled={loading}>
          Refresh
        </button>
        <div className="actions">
          <button type="button" onClick={() => void exportFile('csv')}>
            Export CSV
          </button>
          <button type="button" onClick={() => void exportFile('xlsx')}>
            Export XLSX
          </button>
        </div>
      </div>
      {dashboard ? <Figures d={dashboard} /> : <p className="muted">Loading…</p>}
    </section>
  );
}
