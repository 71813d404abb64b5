// Delimited text (CSV/TSV) reading and writing. Our own tokenizer rather than SheetJS's: it keeps every value as
// typed (SheetJS turns "09876543210" into a number), detects ';' and tab separators, and gives the byte-exact
// record spans the COD write-back needs to keep untouched fields and quoting as they were.

export interface DecodedText {
  text: string;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
  bom: string;
}

export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8', bom: '\ufeff' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le', bom: '\ufeff' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be', bom: '\ufeff' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8', bom: '' };
  } catch {
    // Not UTF-8: most likely an older Excel "CSV (Comma delimited)" save in the Windows code page.
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252', bom: '' };
  }
}

const CANDIDATES = [',', ';', '\t', '|'];

/** Excel's "sep=;" first line, or the candidate that splits the first lines most consistently. */
export function detectSeparator(text: string, preferTab: boolean): { sep: string; skipFirstLine: boolean } {
  const hint = /^sep=(.)\r?\n/.exec(text);
  if (hint) return { sep: hint[1], skipFirstLine: true };
  if (preferTab) return { sep: '\t', skipFirstLine: false };
  const lines = text
    .slice(0, 64 * 1024)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(0, 30);
  let best = ',';
  let bestScore = -1;
  for (const sep of CANDIDATES) {
    const counts = lines.map((l) => countOutsideQuotes(l, sep));
    const nonzero = counts.filter((c) => c > 0);
    if (nonzero.length === 0) continue;
    const freq = new Map<number, number>();
    for (const c of nonzero) freq.set(c, (freq.get(c) ?? 0) + 1);
    const [mode, modeCount] = [...freq.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
    const score = modeCount * 1000 + mode;
    if (score > bestScore) {
      best = sep;
      bestScore = score;
    }
  }
  return { sep: best, skipFirstLine: false };
}

function countOutsideQuotes(line: string, sep: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === sep && !quoted) n++;
  }
  return n;
}

export interface CsvRecord {
  values: string[];
  /** Offsets of the record in the text, without its line ending. */
  start: number;
  end: number;
  eol: string;
}

/** RFC 4180 with tolerance: quotes only matter at the start of a field; CR, LF and CRLF all end a record. */
export function parseCsv(text: string, sep: string, from = 0): CsvRecord[] {
  const records: CsvRecord[] = [];
  const len = text.length;
  let i = from;
  while (i < len) {
    const start = i;
    const values: string[] = [];
    let eol = '';
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q === -1) {
            value += text.slice(i);
            i = len;
            break;
          }
          value += text.slice(i, q);
          if (text[q + 1] === '"') {
            value += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        // Anything between the closing quote and the separator is kept as typed.
        while (i < len && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
      } else {
        let j = i;
        while (j < len) {
          const ch = text.charCodeAt(j);
          if (ch === 10 || ch === 13 || text[j] === sep) break;
          j++;
        }
        value = text.slice(i, j);
        i = j;
      }
      values.push(value);
      if (i >= len) break;
      if (text[i] === sep) {
        i++;
        continue;
      }
      break;
    }
    const end = i;
    if (text[i] === '\r' && text[i + 1] === '\n') eol = '\r\n';
    else if (text[i] === '\r' || text[i] === '\n') eol = text[i];
    i += eol.length;
    records.push({ values, start, end, eol });
  }
  return records;
}

/** The raw text of each field of one record (quotes included), for byte-exact rewrites. */
export function splitRawFields(recordText: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let fieldStart = 0;
  for (let i = 0; i < recordText.length; i++) {
    const ch = recordText[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === sep && !quoted) {
      out.push(recordText.slice(fieldStart, i));
      fieldStart = i + 1;
    }
  }
  out.push(recordText.slice(fieldStart));
  return out;
}

export function encodeCsvField(value: string, sep: string): string {
  return value.includes('"') ||
    value.includes(sep) ||
    value.includes('\n') ||
    value.includes('\r') ||
    /^\s|\s$/.test(value)
    ? `"${value.replace(/"/g, '""')}"`
    : value;
}

/** Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection), plus tab and CR. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/**
 * Prefixes a cell value with an apostrophe when a spreadsheet could run it as a formula. Plain signed numbers and
 * E.164 phones ("+919876543210") are left alone: they cannot call anything and the apostrophe would damage them.
 */
export function neutralizeCell(value: string): string {
  if (!FORMULA_START.test(value) || PLAIN_NUMBER.test(value)) return value;
  return `'${value}`;
}
