import { z } from 'zod';
import { method } from './define';

// Google Sheets as a live contact source with write-back. Credentials go in as file bytes and never come
// back out: the renderer only ever sees a credential id, its kind and the account it belongs to.

/** Sheet fields the console reads (name, phone, id) or writes back (the rest). */
export const SHEET_FIELDS = [
  'name',
  'phone',
  'status',
  'executionId',
  'duration',
  'lastAttempt',
  'notes',
  'transcript',
  'summary',
  'id',
] as const;
export const SheetField = z.enum(SHEET_FIELDS);
export type SheetField = z.infer<typeof SheetField>;
export const OUTPUT_FIELDS = [
  'status',
  'executionId',
  'duration',
  'lastAttempt',
  'notes',
  'transcript',
  'summary',
] as const;
export type OutputField = (typeof OUTPUT_FIELDS)[number];

const ColumnLetter = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{1,3}$/, 'a column is a letter such as B or AA');

/** Field → column letter. Phone is required; any output field left out is simply not written. */
export const SheetMapping = z
  .object({
    name: ColumnLetter.optional(),
    phone: ColumnLetter.optional(),
    status: ColumnLetter.optional(),
    executionId: ColumnLetter.optional(),
    duration: ColumnLetter.optional(),
    lastAttempt: ColumnLetter.optional(),
    notes: ColumnLetter.optional(),
    transcript: ColumnLetter.optional(),
    summary: ColumnLetter.optional(),
    id: ColumnLetter.optional(),
  })
  .refine((m) => m.phone !== undefined, { message: 'map the phone column', path: ['phone'] })
  .refine((m) => new Set(Object.values(m).filter(Boolean)).size === Object.values(m).filter(Boolean).length, {
    message: 'two fields are mapped to the same column',
  });
export type SheetMapping = z.infer<typeof SheetMapping>;

/** The default call-tracker sheet layout (A Name … I Summary). */
export const SEED_SHEET_MAPPING: SheetMapping = {
  name: 'A',
  phone: 'B',
  status: 'C',
  executionId: 'D',
  duration: 'E',
  lastAttempt: 'F',
  notes: 'G',
  transcript: 'H',
  summary: 'I',
};

/** Header text the console writes when it adds a missing column (with consent). */
export const SHEET_FIELD_HEADERS: Record<SheetField, string> = {
  name: 'Name',
  phone: 'Phone Number',
  status: 'Status',
  executionId: 'Latest Execution ID',
  duration: 'Duration',
  lastAttempt: 'Last Attempt Time',
  notes: 'Notes',
  transcript: 'Transcript',
  summary: 'Summary',
  id: 'Console ID',
};

/**
 * How the sheet's Status and Last Attempt Time columns are read and written (docs/architecture.md, Google Sheets as
 * the truth). The call-tracker layout's preset: times as `YYYY-MM-DD HH:MM:SS` in the spreadsheet's own time zone,
 * `completed` final; other layouts may write ISO 8601 times and name more final statuses.
 */
export const SheetRules = z.object({
  timeFormat: z.enum(['sheet_local', 'iso']).default('sheet_local'),
  /** Status values (any case) after which a row is never called again. */
  finalStatuses: z.array(z.string().trim().min(1).max(60)).max(50).default(['completed']),
});
export type SheetRules = z.infer<typeof SheetRules>;

export const GoogleCredential = z.object({
  id: z.number().int(),
  kind: z.enum(['service_account', 'oauth']),
  /** The service account's e-mail (share the sheet with it), or the OAuth client id. */
  account: z.string(),
  createdAt: z.number(),
});
export type GoogleCredential = z.infer<typeof GoogleCredential>;

export const SheetRejectedRow = z.object({
  row: z.number().int(),
  column: z.string(),
  value: z.string(),
  reason: z.string(),
});

export const SheetConnection = z.object({
  id: z.number().int(),
  listId: z.number().int(),
  credentialId: z.number().int(),
  spreadsheetId: z.string(),
  spreadsheetTitle: z.string(),
  sheetGid: z.number().int(),
  sheetTitle: z.string(),
  url: z.string(),
  mapping: SheetMapping,
  keyKind: z.enum(['phone', 'id']),
  defaultCountry: z.string(),
  pollIntervalMs: z.number().int(),
  paused: z.boolean(),
  rules: SheetRules,
  /** The spreadsheet's own time zone (its settings), as last read; sheet-local times are in it. */
  timeZone: z.string().nullable(),
  health: z.object({
    lastReadAt: z.number().nullable(),
    lastWriteAt: z.number().nullable(),
    pendingWrites: z.number().int(),
    lastError: z.string().nullable(),
    lastErrorAt: z.number().nullable(),
    rowsSeen: z.number().int(),
    rejected: z.array(SheetRejectedRow),
    /** Updates for rows no longer in the sheet (deleted by someone), dropped rather than written elsewhere. */
    droppedWrites: z.number().int(),
    /**
     * Since when call progress waits to be written because Google refuses writes (quota, outage); null when the
     * sheet is up to date or only waiting for the normal write interval.
     */
    behindSince: z.number().nullable(),
  }),
});
export type SheetConnection = z.infer<typeof SheetConnection>;

