import { crc32, createDeflateRaw } from 'node:zlib';
import { columnLetter } from './mapping';
import { deflatedEntry, zipArchive } from './zip-writer';

// A streaming .xlsx writer for exports: rows are turned into worksheet XML a batch at a time and deflated as they
// come (zlib runs off the JavaScript thread), so a 100,000-row export never exists as cell objects or as one XML
// string. Strings are written inline (t="inlineStr"), which Excel, LibreOffice and Google Sheets all read.

export type XlsxCell = string | number | null;

/** XML text: & < > " as entities, and characters XML 1.0 cannot carry as Excel's _xHHHH_ escapes. */
function escapeXml(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let rep: string | null = null;
    if (c === 38) rep = '&amp;';
    else if (c === 60) rep = '&lt;';
    else if (c === 62) rep = '&gt;';
    else if (c === 34) rep = '&quot;';
    else if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffe || c === 0xffff)
      rep = `_x${c.toString(16).padStart(4, '0').toUpperCase()}_`;
    if (rep === null) continue;
    out += text.slice(from, i) + rep;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

const PARTS = {
  contentTypes:
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
  rels: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  workbookRels:
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
  styles:
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>',
};

function workbookXml(sheetName: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;
}

/** A sheet name Excel accepts: at most 31 characters, none of : \ / ? * [ ]. */
export function safeSheetName(name: string): string {
  return (
    name
      .replace(/[:\\/?*[\]]/g, ' ')
      .trim()
      .slice(0, 31) || 'Export'
  );
}

/**
 * One worksheet written as rows arrive: add() batches in order, then finish() for the file's bytes. Rows after the
 * first are the data under the header row.
 */
export class XlsxStreamWriter {
  private readonly deflate = createDeflateRaw({ level: 6, chunkSize: 256 * 1024 });
  private readonly compressed: Buffer[] = [];
  private compressedSize = 0;
  private crc = 0;
  private size = 0;
  private rowNumber = 0;
  private letters: string[] = [];
  private readonly ended: Promise<void>;

  constructor(
    private readonly sheetName: string,
    header: string[],
  ) {
    this.deflate.on('data', (chunk: Buffer) => {
      this.compressed.push(chunk);
      this.compressedSize += chunk.length;
    });
    this.ended = new Promise((resolve, reject) => {
      this.deflate.on('end', resolve);
      this.deflate.on('error', reject);
    });
    this.write(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
    );
    this.rowsXml([header]);
  }

  /** Rows written so far, the header included. */
  get rows(): number {
    return this.rowNumber;
  }

  /** Appends rows; resolves once zlib has taken them (so a caller feeding many batches keeps memory flat). */
  async add(rows: XlsxCell[][]): Promise<void> {
    if (!this.rowsXml(rows)) await new Promise<void>((resolve) => this.deflate.once('drain', resolve));
  }

  async finish(): Promise<Buffer> {
    this.write('</sheetData></worksheet>');
    this.deflate.end();
    await this.ended;
    const small = (name: string, text: string) => deflatedEntry(name, Buffer.from(text, 'utf8'));
    return zipArchive([
      small('[Content_Types].xml', PARTS.contentTypes),
      small('_rels/.rels', PARTS.rels),
      small('xl/workbook.xml', workbookXml(safeSheetName(this.sheetName))),
      small('xl/_rels/workbook.xml.rels', PARTS.workbookRels),
      small('xl/styles.xml', PARTS.styles),
      {
        name: 'xl/worksheets/sheet1.xml',
        crc: this.crc,
        size: this.size,
        data: this.compressed,
        compressedSize: this.compressedSize,
      },
    ]);
  }

  private rowsXml(rows: XlsxCell[][]): boolean {
    const parts: string[] = [];
    for (const row of rows) {
      const r = ++this.rowNumber;
      while (this.letters.length < row.length) this.letters.push(columnLetter(this.letters.length));
      parts.push(`<row r="${r}">`);
      for (let c = 0; c < row.length; c++) {
        const v = row[c];
        if (v === null || v === undefined || v === '') continue;
        const ref = `${this.letters[c]}${r}`;
        if (typeof v === 'number' && Number.isFinite(v)) parts.push(`<c r="${ref}"><v>${v}</v></c>`);
        else {
          const text = String(v);
          const space = /^\s|\s$/.test(text) ? ' xml:space="preserve"' : '';
          parts.push(`<c r="${ref}" t="inlineStr"><is><t${space}>${escapeXml(text)}</t></is></c>`);
        }
      }
      parts.push('</row>');
    }
    return this.write(parts.join(''));
  }

  private write(text: string): boolean {
    const bytes = Buffer.from(text, 'utf8');
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.length;
    return this.deflate.write(bytes);
  }
}
