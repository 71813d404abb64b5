import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../src/main/create-core';
import { XlsxStreamWriter } from '../../src/main/core/contacts/xlsx-writer';
import { nodePlatform } from '../../src/main/core/node-platform';

// The million-row import, run by import.ts in processes of its own: `generate FILE ROWS` writes the workbook (the
// 100k file's columns and values, written by the export's streaming writer, since SheetJS would need minutes and
// gigabytes for it), `measure FILE ROWS` imports it into a fresh core and prints {"s", "peak_rss_mb"}, so the peak
// belongs to the import alone.

const [mode, file, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg);

async function generate(): Promise<void> {
  const cities = ['Pune', 'Delhi', 'मुंबई', 'Chennai'];
  const writer = new XlsxStreamWriter('Customers', [
    'Name',
    'Mobile',
    'Email',
    'Order ID',
    'City',
    'Language',
    'Amount',
    'Delivery Date',
  ]);
  const BATCH = 10_000;
  for (let start = 0; start < rows; start += BATCH) {
    const batch: (string | number)[][] = [];
    for (let i = start; i < Math.min(rows, start + BATCH); i++) {
      const n = 9_800_000_000 + i;
      const phone = i % 4 === 0 ? `+91 ${String(n).slice(0, 5)} ${String(n).slice(5)}` : i % 4 === 1 ? `0${n}` : n;
      batch.push([
        `Customer ${i}`,
        phone,
        `c${i}@example.com`,
        `ORD-${i}`,
        cities[i % 4],
        i % 2 ? 'hi' : 'en',
        (i % 5000) / 4,
        45600 + (i % 365),
      ]);
    }
    await writer.add(batch);
  }
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, await writer.finish());
}

async function measure(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-1m-'));
  const core = createCore({ dataDir: join(dir, 'data'), platform: nodePlatform(join(dir, 'data')), host: 'cli' });
  core.contacts.maxImportBytes = Math.max(core.contacts.maxImportBytes, statSync(file).size);
  try {
    const warm = await core.contacts.previewImport('warm.csv', Buffer.from('name,phone\na,9876543210\n'));
    await core.contacts.commitImport(warm.token, { listName: 'warm' });
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const t0 = performance.now();
    const result = await core.contacts.importFile(file, { listName: 'million' });
    const s = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (result.accepted !== rows) throw new Error(`expected ${rows} accepted, got ${result.accepted}`);
    process.stdout.write(`\n${JSON.stringify({ s, peak_rss_mb: Math.round(peak / 1048576) })}\n`);
  } finally {
    await core.contacts.dispose();
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (mode === 'generate') await generate();
else if (mode === 'measure') await measure();
else throw new Error('usage: import-1m.ts generate|measure FILE ROWS');
