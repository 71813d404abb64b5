import { resolve } from 'node:path';
import type { ContactFilter, ContactSelection } from '@shared/contract/contacts';
import type { Db } from '../store/db';
import { CampaignsRepository } from '../store/repositories/campaigns';
import { ContactsRepository, type ExportRow } from '../store/repositories/contacts';
import { ListsRepository } from '../store/repositories/lists';
import { encodeCsvField, neutralizeCell } from './csv';
import { ContactsError, toContactsError } from './errors';
import { writeAtomically } from './writeback';
import { writeXlsxTable, type ExportProgress } from './xlsx-export';

// Export tables (list, selection or campaign results) and their CSV encoding. XLSX bytes are written by the
// import worker (SheetJS is slow on 100k rows and must not block the main thread).

export type ExportCell = string | number | null;
export interface ExportTable {
  header: string[];
  rows: ExportCell[][];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function flatten(prefix: string, value: unknown, out: Record<string, string>): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flatten(prefix ? `${prefix}.${k}` : k, v, out);
    return;
  }
  out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
}

/** Contact fields, every variable, the latest call (status, result, outcome, attempts, duration, summary) and extracted fields. */
function buildExportTable(source: Iterable<ExportRow>, variableKeys: string[], withCampaign: boolean): ExportTable {
  const rows: { r: ExportRow; vars: Record<string, string>; extracted: Record<string, string> }[] = [];
  const varKeys = new Set(variableKeys);
  const extractedKeys = new Set<string>();
  for (const r of source) {
    const vars = JSON.parse(r.variables_json) as Record<string, string>;
    for (const k of Object.keys(vars)) varKeys.add(k);
    const extracted: Record<string, string> = {};
    if (r.extracted_json) flatten('', JSON.parse(r.extracted_json) as unknown, extracted);
    for (const k of Object.keys(extracted)) extractedKeys.add(k);
    rows.push({ r, vars, extracted });
  }
  const vk = [...varKeys];
  const ek = [...extractedKeys].sort();
  const header = [
    'contact_id',
    'list_id',
    'name',
    'phone',
    'phone_as_typed',
    'email',
    'timezone',
    'language',
    'callable',
    'not_callable_reason',
    'source_row',
    ...vk,
    ...(withCampaign ? ['campaign_state'] : []),
    'last_status',
    'last_result',
    'outcome',
    'attempts',
    'duration_s',
    'last_call_at',
    'summary',
    'hangup_reason',
    'sentiment',
    ...ek.map((k) => `extracted.${k}`),
  ];
  const out: ExportCell[][] = rows.map(({ r, vars, extracted }) => [
    r.id,
    r.list_id,
    r.name,
    r.phone,
    r.phone_raw,
    r.email,
    r.timezone,
    r.language,
    r.callable ? 'yes' : 'no',
    r.not_callable_reason,
    r.source_row,
    ...vk.map((k) => vars[k] ?? null),
    ...(withCampaign ? [r.campaign_state] : []),
    r.last_status,
    r.last_result,
    r.outcome,
    r.attempts ?? 0,
    r.duration_s,
    iso(r.last_call_at),
    r.summary,
    r.hangup_reason,
    r.sentiment,
    ...ek.map((k) => extracted[k] ?? null),
  ]);
  return { header, rows: out };
}

/** Text cells neutralised against formula injection; numbers stay numbers. */
export function neutralizeTable(table: ExportTable): ExportTable {
  const fix = (v: ExportCell): ExportCell => (typeof v === 'string' ? neutralizeCell(v) : v);
  return { header: table.header.map((h) => neutralizeCell(h)), rows: table.rows.map((row) => row.map(fix)) };
}

/** UTF-8 with BOM (so Excel shows Devanagari and emoji), comma-separated, CRLF line ends. */
export function tableToCsv(table: ExportTable): Buffer {
  const safe = neutralizeTable(table);
  const lines = [safe.header, ...safe.rows].map((row) =>
    row.map((v) => encodeCsvField(v === null ? '' : String(v), ',')).join(','),
  );
  return Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8');
}

