import { readFileSync } from 'node:fs';
import { openBook } from '../../src/main/core/contacts/open-book';
import { readLimits } from '../../src/main/core/contacts/read-limits';
import { readHead } from '../../src/main/core/contacts/sheet-stream';
import { columnsFor, detectHeaderRow, resolveMapping, suggestMapping } from '../../src/main/core/contacts/mapping';
import { RowConverter, packRecordText, type ParsedRecord } from '../../src/main/core/contacts/records';
const bytes = readFileSync(process.argv[2]);
for (let k = 0; k < 2; k++) {
  let t = performance.now(); let cu = process.cpuUsage();
  const book = await openBook(bytes, 'x.xlsx', 1e9, readLimits({}));
  const head = await readHead(book.sheets[0], 1000);
  console.log('open+head', (performance.now() - t).toFixed(0), (process.cpuUsage(cu).user / 1000).toFixed(0));
  const h = detectHeaderRow(head); const cols = columnsFor(head, h);
  const { targets } = resolveMapping(cols, suggestMapping(cols, [], 'IN').mapping, undefined);
  let chunk: ParsedRecord[] = []; let packed = 0;
  const conv = new RowConverter(head.row(h - 1), h, cols, targets, 'IN', { add: (r) => { chunk.push(r); if (chunk.length >= 20000) { packed += packRecordText(chunk).length; chunk = []; } }, fill: () => {} });
  t = performance.now(); cu = process.cpuUsage();
  let readOnly = 0;
  await book.sheets[0].read((rows) => { for (const r of rows) conv.push(r.index, r.cells); });
  console.log('convert', (performance.now() - t).toFixed(0), (process.cpuUsage(cu).user / 1000).toFixed(0), conv.finish().accepted, packed);
}
