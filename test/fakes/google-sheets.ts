import { createPublicKey, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, readRequest } from '../support/loopback';

// A stand-in for the Google Sheets v4 REST API and Google's OAuth token endpoint, on 127.0.0.1. It speaks the
// documented request and response shapes (spreadsheets.get, spreadsheets.batchUpdate appendDimension, values.get,
// values.batchGet, values.batchUpdate, values.append), enforces the 50,000-character cell limit and the grid size,
// checks bearer tokens it issued, and can be told to answer 429 or 5xx.

export type Cell = string | number | boolean;

export interface FakeTab {
  sheetId: number;
  title: string;
  rows: Cell[][];
  rowCount: number;
  columnCount: number;
}

export interface FakeSpreadsheet {
  spreadsheetId: string;
  title: string;
  /** properties.timeZone: the spreadsheet's own zone, a CLDR id (Google's default for a new sheet is the owner's). */
  timeZone: string;
  tabs: FakeTab[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  status: number;
}

interface Failure {
  status: number;
  match?: RegExp;
}

const CELL_LIMIT = 50_000;

export class FakeGoogle {
  readonly spreadsheets = new Map<string, FakeSpreadsheet>();
  readonly requests: RecordedRequest[] = [];
  /** Service accounts the token endpoint accepts: client_email → public key. */
  private readonly serviceAccounts = new Map<string, KeyObject>();
  /** OAuth: authorization codes and refresh tokens it accepts. */
  private readonly authCodes = new Map<string, string>();
  private readonly refreshTokens = new Set<string>();
  private readonly accessTokens = new Set<string>();
  private readonly failures: Failure[] = [];
  private readonly server = new LoopbackServer((req, res) => {
    void this.handle(req, res).catch((err: unknown) => send(res, 500, { error: { code: 500, message: String(err) } }));
  });

