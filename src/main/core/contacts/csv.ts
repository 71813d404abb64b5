import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';

// Delimited text (CSV/TSV) reading and writing. Our own tokenizer rather than SheetJS's: it keeps every value as
// typed (SheetJS turns "09876543210" into a number), detects ';' and tab separators, and gives the byte-exact
// record spans the COD write-back needs to keep untouched fields and quoting as they were.

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  bom: string;
}

/**
 * The encoding of a text file: its byte order mark, else UTF-16 told by its zero bytes (ASCII text in UTF-16 has
 * a zero in every other byte; Excel's "Unicode text" is UTF-16 LE, sometimes saved without a mark), else UTF-8 if
 * the bytes are valid UTF-8, else Windows-1252 (an older Excel "CSV (Comma delimited)" save in the Windows code
 * page).
 */
export function detectEncoding(bytes: Uint8Array): { encoding: TextEncoding; bomLength: number } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  const sample = Math.min(bytes.byteLength, 4096) & ~1;
  if (sample >= 2) {
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < sample; i += 2) {
      if (bytes[i] === 0) evenZeros++;
      if (bytes[i + 1] === 0) oddZeros++;
    }
    const pairs = sample / 2;
    if (oddZeros > pairs * 0.3 && evenZeros < pairs * 0.05) return { encoding: 'utf-16le', bomLength: 0 };
    if (evenZeros > pairs * 0.3 && oddZeros < pairs * 0.05) return { encoding: 'utf-16be', bomLength: 0 };
  }
  return { encoding: isUtf8(bytes) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

export interface TextChunkDecoder {
  /** Text of the next bytes; a character cut at the end waits for the next call unless `final`. */
  decode(bytes: Uint8Array, final: boolean): string;
}

/**
 * A decoder that keeps characters whole across chunks. Windows-1252 goes through iconv-lite: Node's TextDecoder
 * decodes that label as Latin-1, which turns "€", curly quotes and dashes (0x80-0x9F) into control characters.
 */
export function textDecoder(encoding: TextEncoding): TextChunkDecoder {
  if (encoding === 'windows-1252') {
    const decoder = iconv.getDecoder('windows-1252');
    return {
      decode: (bytes, final) =>
        decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) +
        (final ? (decoder.end() ?? '') : ''),
    };
  }
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  return { decode: (bytes, final) => decoder.decode(bytes, { stream: !final }) };
}

export function decodeText(bytes: Uint8Array): DecodedText {
  const { encoding, bomLength } = detectEncoding(bytes);
  return {
    text: textDecoder(encoding).decode(bytes.subarray(bomLength), true),
    encoding,
    bom: bomLength ? '\ufeff' : '',
  };
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

/** Limits on one record while tokenizing; a breach throws what the callback returns. */
export interface RecordLimits {
  maxFields: number;
  maxFieldChars: number;
  /** A record still open after this many characters is refused (bounds the re-scans of a streamed record). */
  maxRecordChars: number;
  tooManyFields(recordIndex: number): Error;
  fieldTooLong(recordIndex: number, fieldIndex: number): Error;
}

/**
 * RFC 4180 with tolerance: quotes only matter at the start of a field; CR, LF and CRLF all end a record. Scans the
 * records of `text` from `from`, handing each to `emit` (return false to stop). Unless `final`, a record that may go
 * on in text not yet read is left alone: the return value is where it starts (the caller keeps that much text),
 * or -1 when `emit` stopped.
 */
export function scanRecords(
  text: string,
  sep: string,
  from: number,
  final: boolean,
  emit: (record: CsvRecord) => boolean | void,
  limits?: RecordLimits,
  firstRecordIndex = 0,
): number {
  const len = text.length;
  let i = from;
  let recordIndex = firstRecordIndex;
  while (i < len) {
    const start = i;
    const values: string[] = [];
    let eol = '';
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        let closed = false;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q === -1 || (q + 1 === len && !final)) {
            // Without the next character a closing quote cannot be told from an escaped one.
            value += text.slice(i, q === -1 ? len : q);
            i = len;
            break;
          }
          value += text.slice(i, q);
          if (text[q + 1] === '"') {
            value += '"';
            i = q + 2;
          } else {
            i = q + 1;
            closed = true;
            break;
          }
        }
        // Anything between the closing quote and the separator is kept as typed.
        if (closed) while (i < len && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
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
      if (limits) {
        if (value.length > limits.maxFieldChars) throw limits.fieldTooLong(recordIndex, values.length);
        if (values.length >= limits.maxFields) throw limits.tooManyFields(recordIndex);
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
    if (!final && (i >= len || (text[i] === '\r' && i + 1 >= len))) {
      if (limits && len - start > limits.maxRecordChars) throw limits.fieldTooLong(recordIndex, values.length - 1);
      return start;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') eol = '\r\n';
    else if (text[i] === '\r' || text[i] === '\n') eol = text[i];
    i += eol.length;
    recordIndex++;
    if (emit({ values, start, end, eol }) === false) return -1;
  }
  return i;
}

/** Every record of a whole text (see scanRecords). */
export function parseCsv(text: string, sep: string, from = 0): CsvRecord[] {
  const records: CsvRecord[] = [];
  scanRecords(text, sep, from, true, (r) => {
    records.push(r);
  });
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
