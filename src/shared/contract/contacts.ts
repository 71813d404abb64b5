import { z } from 'zod';
import { Contact, ContactList, Variables } from '../domain';
import { method } from './define';

export const RejectedRow = z.object({
  /** Row number as the user sees it in the file (1-based, title and header rows counted). */
  row: z.number().int(),
  /** Column header (or "Column C" when the column has none). */
  column: z.string(),
  value: z.string(),
  reason: z.string(),
  /** What to change so the row imports next time. */
  fix: z.string().optional(),
  /** Cell reference, e.g. "B7". */
  cell: z.string().optional(),
  /** Machine-readable reason (phone_empty, phone_too_short, phone_scientific, …). */
  code: z.string().optional(),
});
export type RejectedRow = z.infer<typeof RejectedRow>;

export const NewContact = z.object({
  name: z.string().trim().max(200).default(''),
  phone: z.string().trim().min(1, 'phone is required'),
  timezone: z.string().optional(),
  /** A BCP 47 tag or a language's name (Hindi, தமிழ்); stored as the tag. */
  language: z.string().optional(),
  email: z.string().optional(),
  variables: Variables.default({}),
});

/** Column key (header label or column letter) → 'name' | 'phone' | 'email' | 'timezone' | 'language' | 'skip' | variable name. */
export const ImportMapping = z.record(z.string(), z.string().trim().min(1).max(100));
export type ImportMapping = z.infer<typeof ImportMapping>;