  get rootUrl(): string {
    return `${this.server.origin}/`;
  }
  get tokenUrl(): string {
    return `${this.server.origin}/token`;
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  stop(): Promise<void> {
    return this.server.close();
  }

  addServiceAccount(clientEmail: string, publicKeyPem: string): void {
    this.serviceAccounts.set(clientEmail, createPublicKey(publicKeyPem));
  }

  /** What Google would put on the loopback redirect after the user consents. */
  issueAuthCode(): string {
    const code = `code-${randomBytes(6).toString('hex')}`;
    this.authCodes.set(code, `refresh-${randomBytes(6).toString('hex')}`);
    return code;
  }

  /** Forgets every access token, as if they all expired. */
  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** The next `times` API requests (matching `match`, if given) answer `status`. */
  failNext(status: number, times = 1, match?: RegExp): void {
    for (let i = 0; i < times; i++) this.failures.push({ status, match });
  }

  /** Answers normally again (quota back, outage over). */
  clearFailures(): void {
    this.failures.length = 0;
  }

  addSpreadsheet(sheet: {
    spreadsheetId: string;
    title?: string;
    timeZone?: string;
    tabs: Partial<FakeTab>[];
  }): FakeSpreadsheet {
    const created: FakeSpreadsheet = {
      spreadsheetId: sheet.spreadsheetId,
      title: sheet.title ?? 'Calls',
      timeZone: sheet.timeZone ?? 'Asia/Kolkata',
      tabs: sheet.tabs.map((t, i) => ({
        sheetId: t.sheetId ?? i,
        title: t.title ?? `Sheet${i + 1}`,
        rows: t.rows ?? [],
        rowCount: t.rowCount ?? 1000,
        columnCount: t.columnCount ?? 26,
      })),
    };
    this.spreadsheets.set(created.spreadsheetId, created);
    return created;
  }

  tab(spreadsheetId: string, title: string): FakeTab {
    const tab = this.spreadsheets.get(spreadsheetId)?.tabs.find((t) => t.title === title);
    if (!tab) throw new Error(`no tab ${title}`);
    return tab;
  }

  /** API requests (token requests excluded) whose path matches. */
  apiRequests(match?: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/v4/') && (!match || match.test(r.path)));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url, headers, body: bytes } = await readRequest(req);
    const raw = bytes.toString('utf8');
    const contentType = headers['content-type'] ?? '';
    const body: unknown = raw.length === 0 ? null : contentType.includes('json') ? JSON.parse(raw) : raw;
    const path = decodeURIComponent(url.pathname);
    const record = (status: number) =>
      this.requests.push({ method: req.method ?? 'GET', path, query: url.searchParams, body, status });

    if (path === '/token' && req.method === 'POST') {
      const [status, answer] = this.token(new URLSearchParams(raw));
      record(status);
      return send(res, status, answer);
    }

    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('Bearer ') || !this.accessTokens.has(auth.slice(7))) {
      record(401);
      return send(res, 401, apiError(401, 'Request had invalid authentication credentials.', 'UNAUTHENTICATED'));
    }
    const failure = this.failures.findIndex((f) => !f.match || f.match.test(path));
    if (failure >= 0) {
      const { status } = this.failures.splice(failure, 1)[0];
      record(status);
      const message =
        status === 429 ? "Quota exceeded for quota metric 'Write requests'" : 'The service is currently unavailable.';
      return send(res, status, apiError(status, message, status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE'));
    }
    const [status, answer] = this.api(req.method ?? 'GET', path, url.searchParams, body);
    record(status);
    send(res, status, answer);
  }

  private token(form: URLSearchParams): [number, unknown] {
    const grant = form.get('grant_type');
    const issue = (extra: Record<string, unknown> = {}): [number, unknown] => {
      const accessToken = `ya29.fake-${randomBytes(8).toString('hex')}`;
      this.accessTokens.add(accessToken);
      return [200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer', ...extra }];
    };
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const parts = (form.get('assertion') ?? '').split('.');
      if (parts.length !== 3) return [400, { error: 'invalid_grant', error_description: 'malformed assertion' }];
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as {
        iss?: string;
        scope?: string;
      };
      const key = claims.iss ? this.serviceAccounts.get(claims.iss) : undefined;
      if (!key) return [400, { error: 'invalid_grant', error_description: 'unknown service account' }];
      const ok = createVerify('RSA-SHA256')
        .update(`${parts[0]}.${parts[1]}`)
        .verify(key, Buffer.from(parts[2], 'base64url'));
      if (!ok) return [400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }];
      if (!claims.scope?.includes('spreadsheets')) return [400, { error: 'invalid_scope' }];
      return issue();
    }
    if (grant === 'authorization_code') {
      const refresh = this.authCodes.get(form.get('code') ?? '');
      if (!refresh || !form.get('code_verifier')) return [400, { error: 'invalid_grant' }];
      this.authCodes.delete(form.get('code')!);
      this.refreshTokens.add(refresh);
      return issue({ refresh_token: refresh, scope: 'https://www.googleapis.com/auth/spreadsheets' });
    }
    if (grant === 'refresh_token') {
      if (!this.refreshTokens.has(form.get('refresh_token') ?? '')) return [400, { error: 'invalid_grant' }];
      return issue();
    }
    return [400, { error: 'unsupported_grant_type' }];
  }

  private api(method: string, path: string, query: URLSearchParams, body: unknown): [number, unknown] {
    const m = /^\/v4\/spreadsheets\/([^/:]+)(.*)$/.exec(path);
    const sheet = m ? this.spreadsheets.get(m[1]) : undefined;
    if (!m || !sheet) return [404, apiError(404, 'Requested entity was not found.', 'NOT_FOUND')];
    const rest = m[2];
    try {
      if (method === 'GET' && rest === '') return [200, describe(sheet)];
      if (method === 'POST' && rest === ':batchUpdate') return [200, this.structural(sheet, body)];
      if (method === 'GET' && rest === '/values:batchGet') {
        return [
          200,
          { spreadsheetId: sheet.spreadsheetId, valueRanges: query.getAll('ranges').map((r) => readRange(sheet, r)) },
        ];
      }
      if (method === 'POST' && rest === '/values:batchUpdate') return [200, this.writeBatch(sheet, body)];
      const append = /^\/values\/(.+):append$/.exec(rest);
      if (method === 'POST' && append) return [200, this.append(sheet, append[1], body)];
      const single = /^\/values\/(.+)$/.exec(rest);
      if (method === 'GET' && single) return [200, readRange(sheet, single[1])];
    } catch (err) {
      return [400, apiError(400, (err as Error).message, 'INVALID_ARGUMENT')];
    }
    return [404, apiError(404, `no route ${method} ${path}`, 'NOT_FOUND')];
  }

  private structural(sheet: FakeSpreadsheet, body: unknown): unknown {
    const requests =
      (body as { requests?: { appendDimension?: { sheetId: number; dimension: string; length: number } }[] })
        .requests ?? [];
    for (const r of requests) {
      const dim = r.appendDimension;
      if (!dim) throw new Error('only appendDimension is supported by the fake');
      const tab = sheet.tabs.find((t) => t.sheetId === dim.sheetId);
      if (!tab) throw new Error(`No grid with id: ${dim.sheetId}`);
      if (dim.dimension === 'COLUMNS') tab.columnCount += dim.length;
      else tab.rowCount += dim.length;
    }
    return { spreadsheetId: sheet.spreadsheetId, replies: requests.map(() => ({})) };
  }

  private writeBatch(sheet: FakeSpreadsheet, body: unknown): unknown {
    const { valueInputOption, data } = body as {
      valueInputOption?: string;
      data?: { range: string; values: Cell[][] }[];
    };
    if (valueInputOption !== 'RAW' && valueInputOption !== 'USER_ENTERED') throw new Error('Invalid valueInputOption');
    // Validate everything first: the real API applies a batch all-or-nothing.
    const writes = (data ?? []).map((d) => {
      const range = parseA1(d.range);
      const tab = findTab(sheet, range.title);
      d.values.forEach((row, r) =>
        row.forEach((cell, c) => {
          if (typeof cell === 'string' && cell.length > CELL_LIMIT) {
            throw new Error(`Your input contains more than the maximum of ${CELL_LIMIT} characters in a single cell.`);
          }
          if (range.startRow + r > tab.rowCount || range.startCol + c >= tab.columnCount) {
            throw new Error(
              `Range (${d.range}) exceeds grid limits. Max rows: ${tab.rowCount}, max columns: ${tab.columnCount}`,
            );
          }
        }),
      );
      return { tab, range, values: d.values };
    });
    let cells = 0;
    for (const w of writes) {
      w.values.forEach((row, r) =>
        row.forEach((cell, c) => {
          setCell(w.tab, w.range.startRow - 1 + r, w.range.startCol + c, cell);
          cells++;
        }),
      );
    }
    return { spreadsheetId: sheet.spreadsheetId, totalUpdatedCells: cells, totalUpdatedRows: writes.length };
  }

  private append(sheet: FakeSpreadsheet, rangeText: string, body: unknown): unknown {
    const range = parseA1(rangeText);
    const tab = findTab(sheet, range.title);
    const values = (body as { values: Cell[][] }).values;
    const start = tab.rows.length;
    values.forEach((row, r) => row.forEach((cell, c) => setCell(tab, start + r, range.startCol + c, cell)));
    return { spreadsheetId: sheet.spreadsheetId, updates: { updatedRows: values.length } };
  }
}

interface A1 {
  title: string;
  startCol: number;
  startRow: number;
  endCol: number | null;
  endRow: number | null;
}

function colIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function parseA1(range: string): A1 {
  const m = /^(?:'((?:[^']|'')+)'|([^!]+))(?:!([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?)?$/.exec(range);
  if (!m) throw new Error(`Unable to parse range: ${range}`);
  const title = m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2];
  const startCol = m[3] ? colIndex(m[3]) : 0;
  const startRow = m[4] ? Number(m[4]) : 1;
  const single = m[3] !== undefined && m[4] && m[5] === undefined;
  const endCol = single ? startCol : m[5] ? colIndex(m[5]) : m[3] && m[5] === undefined ? startCol : null;
  const endRow = single ? startRow : m[6] ? Number(m[6]) : null;
  return { title, startCol, startRow, endCol, endRow };
}

