import {
  DURATION_BUCKETS,
  FIGURE_DEFINITIONS,
  FUNNEL_DEFINITIONS,
  FUNNEL_STAGES,
  type AnalyticsQuery,
  type Dashboard,
} from '@shared/contract/analytics';
import type { ExportCell, ExportTable } from '../contacts/export';
import type { Db } from '../store/db';
import { AnalyticsRepository, type AnalyticsFilter } from '../store/repositories/analytics';

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/** The dashboard for one campaign (or every call) over a date range; every figure comes from the repository's SQL. */
export class AnalyticsService {
  private readonly repo: AnalyticsRepository;
  constructor(db: Db) {
    this.repo = new AnalyticsRepository(db);
  }

  dashboard(query: AnalyticsQuery): Dashboard {
    const f: AnalyticsFilter = {
      campaignId: query.campaignId,
      from: query.from,
      to: query.to,
      offsetMs: query.utcOffsetMinutes * 60_000,
    };
    const t = this.repo.totals(f);
    const perHour = this.repo.perHour(f);
    const byBucket = new Map(this.repo.durationBuckets(f).map((b) => [b.fromS, b.count]));
    const funnel = this.repo.funnel(f);
    return {
      query: { campaignId: query.campaignId, from: query.from, to: query.to, utcOffsetMinutes: query.utcOffsetMinutes },
      campaignName: query.campaignId === null ? null : this.repo.campaignName(query.campaignId),
      totals: {
        placed: t.placed,
        ended: t.ended,
        live: t.live,
        connected: t.connected,
        conversations: t.conversations,
        successes: t.successes,
        failures: t.failures,
        successfulOutcomes: t.successfulOutcomes,
        transfers: t.transfers,
        contactsDialled: t.contactsDialled,
      },
      rates: {
        successRate: ratio(t.successes, t.successes + t.failures),
        failureRate: ratio(t.failures, t.successes + t.failures),
        outcomeSuccessRate: ratio(t.successfulOutcomes, t.conversations),
        connectRate: ratio(t.connected, t.placed),
        transferRate: ratio(t.transfers, t.connected),
        attemptsPerContact: ratio(t.placedWithContact, t.contactsDialled),
      },
      duration: {
        averageS: t.averageDurationS,
        totalS: t.totalDurationS,
        buckets: DURATION_BUCKETS.map((fromS, i) => ({
          fromS,
          toS: DURATION_BUCKETS[i + 1] ?? null,
          count: byBucket.get(fromS) ?? 0,
        })),
      },
      cost: { total: t.costTotal, average: t.costAverage, callsWithCost: t.callsWithCost },
      results: this.repo.results(f),
      outcomes: this.repo.outcomes(f),
      sentiment: this.repo.sentiment(f),
      attemptsDistribution: this.repo.attemptsDistribution(f),
      perHour,
      averagePerHour: ratio(t.placed, perHour.length),
      funnel: FUNNEL_STAGES.map((stage) => ({ stage, contacts: funnel[stage] })),
    };
  }
}

const iso = (ms: number | null) => (ms === null ? 'all' : new Date(ms).toISOString());

/**
 * Every figure of a dashboard as one long table (section, figure, key, value, definition) so a spreadsheet can
 * pivot it; the contacts export writers encode it (CSV or XLSX, formulas neutralised).
 */
export function dashboardTable(d: Dashboard): ExportTable {
  const rows: ExportCell[][] = [];
  const add = (
    section: string,
    figure: string,
    key: string | number | null,
    value: ExportCell,
    definition: string | null = null,
  ) => rows.push([section, figure, key, value, definition]);
  add('scope', 'campaign', d.query.campaignId, d.campaignName ?? 'all campaigns');
  add('scope', 'from', null, iso(d.query.from));
  add('scope', 'to', null, iso(d.query.to));
  for (const [k, v] of Object.entries(d.totals)) {
    add(
      'totals',
      k,
      null,
      v,
      k in FIGURE_DEFINITIONS ? FIGURE_DEFINITIONS[k as keyof typeof FIGURE_DEFINITIONS] : null,
    );
  }
  for (const [k, v] of Object.entries(d.rates)) add('rates', k, null, v, FIGURE_DEFINITIONS[k as keyof typeof d.rates]);
  add('duration', 'averageS', null, d.duration.averageS, FIGURE_DEFINITIONS.averageDurationS);
  add('duration', 'totalS', null, d.duration.totalS);
  for (const b of d.duration.buckets)
    add('duration distribution', 'connected attempts', `${b.fromS}-${b.toS ?? ''}s`, b.count);
  add('cost', 'total', null, d.cost.total, FIGURE_DEFINITIONS.cost);
  add('cost', 'average', null, d.cost.average);
  add('cost', 'callsWithCost', null, d.cost.callsWithCost);
  for (const r of d.results) add('results', 'ended attempts', r.key, r.count);
  for (const r of d.outcomes) add('outcomes', 'attempts', r.key, r.count);
  for (const r of d.sentiment) add('sentiment', 'attempts', r.key, r.count);
  for (const a of d.attemptsDistribution)
    add('attempts per contact', 'contacts', a.attempts, a.contacts, FIGURE_DEFINITIONS.attemptsPerContact);
  add('calls per hour', 'average', null, d.averagePerHour, FIGURE_DEFINITIONS.callsPerHour);
  for (const h of d.perHour) add('calls per hour', 'placed', new Date(h.hourStart).toISOString(), h.placed);
  for (const h of d.perHour) add('calls per hour', 'connected', new Date(h.hourStart).toISOString(), h.connected);
  for (const s of d.funnel) add('funnel', 'contacts', s.stage, s.contacts, FUNNEL_DEFINITIONS[s.stage]);
  return { header: ['section', 'figure', 'key', 'value', 'definition'], rows };
}
