import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as XLSX from '@e965/xlsx';
import Database from 'better-sqlite3';
import { createCore } from '../../src/main/create-core';
import { nodePlatform } from '../../src/main/core/node-platform';

// Import of a generated 100,000-row, 8-column .xlsx through the real path (streamed read, mapping, phone
// normalisation, one transaction), beside a bare SheetJS read and a bare better-sqlite3 insert of the same rows;
// its preview; the same import at a million rows; and the export of the imported list as .xlsx.

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const ROWS_1M = Number(process.env.BENCH_IMPORT_ROWS_1M ?? 1_000_000);

/** Written in a throwaway worker so generating the file does not inflate this process's heap before measuring. */
async function generate(path: string, rows = ROWS): Promise<void> {
  const code = `
    const XLSX = require('@e965/xlsx');
    const { writeFileSync } = require('node:fs');
    const { workerData } = require('node:worker_threads');
    const aoa = [['Name', 'Mobile', 'Email', 'Order ID', 'City', 'Language', 'Amount', 'Delivery Date']];
    const cities = ['Pune', 'Delhi', 'मुंबई', 'Chennai'];
    for (let i = 0; i < workerData.rows; i++) {
      const n = 9800000000 + i;
      const phone = i % 4 === 0 ? '+91 ' + String(n).slice(0, 5) + ' ' + String(n).slice(5) : i % 4 === 1 ? '0' + n : n;
      aoa.push(['Customer ' + i, phone, 'c' + i + '@example.com', 'ORD-' + i, cities[i % 4], i % 2 ? 'hi' : 'en', (i % 5000) / 4, 45600 + (i % 365)]);
    }
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), 'Customers');
    writeFileSync(workerData.path, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }));
  `;
  await new Promise<void>((resolve, reject) => {
    const w = new Worker(code, {
      eval: true,
      workerData: { path, rows },
      resourceLimits: { maxOldGenerationSizeMb: 16_384 },
    });
    w.on('error', reject);
    w.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`generator exited with ${c}`))));
  });
}

/**
 * A bare SheetJS read with the import's parser options, in a plain worker thread like the import's (the bench
 * itself runs under tsx, whose loader would slow SheetJS down), so the comparison is like for like.
 */