function findTab(sheet: FakeSpreadsheet, title: string): FakeTab {
  const tab = sheet.tabs.find((t) => t.title === title);
  if (!tab) throw new Error(`Unable to parse range: ${title}`);
  return tab;
}

function setCell(tab: FakeTab, row: number, col: number, value: Cell): void {
  while (tab.rows.length <= row) tab.rows.push([]);
  const target = tab.rows[row];
  while (target.length <= col) target.push('');
  target[col] = value;
}

function readRange(sheet: FakeSpreadsheet, rangeText: string): unknown {
  const range = parseA1(rangeText);
  const tab = findTab(sheet, range.title);
  const lastRow = range.endRow ?? tab.rows.length;
  const values: Cell[][] = [];
  for (let r = range.startRow - 1; r < Math.min(lastRow, tab.rows.length); r++) {
    const row = tab.rows[r] ?? [];
    const end = range.endCol === null ? row.length - 1 : range.endCol;
    values.push(row.slice(range.startCol, end + 1));
  }
  // Like the real API: trailing empty cells and rows are omitted.
  for (const row of values) while (row.length && row[row.length - 1] === '') row.pop();
  while (values.length && values[values.length - 1].length === 0) values.pop();
  return { range: rangeText, majorDimension: 'ROWS', ...(values.length ? { values } : {}) };
}

function describe(sheet: FakeSpreadsheet): unknown {
  return {
    spreadsheetId: sheet.spreadsheetId,
    properties: { title: sheet.title, timeZone: sheet.timeZone, locale: 'en_IN' },
    sheets: sheet.tabs.map((t, index) => ({
      properties: {
        sheetId: t.sheetId,
        title: t.title,
        index,
        gridProperties: { rowCount: t.rowCount, columnCount: t.columnCount },
      },
    })),
  };
}

function apiError(code: number, message: string, status: string): unknown {
  return { error: { code, message, status } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
