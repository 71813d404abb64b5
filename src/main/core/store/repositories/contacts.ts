import type { ContactFilter, ContactSelection, GridContact } from '@shared/contract/contacts';
import { prepareCached, type Db } from '../db';

// Contacts and the grid's view of them: paging with sort and filters over 100k rows, bulk edits, export rows.
// Call status, outcome and attempts are read from calls / campaign_contacts (owned by the dialer) in place.

export interface ContactRow {
  id: number;
  list_id: number;
  name: string;
  phone: string | null;
  phone_raw: string;
  timezone: string | null;
  language: string | null;
  email: string | null;
  variables_json: string;
  source_row: number | null;
  source_key: string | null;
  callable: number;
  not_callable_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface GridRow extends ContactRow {
  last_status: string | null;
  last_result: string | null;
  outcome: string | null;
  attempts: number;
  duration_s: number | null;
  summary: string | null;
  last_call_at: number | null;
}

export interface ExportRow extends GridRow {
  extracted_json: string | null;
  hangup_reason: string | null;
  sentiment: string | null;
  campaign_state: string | null;
}

export interface NewContactRow {
  listId: number;
  name: string;
  phone: string;
  phoneRaw: string;
  timezone: string | null;
  language: string | null;
  email: string | null;
  /** The variables as a JSON object text. */
  variablesJson: string;
  sourceRow: number | null;
  sourceKey: string | null;
  callable: boolean;
  notCallableReason: string | null;
  at: number;
}

/** Columns a write may change; the names are the contact fields, the SQL names are in PATCH_COLUMNS. */
export interface ContactPatch {
  name?: string;
  phone?: string | null;
  phoneRaw?: string;
  email?: string | null;
  timezone?: string | null;
  language?: string | null;
  /** The variables as a JSON object text. */
  variablesJson?: string;
  sourceRow?: number | null;
  sourceKey?: string | null;
  callable?: boolean;
  notCallableReason?: string | null;
}

const PATCH_COLUMNS: Record<keyof ContactPatch, string> = {
  name: 'name',
  phone: 'phone',
  phoneRaw: 'phone_raw',
  email: 'email',
  timezone: 'timezone',
  language: 'language',
  variablesJson: 'variables_json',
  sourceRow: 'source_row',
  sourceKey: 'source_key',
  callable: 'callable',
  notCallableReason: 'not_callable_reason',
};

export function toGridContact(r: GridRow): GridContact {
  return {
    id: r.id,
    listId: r.list_id,
    name: r.name,
    phone: r.phone,
    phoneRaw: r.phone_raw,
    timezone: r.timezone,
    language: r.language,
    email: r.email,
    variables: JSON.parse(r.variables_json) as Record<string, string>,
    sourceRow: r.source_row,
    callable: r.callable === 1,
    notCallableReason: r.not_callable_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastStatus: r.last_status,
    lastResult: r.last_result,
    outcome: r.outcome,
    attempts: r.attempts ?? 0,
    durationS: r.duration_s,
    summary: r.summary,
    lastCallAt: r.last_call_at,
  };
}

interface Query {
  from: string;
  /** FROM without the latest-call join, for counts that do not need it. */
  fromBare: string;
  where: string[];
  params: unknown[];
  bareParams: unknown[];
  needsCalls: boolean;
  /** A text search scans every row: count in the same pass as the page. */
  scans: boolean;
  exprs: { attempts: string; outcome: string; lastResult: string };
}

const SORT_SQL: Record<string, string> = {
  id: 'c.id',
  name: 'c.name COLLATE NOCASE',
  phone: 'c.phone',
  phoneRaw: 'c.phone_raw',
  email: 'c.email',
  timezone: 'c.timezone',
  language: 'c.language',
  sourceRow: 'c.source_row',
  callable: 'c.callable',
  createdAt: 'c.created_at',
  updatedAt: 'c.updated_at',
  lastStatus: 'lc.status',
  durationS: 'lc.duration_s',
  lastCallAt: 'COALESCE(lc.ended_at, lc.started_at, lc.created_at)',
};

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

export class SortColumnError extends Error {}

/** `ids` narrows to explicit contacts (exports of a selection). */
function buildQuery(f: ContactFilter & { ids?: number[] }): Query {
  const where: string[] = [];
  const params: unknown[] = [];
  let joinParams: unknown[] = [];
  let from: string;
  let fromBare: string;
  let exprs: Query['exprs'];
  if (f.campaignId !== undefined) {
    fromBare = 'contacts c JOIN campaign_contacts cc ON cc.contact_id = c.id AND cc.campaign_id = ?';
    from = `${fromBare} LEFT JOIN calls lc ON lc.id = (SELECT MAX(id) FROM calls WHERE contact_id = c.id AND campaign_id = ?)`;
    joinParams = [f.campaignId];
    exprs = {
      attempts: 'cc.attempts',
      outcome: 'COALESCE(cc.outcome, lc.outcome)',
      lastResult: 'COALESCE(lc.result, cc.last_result)',
    };
  } else {
    fromBare = 'contacts c';
    from = 'contacts c LEFT JOIN calls lc ON lc.id = (SELECT MAX(id) FROM calls WHERE contact_id = c.id)';
    exprs = {
      attempts: '(SELECT COUNT(*) FROM calls a WHERE a.contact_id = c.id AND a.counts_as_attempt = 1)',
      outcome: 'lc.outcome',
      lastResult: 'lc.result',
    };
  }
  let needsCalls = false;
  if (f.listId !== undefined) {
    where.push('c.list_id = ?');
    params.push(f.listId);
  }
  if (f.ids) {
    where.push('c.id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(f.ids));
  }
  if (f.callable !== undefined) {
    where.push('c.callable = ?');
    params.push(f.callable ? 1 : 0);
  }
  const q = f.search?.trim();
  if (q) {
    const like = `%${likeEscape(q)}%`;
    const parts = [
      "c.name LIKE ? ESCAPE '\\'",
      "c.phone_raw LIKE ? ESCAPE '\\'",
      "c.email LIKE ? ESCAPE '\\'",
      "c.variables_json LIKE ? ESCAPE '\\'",
    ];
    const p: unknown[] = [like, like, like, like];
    const digits = q.replace(/[\s().-]/g, '');
    if (/^\+?\d{3,}$/.test(digits)) {
      parts.push('c.phone LIKE ?');
      p.push(`%${digits.replace(/^\+/, '')}%`);
    }
    where.push(`(${parts.join(' OR ')})`);
    params.push(...p);
  }
  if (f.status?.length) {
    needsCalls = true;
    const named = f.status.filter((s) => s !== 'not_called');
    const parts: string[] = [];
    if (f.status.includes('not_called')) parts.push('lc.id IS NULL');
    if (named.length) {
      parts.push(
        `lc.status IN (SELECT value FROM json_each(?)) OR ${exprs.lastResult} IN (SELECT value FROM json_each(?))`,
      );
      params.push(JSON.stringify(named), JSON.stringify(named));
    }
    where.push(`(${parts.join(' OR ')})`);
  }
  if (f.outcome?.length) {
    needsCalls = true;
    const named = f.outcome.filter((s) => s !== 'none');
    const parts: string[] = [];
    if (f.outcome.includes('none')) parts.push(`${exprs.outcome} IS NULL`);
    if (named.length) {
      parts.push(`${exprs.outcome} IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(named));
    }
    where.push(`(${parts.join(' OR ')})`);
  }
  if (f.attemptsMin !== undefined) {
    needsCalls ||= f.campaignId === undefined;
    where.push(`${exprs.attempts} >= ?`);
    params.push(f.attemptsMin);
  }
  if (f.attemptsMax !== undefined) {
    needsCalls ||= f.campaignId === undefined;
    where.push(`${exprs.attempts} <= ?`);
    params.push(f.attemptsMax);
  }
  // The latest-call join takes the campaign id a second time.
  const fullJoinParams = f.campaignId !== undefined ? [f.campaignId, f.campaignId] : [];
  return {
    from,
    fromBare,
    where,
    params: [...fullJoinParams, ...params],
    bareParams: [...joinParams, ...params],
    needsCalls,
    scans: Boolean(q),
    exprs,
  };
}

function selectList(q: Query): string {
  return `c.*, lc.status AS last_status, ${q.exprs.lastResult} AS last_result, ${q.exprs.outcome} AS outcome,
    ${q.exprs.attempts} AS attempts, lc.duration_s AS duration_s, lc.summary AS summary,
    COALESCE(lc.ended_at, lc.started_at, lc.created_at) AS last_call_at`;
}

const whereSql = (w: string[]) => (w.length ? `WHERE ${w.join(' AND ')}` : '');

export class ContactsRepository {
  private readonly insertStmt;
  private readonly byListPhoneStmt;
  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO contacts (list_id, name, phone, phone_raw, timezone, language, email, variables_json, source_row, source_key, callable,
         not_callable_reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byListPhoneStmt = db.prepare<[number, string], ContactRow>(
      'SELECT * FROM contacts WHERE list_id = ? AND phone = ?',
    );
  }

  insert(c: NewContactRow): number {
    return Number(
      this.insertStmt.run(
        c.listId,
        c.name,
        c.phone,
        c.phoneRaw,
        c.timezone,
        c.language,
        c.email,
        c.variablesJson,
        c.sourceRow,
        c.sourceKey,
        c.callable ? 1 : 0,
        c.notCallableReason,
        c.at,
        c.at,
      ).lastInsertRowid,
    );
  }
  findInList(listId: number, phone: string): ContactRow | undefined {
    return this.byListPhoneStmt.get(listId, phone);
  }
  /**
   * Two steps so 100k-row lists stay fast: the ids of the page are found with only what the sort and filters need
   * (an index walk for id and name), then the call columns are computed for those rows alone.
   */
  page(
    filter: ContactFilter,
    sort: { column: string; direction: 'asc' | 'desc' } | undefined,
    offset: number,
    limit: number,
  ): { rows: GridRow[]; total: number } {
    const q = buildQuery(filter);
    const column = sort?.column ?? 'id';
    const { expr, params: sortParams, needsCalls: sortNeedsCalls } = this.sortExpr(q, column);
    const dir = sort?.direction === 'desc' ? 'DESC' : 'ASC';
    const withCalls = q.needsCalls || sortNeedsCalls;
    const from = withCalls ? q.from : q.fromBare;
    const params = withCalls ? q.params : q.bareParams;
    const found = this.db
      .prepare(
        `SELECT c.id AS id${q.scans ? ', COUNT(*) OVER () AS n' : ''} FROM ${from} ${whereSql(q.where)} ORDER BY ${expr} ${dir}, c.id ${dir} LIMIT ? OFFSET ?`,
      )
      .all(...params, ...sortParams, limit, offset) as { id: number; n?: number }[];
    const ids = found.map((r) => r.id);
    const total =
      found[0]?.n ??
      (
        this.db
          .prepare(`SELECT COUNT(*) AS n FROM ${q.needsCalls ? q.from : q.fromBare} ${whereSql(q.where)}`)
          .get(...(q.needsCalls ? q.params : q.bareParams)) as { n: number }
      ).n;
    if (ids.length === 0) return { rows: [], total };
    const full = buildQuery({ campaignId: filter.campaignId });
    const rows = this.db
      .prepare(`SELECT ${selectList(full)} FROM ${full.from} WHERE c.id IN (SELECT value FROM json_each(?))`)
      .all(...full.params, JSON.stringify(ids)) as GridRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { rows: ids.map((id) => byId.get(id)).filter((r): r is GridRow => r !== undefined), total };
  }

  private sortExpr(q: Query, column: string): { expr: string; params: unknown[]; needsCalls: boolean } {
    if (column.startsWith('var:')) {
      const name = column.slice(4);
      return {
        expr: 'json_extract(c.variables_json, ?) COLLATE NOCASE',
        params: [`$."${name.replace(/"/g, '\\"')}"`],
        needsCalls: false,
      };
    }
    if (column === 'attempts') return { expr: q.exprs.attempts, params: [], needsCalls: false };
    if (column === 'outcome') return { expr: q.exprs.outcome, params: [], needsCalls: true };
    if (column === 'lastResult') return { expr: q.exprs.lastResult, params: [], needsCalls: true };
    const expr = SORT_SQL[column];
    if (!expr)
      throw new SortColumnError(
        `Cannot sort by "${column}". Use one of ${Object.keys(SORT_SQL).join(', ')}, attempts, outcome, lastResult or var:<variable>.`,
      );
    return { expr, params: [], needsCalls: expr.includes('lc.') };
  }