export const ImportPreview = z.object({
  /** Handle of the parsed file kept in the import worker until commit or cancel. */
  token: z.string(),
  fileName: z.string(),
  sizeBytes: z.number().int(),
  kind: z.string(),
  sheets: z.array(z.object({ name: z.string(), rows: z.number().int() })),
  sheet: z.string(),
  /** 1-based row of the header as the user sees it; 0 = no header row (data starts in row 1). */
  headerRow: z.number().int(),
  columns: z.array(
    z.object({
      index: z.number().int(),
      letter: z.string(),
      header: z.string(),
      key: z.string(),
      target: z.string(),
      samples: z.array(z.string()),
    }),
  ),
  /** The first rows of the sheet as displayed text, title and header rows included. */
  rows: z.array(z.object({ row: z.number().int(), cells: z.array(z.string()) })),
  mapping: ImportMapping,
  preset: z.object({ id: z.string(), label: z.string() }).nullable(),
  notes: z.array(z.string()),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const ImportResult = z.object({
  importId: z.number().int(),
  listId: z.number().int(),
  /** New contacts created. */
  accepted: z.number().int(),
  /** Rows merged into an earlier row of the file or into a contact already in the list. */
  duplicates: z.number().int(),
  duplicatesInFile: z.number().int(),
  duplicatesInList: z.number().int(),
  /** Imported, but not callable because the number is on the do-not-call list. */
  dnc: z.number().int(),
  blankRows: z.number().int(),
  rejectedCount: z.number().int(),
  /** At most the first 1,000; the import history keeps them all. */
  rejected: z.array(RejectedRow),
  sheet: z.string(),
  headerRow: z.number().int(),
  mapping: ImportMapping,
  /** The merge rule applied to duplicates, in words. */
  duplicateRule: z.string(),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const ImportSummary = z.object({
  id: z.number().int(),
  listId: z.number().int().nullable(),
  fileName: z.string(),
  sheet: z.string().nullable(),
  state: z.enum(['completed', 'failed', 'cancelled']),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejectedCount: z.number().int(),
  error: z.string().nullable(),
  createdAt: z.number(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

/** A grid row: the contact plus where it stands in calling (latest call, or the campaign's row when filtered). */
export const GridContact = Contact.extend({
  /** Latest call status (queued … ended), null when never called. */
  lastStatus: z.string().nullable(),
  lastResult: z.string().nullable(),
  outcome: z.string().nullable(),
  attempts: z.number().int(),
  durationS: z.number().nullable(),
  summary: z.string().nullable(),
  lastCallAt: z.number().nullable(),
});
export type GridContact = z.infer<typeof GridContact>;

export const GRID_SORT_COLUMNS = [
  'id',
  'name',
  'phone',
  'phoneRaw',
  'email',
  'timezone',
  'language',
  'sourceRow',
  'callable',
  'createdAt',
  'updatedAt',
  'lastStatus',
  'lastResult',
  'outcome',
  'attempts',
  'durationS',
  'lastCallAt',
] as const;

export const ContactFilter = z.object({
  listId: z.number().int().optional(),
  /** Only contacts of this campaign; status/outcome/attempts then come from that campaign. */
  campaignId: z.number().int().optional(),
  /** Matches name, phone (as typed or E.164), email and variable values. */
  search: z.string().trim().max(200).optional(),
  /** Latest call status or result; "not_called" for contacts never called. */
  status: z.array(z.string()).optional(),
  /** Outcome values; "none" for contacts without one. */
  outcome: z.array(z.string()).optional(),
  attemptsMin: z.number().int().min(0).optional(),
  attemptsMax: z.number().int().min(0).optional(),
  callable: z.boolean().optional(),
});
export type ContactFilter = z.infer<typeof ContactFilter>;

/** Which contacts a bulk action or export applies to: explicit ids, or everything a filter matches. */
export const ContactSelection = z.union([
  z.object({ ids: z.array(z.number().int()).min(1).max(200_000) }),
  z.object({ filter: ContactFilter }),
]);
export type ContactSelection = z.infer<typeof ContactSelection>;

export const ExportFile = z.object({
  fileName: z.string(),
  mimeType: z.string(),
  dataBase64: z.string(),
  rows: z.number().int(),
});

const ListTarget = {
  listId: z.number().int().optional(),
  listName: z.string().trim().min(1).max(200).optional(),
};

export const contactsMethods = {
  'lists.list': method(z.object({}), z.array(ContactList)),
  'lists.create': method(z.object({ name: z.string().trim().min(1).max(200) }), ContactList),
  'lists.rename': method(z.object({ id: z.number().int(), name: z.string().trim().min(1).max(200) }), ContactList),
  /** Deletes the list and its contacts (refused while one of them is on a live call). */
  'lists.delete': method(z.object({ id: z.number().int() }), z.object({ deleted: z.number().int() })),
  'contacts.add': method(
    z.object({
      ...ListTarget,
      contacts: z.array(NewContact).min(1).max(10_000),
    }),
    z.object({
      listId: z.number().int(),
      accepted: z.number().int(),
      duplicates: z.number().int(),
      rejected: z.array(RejectedRow),
    }),
  ),
  'contacts.page': method(
    ContactFilter.extend({
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(5000).default(200),
      /** A column of GRID_SORT_COLUMNS, or "var:<name>" for a variable. */
      sort: z
        .object({ column: z.string().min(1).max(120), direction: z.enum(['asc', 'desc']).default('asc') })
        .optional(),
    }),
    z.object({ rows: z.array(GridContact), total: z.number().int() }),
  ),
  /** Variable names used in a list (grid columns), most common first. */
  'contacts.columns': method(
    z.object({ listId: z.number().int().optional(), campaignId: z.number().int().optional() }),
    z.object({ variables: z.array(z.string()) }),
  ),
  /** Inline edit. Phone is normalised again; errors name the field. `variables` replaces the whole set. */
  'contacts.update': method(
    z.object({
      id: z.number().int(),
      name: z.string().max(200).optional(),
      phone: z.string().max(100).optional(),
      email: z.string().max(320).nullable().optional(),
      timezone: z.string().max(100).nullable().optional(),
      language: z.string().max(100).nullable().optional(),
      variables: Variables.optional(),
      /** Set or clear single variables (null removes) without sending the whole set. */
      setVariables: z.record(z.string(), z.string().nullable()).optional(),
    }),
    GridContact,
  ),
  'contacts.delete': method(ContactSelection, z.object({ deleted: z.number().int() })),
  /** Puts the numbers on the do-not-call list; every contact with those numbers becomes not callable. */
  'contacts.markDnc': method(
    z.object({ selection: ContactSelection, reason: z.string().max(200).optional() }),
    z.object({ numbers: z.number().int(), contacts: z.number().int() }),
  ),
  'contacts.unmarkDnc': method(
    z.object({ selection: ContactSelection }),
    z.object({ numbers: z.number().int(), contacts: z.number().int() }),
  ),

  /** Step 1 of an import: the file's bytes (the web host has no file path) → sheets, header, preview, mapping. */
  'imports.preview': method(
    z.object({
      fileName: z.string().trim().min(1).max(260),
      dataBase64: z.string(),
      country: z.string().length(2).optional(),
    }),
    ImportPreview,
  ),
  /** Re-reads the open file with another sheet or header row (no re-upload). */
  'imports.inspect': method(
    z.object({
      token: z.string(),
      sheet: z.string().optional(),
      headerRow: z.number().int().min(0).optional(),
      country: z.string().length(2).optional(),
    }),
    ImportPreview,
  ),
  /** Step 2: all-or-nothing import into an existing list (listId) or a new one (listName, default: file name). */
  'imports.commit': method(
    z.object({
      token: z.string(),
      sheet: z.string().optional(),
      headerRow: z.number().int().min(0).optional(),
      mapping: ImportMapping.optional(),
      country: z.string().length(2).optional(),
      ...ListTarget,
      /** When a campaign on this list completes, write its outcomes into the original call_list.csv. */
      writeBackAtEnd: z.boolean().optional(),
      /** That file's full path, needed when the file was uploaded (the console only has its bytes). */
      writeBackPath: z.string().trim().min(1).optional(),
    }),
    ImportResult,
  ),
  'imports.cancel': method(z.object({ token: z.string() }), z.object({ cancelled: z.boolean() })),
  'imports.list': method(
    z.object({ listId: z.number().int().optional(), limit: z.number().int().min(1).max(500).default(100) }),
    z.array(ImportSummary),
  ),
  'imports.get': method(
    z.object({ id: z.number().int() }),
    ImportSummary.extend({
      mapping: ImportMapping,
      defaultCountry: z.string().nullable(),
      rejected: z.array(RejectedRow),
    }),
  ),
  /** The rejected rows of an import as they were typed, plus row/column/reason/fix columns, to fix and re-import. */
  'imports.exportRejected': method(
    z.object({ id: z.number().int(), format: z.enum(['csv', 'xlsx']).default('csv') }),
    ExportFile,
  ),

  /** A list, a selection or a campaign's results as CSV/XLSX bytes for the browser to download. */
  'exports.create': method(
    z.object({
      scope: z.union([
        z.object({ listId: z.number().int() }),
        z.object({ campaignId: z.number().int() }),
        z.object({ selection: ContactSelection }),
      ]),
      format: z.enum(['csv', 'xlsx']).default('csv'),
    }),
    ExportFile,
  ),
  /**
   * COD write-back: status, reschedule_date and reschedule_time of a call_list.csv updated in place from the
   * contacts' outcomes (matched by phone), atomically. `path` defaults to the file the list was imported from.
   */
  'exports.writeBackCsv': method(
    z.object({ listId: z.number().int(), campaignId: z.number().int().optional(), path: z.string().optional() }),
    z.object({ path: z.string(), updated: z.number().int(), unchanged: z.number().int(), unmatched: z.number().int() }),
  ),
};

export const contactsEvents = {
  'lists.changed': z.object({ listId: z.number().int() }),
  /** Import progress for the file opened under `token`. */
  'import.progress': z.object({
    token: z.string(),
    phase: z.enum(['reading', 'converting', 'saving', 'done', 'failed', 'cancelled']),
    done: z.number().int(),
    total: z.number().int(),
    message: z.string().optional(),
  }),
};
