import { normalizePhone } from './phones';
import { dateToIso, type CellValue, type SheetSource } from './workbook';

// Header-row detection, column naming, presets for the known layouts (call-tracker sheet, COD call_list.csv,
// Exotel upload) and mapping suggestions.

/** Contact fields a column can fill; any other target is the name of a per-contact variable. */
export const CONTACT_FIELDS = ['name', 'phone', 'email', 'timezone', 'language'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];
export const SKIP = 'skip';

/** Column key (header label, or column letter) → 'name' | 'phone' | 'email' | 'timezone' | 'language' | 'skip' | variable name. */
export type Mapping = Record<string, string>;

export interface ColumnInfo {
  index: number;
  letter: string;
  header: string;
  /** Unique label used as the mapping key ("Phone", "Phone (2)", "Column C"). */
  key: string;
}

export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export function cellText(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return dateToIso(v);
  if ('formula' in v) return '';
  return v.error;
}

/** Lower-case letters, marks and digits only: "Phone No." → "phoneno", "फ़ोन नंबर" → "फोननंबर". */
export function headerKey(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/\u093c/g, '')
    .replace(/[^\p{L}\p{M}\p{N}]/gu, '');
}

/** Variable name for a header: "Order ID" → "order_id"; keeps non-Latin letters. */
export function variableName(header: string, letter: string): string {
  const slug = header
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  return slug || `column_${letter.toLowerCase()}`;
}

const ALIASES: Record<string, string[]> = {
  name: [
    'name',
    'fullname',
    'customername',
    'contactname',
    'customer',
    'recipientname',
    'clientname',
    'नाम',
    'ग्राहककानाम',
    'ग्राहक',
  ],
  phone: [
    'phone',
    'phonenumber',
    'phoneno',
    'mobile',
    'mobilenumber',
    'mobileno',
    'contactnumber',
    'contactno',
    'number',
    'recipientphonenumber',
    'cell',
    'cellphone',
    'whatsapp',
    'whatsappnumber',
    'tel',
    'telephone',
    'msisdn',
    'customerphone',
    'customernumber',
    'फोन',
    'फोननंबर',
    'मोबाइल',
    'मोबाइलनंबर',
    'नंबर',
  ],
  email: ['email', 'emailaddress', 'emailid', 'mail', 'ईमेल'],
  timezone: ['timezone', 'tz', 'समयक्षेत्र'],
  order_id: ['orderid', 'orderno', 'ordernumber', 'order', 'ऑर्डरआईडी', 'ऑर्डर'],
  language: [
    'language',
    'lang',
    'preferredlanguage',
    'calllanguage',
    'languagecode',
    'locale',
    'भाषा',
    'agentlanguage',
  ],
};
const ALIAS_INDEX = new Map<string, string>();
for (const [target, keys] of Object.entries(ALIASES)) for (const k of keys) ALIAS_INDEX.set(headerKey(k), target);

/** The contact field a header names by one of its obvious names ("Language", "भाषा" → language), if any. */
export function fieldOfHeader(header: string): string | undefined {
  return ALIAS_INDEX.get(headerKey(header));
}

export interface Preset {
  id: string;
  label: string;
  /** headerKey() values that must all be present. */
  signature: string[];
  /** headerKey() → target; columns not listed become variables. */
  targets: Record<string, string>;
}

const PRESETS: Preset[] = [
  {
    id: 'google-sheet-calls',
    label: 'Google Sheet call tracker (A Name … I Summary)',
    signature: ['name', 'phonenumber', 'status', 'latestexecutionid'],
    targets: { name: 'name', phonenumber: 'phone' },
  },
  {
    id: 'cod-call-list',
    label: 'COD confirmation call_list.csv',
    signature: ['name', 'recipientphonenumber', 'orderid'],
    targets: { name: 'name', recipientphonenumber: 'phone', orderid: 'order_id' },
  },
  {
    // The Exotel call manager stores customers with name, phone number, email and preferred (regional) language.
    id: 'exotel-customers',
    label: 'Exotel voice-assistant customer upload',
    signature: ['phonenumber', 'language'],
    targets: {
      name: 'name',
      customername: 'name',
      phonenumber: 'phone',
      email: 'email',
      language: 'language',
      preferredlanguage: 'language',
    },
  },
];

