import { auth, sheets, type sheets_v4 } from '@googleapis/sheets';
import { z } from 'zod';
import { ApiError, type UserErrorCode } from '../errors';

// The thin layer over @googleapis/sheets: credentials, endpoints (so tests can point everything at loopback), and
// errors turned into one shape that says whether retrying can help.

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** Where the Google APIs live. Production uses the defaults; tests point both at a fake on 127.0.0.1. */
export interface GoogleEndpoints {
  /** Sheets API root, e.g. http://127.0.0.1:PORT/ */
  rootUrl?: string;
  /** OAuth token endpoint (service-account JWT grant, authorization code, refresh). */
  tokenUrl?: string;
  /** Consent page of the desktop OAuth flow. */
  authUrl?: string;
}

export const ServiceAccountKey = z.object({
  type: z.literal('service_account', {
    error: 'this is not a service-account key file ("type" must be "service_account")',
  }),
  client_email: z.string().email('client_email is missing or not an e-mail address'),
  private_key: z.string().includes('PRIVATE KEY', { message: 'private_key is missing or not a PEM key' }),
  private_key_id: z.string().optional(),
  project_id: z.string().optional(),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKey>;

const OAuthClientFields = z.object({ client_id: z.string().min(1), client_secret: z.string().min(1) });
/** The "Desktop app" client JSON downloaded from Google Cloud (the `installed` form; `web` accepted too). */
export const OAuthClientJson = z
  .object({ installed: OAuthClientFields.optional(), web: OAuthClientFields.optional() })
  .refine((j) => j.installed ?? j.web, { message: 'this is not an OAuth client file (no "installed" section)' })
  .transform((j) => (j.installed ?? j.web)!);

/** What the secret store holds for one credential (encrypted; never leaves the core). */
export const StoredCredential = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('service_account'), key: ServiceAccountKey }),
  z.object({ kind: z.literal('oauth'), clientId: z.string(), clientSecret: z.string(), refreshToken: z.string() }),
]);
export type StoredCredential = z.infer<typeof StoredCredential>;

/** Parses a key file's text, naming what is wrong with it. */
export function parseJsonFile<T>(text: string, schema: z.ZodType<T>, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SheetsInputError(`The ${what} is not valid JSON. Drop the .json file Google Cloud gave you.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new SheetsInputError(`The ${what} is not usable: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}.`);
  return parsed.data;
}

/** A problem with what the user gave (URL, file, mapping): not retried, shown as is. */
export class SheetsInputError extends ApiError {
  constructor(message: string) {
    super('invalid_input', message);
    this.name = 'SheetsInputError';
  }
}

function sheetsErrorCode(status: number | null, transient: boolean): UserErrorCode {
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  return transient ? 'unavailable' : 'invalid_input';
}

/** A failed Google request. transient: a later retry can succeed (429, 5xx, network). */
export class SheetsApiError extends ApiError {
  constructor(
    message: string,
    readonly status: number | null,
    readonly transient: boolean,
  ) {
    super(sheetsErrorCode(status, transient), message);
    this.name = 'SheetsApiError';
  }
}

/** Spreadsheet id and tab gid from a sheet URL (or a bare id). */
export function parseSheetUrl(input: string): { spreadsheetId: string; gid: number | null } {
  const text = input.trim();
  const fromUrl = /\/spreadsheets\/d\/([A-Za-z0-9_-]{10,})/.exec(text);
  const spreadsheetId = fromUrl?.[1] ?? (/^[A-Za-z0-9_-]{20,}$/.test(text) ? text : null);
  if (!spreadsheetId) {
    throw new SheetsInputError(
      'That does not look like a Google Sheets link. Copy the address from the browser, e.g. https://docs.google.com/spreadsheets/d/…/edit#gid=0.',
    );
  }
  const gid = /[#?&]gid=(\d+)/.exec(text);
  return { spreadsheetId, gid: gid ? Number(gid[1]) : null };
}

export function sheetUrl(spreadsheetId: string, gid: number): string {
  return `https://docs.google.com/spreadsheets/d/${spreadsheetId}/edit#gid=${gid}`;
}

/** 0-based column index → letters (0 → A, 26 → AA). */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** A1 reference to a tab, quoted so titles with spaces or quotes work. */
export function tabRange(title: string, cells?: string): string {
  const quoted = `'${title.replace(/'/g, "''")}'`;
  return cells ? `${quoted}!${cells}` : quoted;
}

type AuthClient = InstanceType<typeof auth.JWT> | InstanceType<typeof auth.OAuth2>;

/** Builds the auth client for a stored credential, sending token requests to the configured token URL. */
export function createAuthClient(credential: StoredCredential, endpoints: GoogleEndpoints): AuthClient {
  const client =
    credential.kind === 'service_account'
      ? new auth.JWT({ email: credential.key.client_email, key: credential.key.private_key, scopes: [SHEETS_SCOPE] })
      : new auth.OAuth2({ clientId: credential.clientId, clientSecret: credential.clientSecret });
  if (credential.kind === 'oauth') client.setCredentials({ refresh_token: credential.refreshToken });
  redirectTokenRequests(client, endpoints.tokenUrl);
  return client;
}

/**
 * The JWT grant's token URL is built into the auth library (a key file's token_uri is ignored), so requests for it
 * are rewritten on the client's own transporter.
 */
export function redirectTokenRequests(client: AuthClient, tokenUrl: string | undefined): void {
  if (!tokenUrl || tokenUrl === GOOGLE_TOKEN_URL) return;
  client.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (String(config.url) === GOOGLE_TOKEN_URL) config.url = new URL(tokenUrl);
      return config;
    },
  });
}