export type ExportScope = { listId: number } | { campaignId: number } | { selection: ContactSelection };

export interface ExportedFile {
  fileName: string;
  mimeType: string;
  bytes: Buffer;
  rows: number;
}

/**
 * A table as a CSV or XLSX file named after `stem`. Characters that file systems or Excel sheet names refuse
 * (\ / : * ? " < > | [ ]) become spaces; the writer cuts the sheet name to Excel's 31 characters. `onProgress`
 * hears how many rows of an XLSX are written.
 */
export async function encodeTable(
  table: ExportTable,
  stem: string,
  format: 'csv' | 'xlsx',
  fallbackStem = 'export',
  onProgress?: (p: ExportProgress) => void,
): Promise<ExportedFile> {
  const safeStem =
    stem
      .replace(/[\\/:*?"<>|\r\n[\]]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim() || fallbackStem;
  if (format === 'csv')
    return { fileName: `${safeStem}.csv`, mimeType: 'text/csv', bytes: tableToCsv(table), rows: table.rows.length };
  try {
    return {
      fileName: `${safeStem}.xlsx`,
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      bytes: await writeXlsxTable(safeStem, table.header, table.rows, onProgress),
      rows: table.rows.length,
    };
  } catch (err) {
    throw toContactsError(err);
  }
}

/** Exports of a list, a campaign's results or a grid selection. */
export class ContactExports {
  private readonly contacts: ContactsRepository;
  private readonly lists: ListsRepository;
  private readonly campaigns: CampaignsRepository;

  constructor(db: Db) {
    this.contacts = new ContactsRepository(db);
    this.lists = new ListsRepository(db);
    this.campaigns = new CampaignsRepository(db);
  }

  async create(scope: ExportScope, format: 'csv' | 'xlsx'): Promise<ExportedFile> {
    let filter: ContactFilter & { ids?: number[] };
    let stem: string;
    if ('listId' in scope) {
      const list = this.lists.get(scope.listId);
      if (!list) throw new ContactsError('not_found', `List ${scope.listId} does not exist.`);
      filter = { listId: scope.listId };
      stem = list.name;
    } else if ('campaignId' in scope) {
      const campaign = this.campaigns.get(scope.campaignId);
      if (!campaign) throw new ContactsError('not_found', `Campaign ${scope.campaignId} does not exist.`);
      filter = { campaignId: scope.campaignId };
      stem = `${campaign.name} results`;
    } else if ('ids' in scope.selection) {
      filter = { ids: scope.selection.ids };
      stem = 'selected contacts';
    } else {
      filter = scope.selection.filter;
      stem = 'contacts';
    }
    const table = buildExportTable(
      this.contacts.exportRows(filter),
      this.contacts.variableKeys({ listId: filter.listId, campaignId: filter.campaignId }),
      'campaignId' in scope,
    );
    return encodeTable(table, stem, format);
  }

  /** The CLI's `export`: exactly one of listId, campaignId or selection; written atomically to `path`. */
  async toFile(opts: {
    listId?: number;
    campaignId?: number;
    selection?: ContactSelection;
    format: 'csv' | 'xlsx';
    path: string;
  }): Promise<{ path: string; rows: number }> {
    const scope: ExportScope | null =
      opts.listId !== undefined
        ? { listId: opts.listId }
        : opts.campaignId !== undefined
          ? { campaignId: opts.campaignId }
          : opts.selection
            ? { selection: opts.selection }
            : null;
    if (!scope)
      throw new ContactsError('invalid_input', 'Say what to export: a list id, a campaign id or a selection.');
    const file = await this.create(scope, opts.format);
    const path = resolve(opts.path);
    writeAtomically(path, file.bytes);
    return { path, rows: file.rows };
  }
}