  getGrid(id: number): GridRow | undefined {
    const q = buildQuery({});
    return this.db.prepare(`SELECT ${selectList(q)} FROM ${q.from} WHERE c.id = ?`).get(id) as GridRow | undefined;
  }
  get(id: number): ContactRow | undefined {
    return this.db.prepare<[number], ContactRow>('SELECT * FROM contacts WHERE id = ?').get(id);
  }

  /** Contact ids a selection covers (explicit ids that exist, or every match of the filter). */
  selectIds(selection: ContactSelection): number[] {
    if ('ids' in selection) {
      return this.db
        .prepare<[string], { id: number }>(
          'SELECT id FROM contacts WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id',
        )
        .all(JSON.stringify(selection.ids))
        .map((r) => r.id);
    }
    const q = buildQuery(selection.filter);
    const sql = q.needsCalls
      ? `SELECT c.id FROM ${q.from} ${whereSql(q.where)}`
      : `SELECT c.id FROM ${q.fromBare} ${whereSql(q.where)}`;
    return (this.db.prepare(sql).all(...(q.needsCalls ? q.params : q.bareParams)) as { id: number }[]).map((r) => r.id);
  }

  /** Ids among `ids` with a call still in progress. */
  withLiveCalls(ids: number[]): number[] {
    return this.db
      .prepare<[string], { id: number }>(
        "SELECT DISTINCT contact_id AS id FROM calls WHERE status <> 'ended' AND contact_id IN (SELECT value FROM json_each(?))",
      )
      .all(JSON.stringify(ids))
      .map((r) => r.id);
  }
  deleteIds(ids: number[]): number {
    return this.db.prepare('DELETE FROM contacts WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids))
      .changes;
  }
  phonesOf(ids: number[]): string[] {
    return this.db
      .prepare<[string], { phone: string }>(
        'SELECT DISTINCT phone FROM contacts WHERE phone IS NOT NULL AND id IN (SELECT value FROM json_each(?))',
      )
      .all(JSON.stringify(ids))
      .map((r) => r.phone);
  }
  listsWithPhones(phones: string[]): number[] {
    return this.db
      .prepare<[string], { list_id: number }>(
        'SELECT DISTINCT list_id FROM contacts WHERE phone IN (SELECT value FROM json_each(?))',
      )
      .all(JSON.stringify(phones))
      .map((r) => r.list_id);
  }
  /** Makes every contact (any list) with one of these numbers not callable, for this reason. */
  markNotCallableByPhones(phones: string[], reason: string, at: number): number {
    return prepareCached(
      this.db,
      'UPDATE contacts SET callable = 0, not_callable_reason = ?, updated_at = ? WHERE phone IN (SELECT value FROM json_each(?))',
    ).run(reason, at, JSON.stringify(phones)).changes;
  }
  /** Makes callable again the contacts with these numbers whose reason starts with `reasonPrefix` (and no other). */
  restoreCallableByPhones(phones: string[], reasonPrefix: string, at: number): number {
    return prepareCached(
      this.db,
      `UPDATE contacts SET callable = 1, not_callable_reason = NULL, updated_at = ?
         WHERE phone IN (SELECT value FROM json_each(?)) AND callable = 0 AND substr(not_callable_reason, 1, ?) = ?`,
    ).run(at, JSON.stringify(phones), reasonPrefix.length, reasonPrefix).changes;
  }

  /** Sets the given columns of one contact (and updated_at). */
  update(id: number, patch: ContactPatch, at: number): void {
    const columns = (Object.keys(PATCH_COLUMNS) as (keyof ContactPatch)[]).filter((k) => patch[k] !== undefined);
    const values = columns.map((k) => (k === 'callable' ? (patch.callable ? 1 : 0) : patch[k]));
    const set = columns.map((k) => `${PATCH_COLUMNS[k]} = ?`).join(', ');
    prepareCached(this.db, `UPDATE contacts SET ${set ? `${set}, ` : ''}updated_at = ? WHERE id = ?`).run(
      ...values,
      at,
      id,
    );
  }

  /** Variable names used by the contacts of a list or campaign, most common first. */
  variableKeys(filter: { listId?: number; campaignId?: number }): string[] {
    const q = buildQuery(filter);
    return (
      this.db
        .prepare(
          `SELECT j.key AS key, COUNT(*) AS n FROM ${q.fromBare}, json_each(c.variables_json) j ${whereSql(q.where)} GROUP BY j.key ORDER BY n DESC, MIN(c.id)`,
        )
        .all(...q.bareParams) as { key: string }[]
    ).map((r) => r.key);
  }

  /** Every row of an export, with the latest call's details; iterated so 100k rows never sit in memory twice. */
  exportRows(filter: ContactFilter & { ids?: number[] }): IterableIterator<ExportRow> {
    const q = buildQuery(filter);
    const campaignState = filter.campaignId !== undefined ? 'cc.state' : 'NULL';
    return this.db
      .prepare(
        `SELECT ${selectList(q)}, lc.extracted_json AS extracted_json, lc.hangup_reason AS hangup_reason, lc.sentiment AS sentiment,
           ${campaignState} AS campaign_state FROM ${q.from} ${whereSql(q.where)} ORDER BY c.list_id, c.id`,
      )
      .iterate(...q.params) as IterableIterator<ExportRow>;
  }
}
