import { detectEncoding, detectSeparator, scanRecords, textDecoder, type RecordLimits } from './csv';
import { cellTooLong, tooManyColumns, tooManyRows, tooMuchData, type ReadLimits } from './read-limits';
import type { StreamedBook, StreamRow } from './sheet-stream';
import { ImportFileError } from './workbook';

// Delimited text (CSV/TSV) as a stream of rows: decoded a chunk at a time in the detected encoding and tokenized by
// the same tokenizer the COD write-back uses (csv.ts), so a row here is the row the write-back finds.

/** Bytes decoded per step: large enough that re-scanning a record that spans two steps costs little. */
const CHUNK_BYTES = 1 << 20;
/** A record still open after this many characters is refused; no contact row is anywhere near it. */
const MAX_RECORD_CHARS = 8_000_000;
const ROW_BATCH = 2000;
/** Bytes decoded up front: for the binary check, the separator and the row estimate. */
const HEAD_BYTES = 64 * 1024;

export function openDelimited(bytes: Uint8Array, fileName: string, ext: string, limits: ReadLimits): StreamedBook {
  const { encoding, bomLength } = detectEncoding(bytes);
  const head = textDecoder(encoding).decode(bytes.subarray(bomLength, bomLength + HEAD_BYTES), false);
  if (looksBinary(head)) {
    throw new ImportFileError(
      'corrupt',
      `${fileName} is not a spreadsheet: it holds binary data, not text. Choose the .csv, .tsv or Excel file that holds the contacts.`,
    );
  }
  if (bytes.byteLength > limits.maxUncompressedBytes) throw tooMuchData(fileName, limits);
  const { sep, skipFirstLine } = detectSeparator(head, ext === 'tsv');
  const sepName = sep === '\t' ? 'tab' : sep === ';' ? 'semicolon' : sep === ',' ? 'comma' : `"${sep}"`;
  const rowLimits: RecordLimits = {
    maxFields: limits.maxColumns,
    maxFieldChars: limits.maxCellChars,
    maxRecordChars: MAX_RECORD_CHARS,
    tooManyFields: (record) => tooManyColumns(fileName, record + 1, limits),
    fieldTooLong: (record, field) => cellTooLong(fileName, `row ${record + 1}, column ${field + 1}`, limits),
  };
  const name = fileName.replace(/\.[^.]+$/, '') || 'Sheet1';
  return {
    kind: ext === 'tsv' ? 'tsv' : 'csv',
    notes: [`Read as ${encoding}${bomLength ? ' with BOM' : ''}, ${sepName}-separated.`],
    sheets: [
      {
        name,
        // An estimate for the preview: the lines in the first 64 KB, scaled to the file.
        rowsHint: Math.round(
          ((head.split('\n').length - (head.endsWith('\n') ? 1 : 0)) * bytes.byteLength) /
            Math.min(bytes.byteLength, HEAD_BYTES),
        ),
        read(onRows, opts = {}) {
          const decoder = textDecoder(encoding);
          let pending = '';
          let first = true;
          // Row numbers as the user sees them: Excel's "sep=;" line is row 1 and holds no data.
          let recordIndex = skipFirstLine ? 1 : 0;
          let batch: StreamRow[] = [];
          let stopped = false;
          const emit = (values: string[]) => {
            if (recordIndex >= limits.maxRows) throw tooManyRows(fileName, limits);
            batch.push({ index: recordIndex, cells: values });
            recordIndex++;
            if (batch.length >= ROW_BATCH) {
              const rows = batch;
              batch = [];
              if (onRows(rows) === false) return false;
            }
            return true;
          };
          for (let offset = bomLength; offset < bytes.byteLength && !stopped; offset += CHUNK_BYTES) {
            const end = Math.min(offset + CHUNK_BYTES, bytes.byteLength);
            const final = end >= bytes.byteLength;
            let text = pending + decoder.decode(bytes.subarray(offset, end), final);
            if (first) {
              first = false;
              if (skipFirstLine) text = text.slice(text.indexOf('\n') + 1);
            }
            const hasNul = text.indexOf('\u0000') >= 0;
            const rest = scanRecords(
              text,
              sep,
              0,
              final,
              (record) => {
                if (hasNul) {
                  const column = record.values.findIndex((v) => v.includes('\u0000'));
                  if (column >= 0) throw nulInRow(fileName, recordIndex + 1, column + 1);
                }
                return emit(record.values);
              },
              rowLimits,
              recordIndex,
            );
            if (rest < 0) stopped = true;
            else pending = text.slice(rest);
            opts.onProgress?.({ done: end, total: bytes.byteLength });
            if (opts.rows !== undefined && recordIndex >= opts.rows) break;
          }
          if (!stopped && batch.length) onRows(batch);
          return Promise.resolve();
        },
      },
    ],
  };
}

/** Control characters (other than tab, LF, CR, form feed) and undecodable bytes never fill a real text table. */
function looksBinary(head: string): boolean {
  let controls = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 0xfffd) controls++;
  }
  return controls > Math.max(8, head.length * 0.1);
}

function nulInRow(fileName: string, row: number, column: number): ImportFileError {
  return new ImportFileError(
    'corrupt',
    `${fileName}: row ${row}, column ${column} contains a NUL character, which text files never hold (the file may be damaged, or saved in an encoding this import does not read). Save it again as "CSV UTF-8" and import again.`,
  );
}