const isBlankCell = (v: CellValue) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
export const isBlankRow = (cells: CellValue[]) => cells.every(isBlankCell);

/**
 * The header is the row among the first 30 that looks most like labels: several text cells, known names score
 * extra, numbers and phone-like cells count against. Title rows (one cell) and blank rows above it lose.
 * Returns the 1-based row number, or 0 when the sheet starts with data (no header row).
 */
export function detectHeaderRow(sheet: SheetSource): number {
  let best = -1;
  let bestScore = 0;
  let firstNonBlank = -1;
  const limit = Math.min(sheet.rowCount, 30);
  for (let r = 0; r < limit; r++) {
    const cells = sheet.row(r);
    if (isBlankRow(cells)) continue;
    if (firstNonBlank < 0) firstNonBlank = r;
    let filled = 0;
    let score = 0;
    for (const c of cells) {
      if (isBlankCell(c)) continue;
      filled++;
      if (typeof c !== 'string') {
        score -= 2;
        continue;
      }
      const t = c.trim();
      if (/^[+\d][\d\s().-]{5,}$/.test(t)) score -= 2;
      else if (ALIAS_INDEX.has(headerKey(t)) || PRESETS.some((p) => p.signature.includes(headerKey(t)))) score += 3;
      else if (t.length <= 40) score += 1;
    }
    if (filled < 2 && cells.length > 1) continue;
    if (score > bestScore) {
      best = r;
      bestScore = score;
    }
  }
  if (best < 0) return firstNonBlank >= 0 ? 0 : 1;
  // Data-only files: if the best row already holds a callable number, there is no header.
  if (sheet.row(best).some((c) => typeof c === 'number' && normalizePhone(c, 'US').ok)) return 0;
  return best + 1;
}

export function columnsFor(sheet: SheetSource, headerRow: number): ColumnInfo[] {
  const headerCells = headerRow > 0 ? sheet.row(headerRow - 1) : [];
  let width = headerCells.length;
  const scanEnd = Math.min(sheet.rowCount, Math.max(headerRow, 0) + 200);
  for (let r = Math.max(headerRow, 0); r < scanEnd; r++) width = Math.max(width, sheet.row(r).length);
  const seen = new Map<string, number>();
  const cols: ColumnInfo[] = [];
  for (let i = 0; i < width; i++) {
    const letter = columnLetter(i);
    const header = cellText(headerCells[i] ?? null);
    let key = header || `Column ${letter}`;
    const n = (seen.get(key.toLowerCase()) ?? 0) + 1;
    seen.set(key.toLowerCase(), n);
    if (n > 1) key = `${key} (${n})`;
    cols.push({ index: i, letter, header, key });
  }
  // Trailing columns that are empty in the header and in the scanned rows are noise (formatting only).
  while (cols.length > 0) {
    const last = cols[cols.length - 1];
    if (last.header) break;
    let used = false;
    for (let r = Math.max(headerRow, 0); r < scanEnd && !used; r++)
      used = !isBlankCell(sheet.row(r)[last.index] ?? null);
    if (used) break;
    cols.pop();
  }
  return cols;
}

function detectPreset(columns: ColumnInfo[]): Preset | null {
  const keys = new Set(columns.map((c) => headerKey(c.header)));
  return PRESETS.find((p) => p.signature.every((s) => keys.has(s))) ?? null;
}