export interface TabInfo {
  gid: number;
  title: string;
  rowCount: number;
  columnCount: number;
}
export type CellValue = string | number | boolean;

/** The Sheets calls the console makes, with retries left to the caller (the outbox has its own backoff). */
export class SheetsClient {
  private api: sheets_v4.Sheets;
  constructor(
    private readonly makeAuth: () => AuthClient,
    private readonly endpoints: GoogleEndpoints,
  ) {
    this.api = this.build();
  }

  private build(): sheets_v4.Sheets {
    return sheets({ version: 'v4', auth: this.makeAuth(), rootUrl: this.endpoints.rootUrl, retry: false });
  }

  /**
   * One request; on a 401 the auth client is rebuilt and the request sent once more, because the library keeps
   * handing out a cached service-account token Google has stopped accepting until that token expires.
   */
  private async call<T>(fn: (api: sheets_v4.Sheets) => Promise<T>): Promise<T> {
    try {
      return await fn(this.api);
    } catch (err) {
      if (toSheetsError(err).status !== 401) throw toSheetsError(err);
      this.api = this.build();
      try {
        return await fn(this.api);
      } catch (again) {
        throw toSheetsError(again);
      }
    }
  }

  /** Title, tabs and the spreadsheet's own time zone (File → Settings; a CLDR id such as Asia/Kolkata). */
  async describe(spreadsheetId: string): Promise<{ title: string; timeZone: string | null; tabs: TabInfo[] }> {
    const res = await this.call((api) =>
      api.spreadsheets.get({
        spreadsheetId,
        fields: 'properties(title,timeZone),sheets.properties(sheetId,title,index,gridProperties)',
      }),
    );
    const tabs = (res.data.sheets ?? []).map((s) => ({
      gid: s.properties?.sheetId ?? 0,
      title: s.properties?.title ?? '',
      rowCount: s.properties?.gridProperties?.rowCount ?? 0,
      columnCount: s.properties?.gridProperties?.columnCount ?? 0,
    }));
    return { title: res.data.properties?.title ?? '', timeZone: res.data.properties?.timeZone ?? null, tabs };
  }

  /** Cell values as stored (numbers stay numbers, so a phone typed as a number keeps every digit). */
  async read(spreadsheetId: string, range: string): Promise<CellValue[][]> {
    const res = await this.call((api) =>
      api.spreadsheets.values.get({
        spreadsheetId,
        range,
        valueRenderOption: 'UNFORMATTED_VALUE',
        dateTimeRenderOption: 'FORMATTED_STRING',
      }),
    );
    return (res.data.values ?? []) as CellValue[][];
  }

  async readMany(spreadsheetId: string, ranges: string[]): Promise<CellValue[][][]> {
    const res = await this.call((api) =>
      api.spreadsheets.values.batchGet({
        spreadsheetId,
        ranges,
        valueRenderOption: 'UNFORMATTED_VALUE',
        dateTimeRenderOption: 'FORMATTED_STRING',
      }),
    );
    return (res.data.valueRanges ?? []).map((v) => (v.values ?? []) as CellValue[][]);
  }

  /** One request, many ranges. RAW so a transcript that starts with "=" is text, never a formula. */
  async write(spreadsheetId: string, data: { range: string; values: CellValue[][] }[]): Promise<number> {
    const res = await this.call((api) =>
      api.spreadsheets.values.batchUpdate({ spreadsheetId, requestBody: { valueInputOption: 'RAW', data } }),
    );
    return res.data.totalUpdatedCells ?? 0;
  }

  async appendColumns(spreadsheetId: string, gid: number, count: number): Promise<void> {
    await this.call((api) =>
      api.spreadsheets.batchUpdate({
        spreadsheetId,
        requestBody: { requests: [{ appendDimension: { sheetId: gid, dimension: 'COLUMNS', length: count } }] },
      }),
    );
  }
}

const GaxiosLike = z.object({
  status: z.number().optional(),
  response: z.object({ status: z.number(), data: z.unknown() }).optional(),
  message: z.string(),
  code: z.union([z.string(), z.number()]).optional(),
});
const GoogleErrorBody = z.object({
  error: z.union([z.object({ message: z.string() }), z.string()]),
  error_description: z.string().optional(),
});

export function toSheetsError(err: unknown): SheetsApiError {
  if (err instanceof SheetsApiError) return err;
  const parsed = GaxiosLike.safeParse(err);
  if (!parsed.success) return new SheetsApiError(String(err), null, true);
  const status = parsed.data.response?.status ?? parsed.data.status ?? null;
  const body = GoogleErrorBody.safeParse(parsed.data.response?.data);
  const detail = body.success
    ? typeof body.data.error === 'string'
      ? `${body.data.error}${body.data.error_description ? `: ${body.data.error_description}` : ''}`
      : body.data.error.message
    : parsed.data.message;
  if (status === null) return new SheetsApiError(`Google could not be reached: ${detail}`, null, true);
  const transient = status === 429 || status >= 500;
  const hint =
    status === 403
      ? ' Share the sheet with the service account (Editor), or reconnect with an account that can edit it.'
      : status === 404
        ? ' Check the link; the sheet may have been deleted or not shared.'
        : status === 429
          ? ' Google rate limit reached; the console waits and retries.'
          : status === 400 && /invalid_grant/.test(detail)
            ? ' The credential was refused; add the key again or sign in again.'
            : '';
  return new SheetsApiError(
    `Google Sheets answered ${status}: ${detail.replace(/\.$/, '')}.${hint}`,
    status,
    transient,
  );
}
