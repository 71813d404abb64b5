import type { ExportRow } from '../store/repositories/contacts';
import { encodeCsvField, neutralizeCell } from './csv';

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
export function buildExportTable(
  source: Iterable<ExportRow>,
  variableKeys: string[],
  withCampaign: boolean,
): ExportTable {
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
