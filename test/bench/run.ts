import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `npm run bench [-- --json] [-- --only import,webhook]`: runs each capability's benchmark in its own process (so peak
// RSS and heap state belong to that suite alone), one after another, and prints a table (or one JSON object).
// Figures are measurements, not assertions.

type Bench = () => Promise<Record<string, number>>;
const SUITES: Record<string, () => Promise<Bench>> = {
  import: async () => (await import('./import')).benchImport,
  webhook: async () => (await import('./webhook')).benchWebhook,
  dialer: async () => (await import('./dialer')).benchDialer,
  fts: async () => (await import('./fts')).benchFts,
  grid: async () => (await import('./grid')).benchGrid,
  live: async () => (await import('./live')).benchLive,
};

const GOALS: Record<string, string> = {
  import_100k_s: '< import_bare_read_s',
  import_peak_rss_mb: '≤ 300',
  import_preview_ms: '≤ 300',
  import_1m_s: '≤ 10 × import_100k_s',
  import_1m_peak_rss_mb: '≤ 400',
  grid_first_render_ms: '< 500',
  grid_scroll_p95_frame_ms: '< 16.7',
  live_200_p95_frame_ms: '< 16.7',
  webhook_events_per_s: '≥ 30% of bare',
  webhook_p99_ms: '< 20 at 1,000 ev/s',
  dialer_cpu_ms_per_call: '< 1',
  dialer_next_batch_ms: '< 5',
  dialer_peak_rss_mb: '< 500',
  fts_p95_ms: '< 20',
};

/** Child mode: run one suite and print its figures as the last line of stdout. */
async function runSuite(name: string): Promise<void> {
  const figures = await (await SUITES[name]())();
  process.stdout.write('\n' + JSON.stringify(figures) + '\n');
  process.exit(0);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const suiteIndex = args.indexOf('--suite');
  if (suiteIndex >= 0) return runSuite(args[suiteIndex + 1]);
  const json = args.includes('--json');
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? args[onlyIndex + 1]?.split(',') : undefined;
  const results: Record<string, number | string | Record<string, unknown>> = {
    machine: {
      cores: cpus().length,
      memory_gib: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      cpu: cpus()[0]?.model,
    },
  };
  const errors: Record<string, string> = {};
  for (const name of Object.keys(SUITES)) {
    if (only && !only.includes(name)) continue;
    if (!json) process.stderr.write(`running ${name}…\n`);
    // The same loader flags (tsx) carry over to the child.
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--suite', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', json ? 'ignore' : 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const last = child.stdout.trim().split('\n').pop() ?? '';
    try {
      if (child.status !== 0) throw new Error(`exited with ${child.status ?? child.signal}`);
      Object.assign(results, JSON.parse(last) as Record<string, number>);
    } catch (err) {
      errors[name] = err instanceof Error ? err.message : String(err);
    }
  }
  if (Object.keys(errors).length) results.errors = errors;
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/latest.json', JSON.stringify(results, null, 2));
  if (json) {
    process.stdout.write(JSON.stringify(results) + '\n');
  } else {
    const rows = Object.entries(results).filter(([, v]) => typeof v === 'number') as [string, number][];
    const width = Math.max(...rows.map(([k]) => k.length), 10);
    process.stdout.write(`${'figure'.padEnd(width)}  ${'value'.padStart(12)}  goal\n`);
    for (const [k, v] of rows) {
      process.stdout.write(
        `${k.padEnd(width)}  ${(Number.isInteger(v) ? String(v) : v.toFixed(3)).padStart(12)}  ${GOALS[k] ?? ''}\n`,
      );
    }
    process.stdout.write(`machine: ${JSON.stringify(results.machine)}\n`);
    for (const [name, message] of Object.entries(errors)) process.stdout.write(`${name}: FAILED: ${message}\n`);
  }
  process.exitCode = Object.keys(errors).length ? 1 : 0;
}

void main();