export const SheetSyncResult = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.array(SheetRejectedRow),
});
export type SheetSyncResult = z.infer<typeof SheetSyncResult>;

const SheetUrl = z.string().trim().min(1, 'paste the sheet URL (or its id)').max(2000);

export const sourcesMethods = {
  /** A service-account key file dropped on the window; its bytes, as text. Stored encrypted. */
  'sources.google.addServiceAccount': method(
    z.object({ fileName: z.string().max(500).optional(), content: z.string().min(1).max(100_000) }),
    GoogleCredential,
  ),
  /** Desktop OAuth: starts a loopback listener on 127.0.0.1; open authUrl in the browser, then poll oauthStatus. */
  'sources.google.oauthStart': method(
    z.object({ clientJson: z.string().min(1).max(100_000) }),
    z.object({ flowId: z.string(), authUrl: z.string(), redirectUri: z.string() }),
  ),
  'sources.google.oauthStatus': method(
    z.object({ flowId: z.string() }),
    z.object({
      state: z.enum(['waiting', 'done', 'failed']),
      credential: GoogleCredential.nullable(),
      error: z.string().nullable(),
    }),
  ),
  'sources.google.credentials': method(z.object({}), z.array(GoogleCredential)),
  /** Reads the spreadsheet's tabs and the chosen tab's header row, and suggests a mapping. */
  'sources.sheets.inspect': method(
    z.object({ url: SheetUrl, credentialId: z.number().int(), gid: z.number().int().optional() }),
    z.object({
      spreadsheetId: z.string(),
      title: z.string(),
      tabs: z.array(
        z.object({
          gid: z.number().int(),
          title: z.string(),
          rowCount: z.number().int(),
          columnCount: z.number().int(),
        }),
      ),
      gid: z.number().int(),
      header: z.array(z.string()),
      suggestedMapping: SheetMapping,
      /** Output columns of the suggested mapping whose header cell is empty (the app can add them with consent). */
      missingColumns: z.array(z.object({ field: SheetField, column: z.string(), header: z.string() })),
    }),
  ),
  'sources.sheets.connect': method(
    z.object({
      url: SheetUrl,
      credentialId: z.number().int(),
      /** Tab id; defaults to the gid in the URL, else the first tab. */
      gid: z.number().int().optional(),
      listName: z.string().trim().min(1).max(200).optional(),
      mapping: SheetMapping.default(SEED_SHEET_MAPPING),
      /** Match rows by phone, or by an id column the console fills in (needs mapping.id). */
      keyKind: z.enum(['phone', 'id']).default('phone'),
      /** Consent: the console may add missing header cells (and grid columns) for mapped output/id columns. */
      addMissingColumns: z.boolean().default(false),
      defaultCountry: z.string().length(2).optional(),
      pollIntervalMs: z.number().int().min(15_000).max(86_400_000).default(120_000),
      rules: SheetRules.default(SheetRules.parse({})),
    }),
    z.object({ connection: SheetConnection, sync: SheetSyncResult }),
  ),
  'sources.sheets.list': method(z.object({}), z.array(SheetConnection)),
  'sources.sheets.get': method(z.object({ id: z.number().int() }), SheetConnection),
  'sources.sheets.sync': method(z.object({ id: z.number().int() }), SheetSyncResult),
  /** Writes pending updates now (still one request at a time, within quota). */
  'sources.sheets.flush': method(
    z.object({ id: z.number().int() }),
    z.object({ written: z.number().int(), pending: z.number().int() }),
  ),
  'sources.sheets.setPaused': method(z.object({ id: z.number().int(), paused: z.boolean() }), SheetConnection),
  /** Stops syncing; the list and its contacts stay, pending writes are discarded. */
  'sources.sheets.disconnect': method(z.object({ id: z.number().int() }), z.object({ ok: z.literal(true) })),
};

export const sourcesEvents = {
  /** Health changed (read, write, error, pending count). */
  'source.updated': SheetConnection,
};
