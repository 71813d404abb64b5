import { DURATION_BUCKETS, SUCCESS_OUTCOMES } from '@shared/contract/analytics';
import type { Db } from '../db';

// Dashboard figures, all computed here in SQL over calls (one row per attempt) with bound parameters. The words
// for each figure live in shared/contract/analytics.ts (FIGURE_DEFINITIONS); this file is their implementation.

export interface AnalyticsFilter {
  campaignId: number | null;
  from: number | null;
  to: number | null;
  /** The viewer's UTC offset in ms: hour buckets start on the viewer's clock hours. */
  offsetMs: number;
}

// The outcome set and the bucket bounds are the contract's constants, written into the SQL once (a per-row
// json_each over bound arrays cost a third of the time on 100k calls); user input is only ever bound.

/** Placed attempts of the campaign (or all) created in [from, to). */
const SCOPE = `c.counts_as_attempt = 1
  AND (@campaignId IS NULL OR c.campaign_id = @campaignId)
  AND (@from IS NULL OR c.created_at >= @from)
  AND (@to IS NULL OR c.created_at < @to)`;
/** The callee answered: the call reached in-progress (answered_at set), or ended completed or transferred. */
const CONNECTED = `(c.answered_at IS NOT NULL OR c.result IN ('completed', 'transferred'))`;
const SUCCESS_OUTCOME = `COALESCE(c.outcome IN (${SUCCESS_OUTCOMES.map((o) => `'${o}'`).join(', ')}), 0)`;
const BUCKET = `CASE ${[...DURATION_BUCKETS]
  .reverse()
  .map((b) => `WHEN c.duration_s >= ${Number(b)} THEN ${Number(b)}`)
  .join(' ')} END`;

export interface TotalsRow {
  placed: number;
  ended: number;
  live: number;
  connected: number;
  conversations: number;
  successes: number;
  failures: number;
  successfulOutcomes: number;
  transfers: number;
  contactsDialled: number;
  placedWithContact: number;
  averageDurationS: number | null;
  totalDurationS: number;
  costTotal: number | null;
  costAverage: number | null;
  callsWithCost: number;
}

export interface FunnelRow {
  loaded: number;
  eligible: number;
  dialled: number;
  connected: number;
  conversation: number;
  successful: number;
}

export class AnalyticsRepository {
  private readonly totalsStmt;
  private readonly resultsStmt;
  private readonly outcomesStmt;
  private readonly sentimentStmt;
  private readonly durationStmt;
  private readonly attemptsStmt;
  private readonly perHourStmt;
  private readonly funnelStmt;
  private readonly campaignNameStmt;