async function bareRead(bytes: Buffer): Promise<number> {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import('@e965/xlsx').then((XLSX) => {
      const t = performance.now();
      XLSX.read(workerData.bytes, { type: 'buffer', dense: true, cellDates: true, UTC: true, cellText: false, cellHTML: false });
      parentPort.postMessage((performance.now() - t) / 1000);
    });
  `;
  return new Promise<number>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { bytes } });
    w.once('message', (s: number) => {
      resolve(s);
      void w.terminate();
    });
    w.on('error', reject);
  });
}

export async function benchImport(): Promise<Record<string, number>> {
  // The import worker as shipped (npm run bench builds first); without a build the source worker runs under tsx.
  const built = join(process.cwd(), 'out/main/import-worker.js');
  if (existsSync(built)) process.env.CALLCONSOLE_IMPORT_WORKER = built;
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
  try {
    const file = join(dir, 'customers.xlsx');
    await generate(file);
    const core = createCore({ dataDir: join(dir, 'data'), platform: nodePlatform(join(dir, 'data')), host: 'cli' });
    try {
      // Warm the import worker once (SheetJS and phone metadata load; ~1 s built, more under tsx), as the app does
      // on its first import; the figure below is the import itself.
      const warm = await core.contacts.previewImport('warm.csv', Buffer.from('name,phone\na,9876543210\n'));
      await core.contacts.cancelImport(warm.token);
      const warm2 = await core.contacts.previewImport('warm.csv', Buffer.from('name,phone\na,9876543210\n'));
      await core.contacts.commitImport(warm2.token, { listName: 'warm' });

      // The preview of the 100k file: the first rows on screen.
      const fileBytes = readFileSync(file);
      const tp = performance.now();
      const preview = await core.contacts.previewImport('customers.xlsx', fileBytes);
      const previewMs = performance.now() - tp;
      await core.contacts.cancelImport(preview.token);

      let peak = process.memoryUsage().rss;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      const t0 = performance.now();
      // Phase boundaries from the import's own progress events, to show where the time goes.
      const marks: Record<string, number> = {};
      const unsub = core.bus.subscribe((e) => {
        if (e.type === 'import.progress' && marks[e.payload.phase] === undefined)
          marks[e.payload.phase] = (performance.now() - t0) / 1000;
      });
      const result = await core.contacts.importFile(file, { listName: 'bench' });
      const importS = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      unsub();
      peak = Math.max(peak, process.memoryUsage().rss);
      if (result.accepted !== ROWS)
        throw new Error(`expected ${ROWS} accepted, got ${result.accepted} (${result.rejected.length} rejected)`);

      // The imported list as .xlsx (every contact field and variable, through the streaming writer).
      let exportPeak = process.memoryUsage().rss;
      const exportSampler = setInterval(() => {
        exportPeak = Math.max(exportPeak, process.memoryUsage().rss);
      }, 20);
      const te = performance.now();
      const exported = await core.contacts.exportContacts({ listId: result.list_id }, 'xlsx');
      const exportS = (performance.now() - te) / 1000;
      clearInterval(exportSampler);
      if (exported.rows !== ROWS) throw new Error(`expected ${ROWS} exported rows, got ${exported.rows}`);

      const bytes = readFileSync(file);
      const readS = await bareRead(bytes);
      const wb = XLSX.read(bytes, { type: 'buffer', dense: true });
      const rows = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets[wb.SheetNames[0]], { header: 1, raw: true }).slice(1);

      const db = new Database(join(dir, 'bare.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE t (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g TEXT, h TEXT)');
      const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const t2 = performance.now();
      db.transaction(() => {
        for (const r of rows) insert.run(...r.map((v) => (v === undefined || v === null ? null : String(v))));
      })();
      const insertS = (performance.now() - t2) / 1000;
      db.close();

      return {
        import_100k_s: round(importS),
        import_bare_read_s: round(readS),
        import_bare_insert_s: round(insertS),
        import_ratio_to_bare: round(importS / (readS + insertS)),
        import_phase_read_preview_s: round(marks.converting ?? 0),
        import_phase_convert_s: round((marks.saving ?? 0) - (marks.converting ?? 0)),
        import_phase_save_s: round(importS - (marks.saving ?? importS)),
        import_peak_rss_mb: Math.round(peak / 1048576),
        import_preview_ms: Math.round(previewMs),
        ...millionRows(dir),
        export_100k_xlsx_s: round(exportS),
        export_100k_xlsx_peak_rss_mb: Math.round(exportPeak / 1048576),
      };
    } finally {
      await core.contacts.dispose();
      await core.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The million-row import in processes of its own (import-1m.ts): one writes the file, a fresh one imports it, so
 * its peak RSS is the import's alone. The file is kept in the temp folder between runs.
 */
function millionRows(dir: string): Record<string, number> {
  const script = fileURLToPath(new URL('./import-1m.ts', import.meta.url));
  const file = join(tmpdir(), 'callconsole-bench', `customers-${ROWS_1M}-v1.xlsx`);
  const run = (mode: string, target: string) => {
    const child = spawnSync(process.execPath, [...process.execArgv, script, mode, target, String(ROWS_1M)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TMPDIR: dir },
    });
    if (child.status !== 0) throw new Error(`import-1m ${mode} exited with ${child.status ?? child.signal}`);
    return child.stdout.trim().split('\n').pop() ?? '';
  };
  if (!existsSync(file)) run('generate', file);
  const { s, peak_rss_mb } = JSON.parse(run('measure', file)) as { s: number; peak_rss_mb: number };
  return { import_1m_s: round(s), import_1m_peak_rss_mb: peak_rss_mb };
}
