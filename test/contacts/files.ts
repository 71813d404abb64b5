import * as XLSX from '@e965/xlsx';
import { deflatedEntry, zipArchive } from '../../src/main/core/contacts/zip-writer';

// Real spreadsheet files built in the test with SheetJS, shaped like what supervisors actually send.

export type Cell = XLSX.CellObject | string | number | null;

/** A workbook from sheets of rows; a Cell object is written as-is (formulas, number formats). */
export function workbook(sheets: Record<string, Cell[][]>, bookType: XLSX.BookType = 'xlsx'): Buffer {
  const wb = XLSX.utils.book_new();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws: XLSX.WorkSheet = {};
    let maxC = 0;
    rows.forEach((row, r) =>
      row.forEach((v, c) => {
        if (v === null) return;
        maxC = Math.max(maxC, c);
        ws[XLSX.utils.encode_cell({ r, c })] =
          typeof v === 'object' ? v : typeof v === 'number' ? { t: 'n', v } : { t: 's', v };
      }),
    );
    ws['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(rows.length - 1, 0), c: maxC } });
    XLSX.utils.book_append_sheet(wb, ws, name);
  }
  return XLSX.write(wb, { type: 'buffer', bookType }) as Buffer;
}

export function readBack(bytes: Buffer): unknown[][] {
  const wb = XLSX.read(bytes, { type: 'buffer' });
  return XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets[wb.SheetNames[0]], { header: 1, raw: true, defval: null });
}

/** A workbook written with shared strings (as Excel saves), where workbook() writes SheetJS's inline "str" cells. */
export function workbookWithSharedStrings(sheets: Record<string, Cell[][]>): Buffer {
  const wb = XLSX.read(workbook(sheets), { type: 'buffer', cellFormula: true, cellNF: true, cellStyles: true });
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', bookSST: true }) as Buffer;
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/**
 * An .xlsx assembled from hand-written XML, for what SheetJS never writes (inline strings, rich text, phonetic runs,
 * shared formulas, the 1904 date system, prefixed element names). `sheets` maps names to <sheetData> XML.
 */
export function xlsxFromXml(opts: {
  sheets: Record<string, string>;
  sharedStrings?: string[];
  /** numFmtId per cell style index (s="N"); custom codes from id 164. */
  styles?: (number | string)[];
  date1904?: boolean;
  /** Entries to corrupt the archive with: declared sizes that differ from the real ones. */
  declaredSizes?: Record<string, number>;
  /** Write every SpreadsheetML element with an "x:" prefix, as some generators do. */
  prefixed?: boolean;
}): Buffer {
  const names = Object.keys(opts.sheets);
  const parts: Record<string, string> = {
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${names.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL}"><workbookPr${opts.date1904 ? ' date1904="1"' : ''}/><sheets>${names.map((n, i) => `<sheet name="${n}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${names.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}<Relationship Id="rIdS" Type="${REL}/styles" Target="styles.xml"/><Relationship Id="rIdT" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    'xl/styles.xml': stylesXml(opts.styles ?? [0]),
    'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}" count="${opts.sharedStrings?.length ?? 0}" uniqueCount="${opts.sharedStrings?.length ?? 0}">${(opts.sharedStrings ?? []).join('')}</sst>`,
  };
  names.forEach((n, i) => {
    const xml = `<worksheet xmlns="${NS}" xmlns:r="${REL}"><sheetData>${opts.sheets[n]}</sheetData></worksheet>`;
    parts[`xl/worksheets/sheet${i + 1}.xml`] =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      (opts.prefixed
        ? xml.replace(/<(\/?)([A-Za-z]+)(?=[\s/>])/g, '<$1x:$2').replace(`xmlns="${NS}"`, `xmlns:x="${NS}"`)
        : xml);
  });
  return zipArchive(
    Object.entries(parts).map(([name, xml]) => {
      const entry = deflatedEntry(name, Buffer.from(xml, 'utf8'));
      const declared = opts.declaredSizes?.[name];
      return declared === undefined ? entry : { ...entry, size: declared };
    }),
  );
}

function stylesXml(formats: (number | string)[]): string {
  const custom: string[] = [];
  const ids = formats.map((f, i) => {
    if (typeof f === 'number') return f;
    custom.push(`<numFmt numFmtId="${164 + i}" formatCode="${f.replace(/"/g, '&quot;')}"/>`);
    return 164 + i;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="${NS}"><numFmts count="${custom.length}">${custom.join('')}</numFmts><cellXfs count="${ids.length}">${ids.map((id) => `<xf numFmtId="${id}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`).join('')}</cellXfs></styleSheet>`;
}