  constructor(db: Db) {
    this.totalsStmt = db.prepare<[AnalyticsFilter], TotalsRow>(
      `SELECT
         COUNT(*) AS placed,
         TOTAL(c.status = 'ended') AS ended,
         TOTAL(c.status <> 'ended') AS live,
         TOTAL(${CONNECTED}) AS connected,
         TOTAL(c.conversation = 1) AS conversations,
         TOTAL(c.result IN ('completed', 'transferred')) AS successes,
         TOTAL(c.result IN ('failed', 'busy', 'no_answer', 'voicemail')) AS failures,
         TOTAL(${SUCCESS_OUTCOME}) AS successfulOutcomes,
         TOTAL(${CONNECTED} AND (c.result = 'transferred' OR EXISTS (SELECT 1 FROM transfers t WHERE t.call_id = c.id))) AS transfers,
         COUNT(DISTINCT c.contact_id) AS contactsDialled,
         TOTAL(c.contact_id IS NOT NULL) AS placedWithContact,
         AVG(CASE WHEN ${CONNECTED} THEN c.duration_s END) AS averageDurationS,
         TOTAL(CASE WHEN ${CONNECTED} THEN c.duration_s END) AS totalDurationS,
         SUM(c.cost) AS costTotal,
         AVG(c.cost) AS costAverage,
         COUNT(c.cost) AS callsWithCost
       FROM calls c WHERE ${SCOPE}`,
    );
    this.resultsStmt = db.prepare<[AnalyticsFilter], { key: string; count: number }>(
      `SELECT c.result AS key, COUNT(*) AS count FROM calls c
       WHERE ${SCOPE} AND c.status = 'ended' AND c.result IS NOT NULL GROUP BY c.result ORDER BY count DESC, key`,
    );
    this.outcomesStmt = db.prepare<[AnalyticsFilter], { key: string; count: number }>(
      `SELECT c.outcome AS key, COUNT(*) AS count FROM calls c
       WHERE ${SCOPE} AND c.outcome IS NOT NULL GROUP BY c.outcome ORDER BY count DESC, key`,
    );
    this.sentimentStmt = db.prepare<[AnalyticsFilter], { key: string; count: number }>(
      `SELECT lower(trim(c.sentiment)) AS key, COUNT(*) AS count FROM calls c
       WHERE ${SCOPE} AND c.sentiment IS NOT NULL AND trim(c.sentiment) <> '' GROUP BY 1 ORDER BY count DESC, key`,
    );
    this.durationStmt = db.prepare<[AnalyticsFilter], { fromS: number; count: number }>(
      `SELECT ${BUCKET} AS fromS, COUNT(*) AS count
       FROM calls c WHERE ${SCOPE} AND ${CONNECTED} AND c.duration_s IS NOT NULL GROUP BY 1`,
    );
    this.attemptsStmt = db.prepare<[AnalyticsFilter], { attempts: number; contacts: number }>(
      `SELECT n AS attempts, COUNT(*) AS contacts FROM (
         SELECT COUNT(*) AS n FROM calls c WHERE ${SCOPE} AND c.contact_id IS NOT NULL GROUP BY c.contact_id
       ) GROUP BY n ORDER BY n`,
    );
    this.perHourStmt = db.prepare<[AnalyticsFilter], { hourStart: number; placed: number; connected: number }>(
      // Bound numbers arrive as REAL; the cast keeps the division an integer one (whole hours).
      `SELECT ((c.created_at + CAST(@offsetMs AS INTEGER)) / 3600000) * 3600000 - CAST(@offsetMs AS INTEGER) AS hourStart, COUNT(*) AS placed, TOTAL(${CONNECTED}) AS connected
       FROM calls c WHERE ${SCOPE} GROUP BY 1 ORDER BY 1`,
    );
    // Contacts per campaign: loaded and eligible are what the campaign holds (not limited by the date range); the
    // later stages count campaign-contact pairs with at least one attempt in the range that reached the stage.
    // Eligible: queued (callable, unique number) and not on the DNC list, unless dialled before being put on it.
    this.funnelStmt = db.prepare<[AnalyticsFilter], FunnelRow>(
      `SELECT
         (SELECT COUNT(*) FROM campaign_lists cl JOIN contacts ct ON ct.list_id = cl.list_id
           WHERE @campaignId IS NULL OR cl.campaign_id = @campaignId) AS loaded,
         (SELECT COUNT(*) FROM campaign_contacts cc JOIN contacts ct ON ct.id = cc.contact_id
           WHERE cc.state <> 'excluded' AND (@campaignId IS NULL OR cc.campaign_id = @campaignId)
             AND (NOT EXISTS (SELECT 1 FROM dnc WHERE dnc.phone = ct.phone)
                  OR EXISTS (SELECT 1 FROM calls c2 WHERE c2.campaign_id = cc.campaign_id AND c2.contact_id = cc.contact_id))) AS eligible,
         COUNT(*) AS dialled,
         TOTAL(conn) AS connected,
         TOTAL(conv) AS conversation,
         TOTAL(succ) AS successful
       FROM (
         SELECT MAX(${CONNECTED}) AS conn, MAX(c.conversation) AS conv, MAX(${SUCCESS_OUTCOME}) AS succ
         FROM calls c WHERE ${SCOPE} AND c.campaign_id IS NOT NULL AND c.contact_id IS NOT NULL
         GROUP BY c.campaign_id, c.contact_id
       )`,
    );
    this.campaignNameStmt = db.prepare<[number], { name: string }>('SELECT name FROM campaigns WHERE id = ?');
  }

  campaignName(id: number): string | null {
    return this.campaignNameStmt.get(id)?.name ?? null;
  }
  totals(f: AnalyticsFilter): TotalsRow {
    return this.totalsStmt.get(f) as TotalsRow;
  }
  results(f: AnalyticsFilter) {
    return this.resultsStmt.all(f);
  }
  outcomes(f: AnalyticsFilter) {
    return this.outcomesStmt.all(f);
  }
  sentiment(f: AnalyticsFilter) {
    return this.sentimentStmt.all(f);
  }
  durationBuckets(f: AnalyticsFilter) {
    return this.durationStmt.all(f);
  }
  attemptsDistribution(f: AnalyticsFilter) {
    return this.attemptsStmt.all(f);
  }
  perHour(f: AnalyticsFilter) {
    return this.perHourStmt.all(f);
  }
  funnel(f: AnalyticsFilter): FunnelRow {
    return this.funnelStmt.get(f) as FunnelRow;
  }
}