/** A mapping for every column: preset first, then known names, then the column whose values are phone numbers. */
export function suggestMapping(
  columns: ColumnInfo[],
  sampleRows: CellValue[][],
  country: string,
): { mapping: Mapping; preset: Preset | null } {
  const preset = detectPreset(columns);
  const mapping: Mapping = {};
  const used = new Set<string>();
  for (const col of columns) {
    const hk = headerKey(col.header);
    let target = preset?.targets[hk] ?? ALIAS_INDEX.get(hk);
    if (target && (CONTACT_FIELDS as readonly string[]).includes(target) && used.has(target)) target = undefined;
    if (!target || used.has(target)) target = variableName(col.header, col.letter);
    used.add(target);
    mapping[col.key] = target;
  }
  if (!Object.values(mapping).includes('phone')) {
    let bestCol: ColumnInfo | null = null;
    let bestHits = 0;
    for (const col of columns) {
      const hits = sampleRows.filter((r) => {
        const v = r[col.index] ?? null;
        return !isBlankCell(v) && normalizePhone(v, country).ok;
      }).length;
      if (hits > bestHits) {
        bestHits = hits;
        bestCol = col;
      }
    }
    if (bestCol && bestHits >= Math.max(1, Math.ceil(sampleRows.filter((r) => !isBlankRow(r)).length / 2)))
      mapping[bestCol.key] = 'phone';
  }
  return { mapping, preset };
}

export interface ResolvedMapping {
  /** Target per column index ('skip' for ignored ones). */
  targets: string[];
  /** The full mapping as applied (stored in the import history). */
  applied: Mapping;
}

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

/** Applies the user's mapping over the suggestion; keys may be header labels or column letters. */
export function resolveMapping(columns: ColumnInfo[], suggested: Mapping, given: Mapping | undefined): ResolvedMapping {
  const byKey = new Map<string, ColumnInfo>();
  for (const c of columns) byKey.set(c.key.toLowerCase(), c);
  const byLetter = new Map(columns.map((c) => [c.letter, c]));
  const targets = columns.map((c) => suggested[c.key] ?? variableName(c.header, c.letter));
  if (given) {
    for (const [key, rawTarget] of Object.entries(given)) {
      const col = byKey.get(key.trim().toLowerCase()) ?? byLetter.get(key.trim().toUpperCase());
      if (!col) {
        throw new MappingError(
          `The mapping names a column "${key}" that the header row does not have. Columns are: ${columns.map((c) => c.key).join(', ')}.`,
        );
      }
      const target = rawTarget.trim();
      if (!target) throw new MappingError(`The mapping for column "${key}" is empty; use "skip" to ignore a column.`);
      const asField = target.toLowerCase();
      // A column newly mapped to a contact field takes that role away from the suggested column.
      if ((CONTACT_FIELDS as readonly string[]).includes(asField) && asField !== 'name') {
        targets.forEach((t, i) => {
          if (t === asField && i !== col.index) targets[i] = variableName(columns[i].header, columns[i].letter);
        });
      }
      targets[col.index] =
        (CONTACT_FIELDS as readonly string[]).includes(asField) || asField === SKIP
          ? asField
          : variableName(target, col.letter);
    }
  }
  const phoneCols = columns.filter((c) => targets[c.index] === 'phone');
  if (phoneCols.length === 0) {
    throw new MappingError(
      'No column is mapped to Phone. Choose the column that holds the phone numbers (e.g. {"Mobile": "phone"}).',
    );
  }
  if (phoneCols.length > 1) {
    throw new MappingError(
      `Only one column can be Phone, but ${phoneCols.map((c) => `"${c.key}"`).join(' and ')} are. Map the others to a variable (e.g. "alt_phone").`,
    );
  }
  for (const field of ['email', 'timezone', 'language']) {
    const cols = columns.filter((c) => targets[c.index] === field);
    if (cols.length > 1)
      throw new MappingError(
        `Only one column can be ${field}, but ${cols.map((c) => `"${c.key}"`).join(' and ')} are.`,
      );
  }
  const seenVar = new Map<string, string>();
  for (const c of columns) {
    const t = targets[c.index];
    if ((CONTACT_FIELDS as readonly string[]).includes(t) || t === SKIP) continue;
    const other = seenVar.get(t);
    if (other)
      throw new MappingError(
        `Columns "${other}" and "${c.key}" would both fill the variable "${t}". Give one of them another name or "skip".`,
      );
    seenVar.set(t, c.key);
  }
  const applied: Mapping = {};
  for (const c of columns) applied[c.key] = targets[c.index];
  return { targets, applied };
}
