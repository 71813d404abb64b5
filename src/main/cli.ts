import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { ApiInput, ApiOutput, MethodName } from '@shared/contract';
import { CAMPAIGN_PRESETS, type CampaignPreset, type CampaignSettings } from '@shared/domain';
import { dispatch } from './bindings/dispatch';
import { createCore, databasePath, type Core } from './create-core';
import { ApiError, type FieldIssue } from './core/errors';
import { openDatabaseWithReplacement } from './core/maintenance/maintenance';
import { defaultDataDir } from './core/data-dir';
import { nodePlatform } from './core/node-platform';
import { SimulatorProvider } from './core/providers/simulator';
import { CliError, parseDuration, parseWindow } from './cli-args';

// The console without a window, for scripts (the COD confirmation flow is driven from one). Every command takes
// --data-dir and --json; the JSON shapes are a stable interface (README, CLI).

const USAGE = `Usage: callconsole <command> [options]   (npm run cli -- <command> …)

Commands:
  import FILE [--sheet NAME] [--list NAME] [--country CC] [--mapping JSON]
  campaign create --list ID [--list ID…] --provider NAME [--agent ID] [--name TEXT] [--window HH:MM-HH:MM]
                  [--concurrency N] [--max-attempts N] [--retry-after DURATION[,DURATION…]] [--sim-speed X]
                  [--ignore-window] [--preset sheet-dialer]
  campaign start ID [--wait]      campaign pause|resume|cancel|status ID
  campaign write-back ID [--file call_list.csv]   outcomes into the original CSV (status, reschedule_date/time)
  calls list [--campaign ID]
  export (--campaign ID | --list ID) --format csv|xlsx --out FILE
  search QUERY
  serve                           run the dialer, webhook server and tunnel without a window
  backup [--out FILE|FOLDER]      consistent copy of the database (default DATA_DIR/backups)
  restore FILE                    replace the data with a console backup (the current data is backed up first)
  wipe --confirm WIPE [--include-settings]   delete all data (backed up first); settings and keys stay unless asked

Options for every command: --data-dir DIR (default $CALLCONSOLE_DATA_DIR or ~/.callconsole), --json,
  --webhook-port N (the webhook listener's port, stored for later runs), --debug (print the stack trace of an error too)
Durations: 90s, 10m, 2h (or plain milliseconds).`;

/** --webhook-port: the listener's port, kept for later runs (a public URL forwarded to it keeps working). */
function webhookPort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535)
    throw new CliError(`--webhook-port "${value}" is not a port: give a whole number from 1 to 65535, e.g. 8787`);
  return port;
}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

const OPTIONS = {
  'data-dir': { type: 'string' },
  'webhook-port': { type: 'string' },
  json: { type: 'boolean' },
  sheet: { type: 'string' },
  list: { type: 'string', multiple: true },
  country: { type: 'string' },
  mapping: { type: 'string' },
  provider: { type: 'string' },
  agent: { type: 'string' },
  name: { type: 'string' },
  window: { type: 'string' },
  concurrency: { type: 'string' },
  'max-attempts': { type: 'string' },
  'retry-after': { type: 'string' },
  'sim-speed': { type: 'string' },
  preset: { type: 'string' },
  'ignore-window': { type: 'boolean' },
  wait: { type: 'boolean' },
  campaign: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  file: { type: 'string' },
  confirm: { type: 'string' },
  'include-settings': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function runCli(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values: flags, positionals } = parsed;
  const [command, sub, ...rest] = positionals;
  if (!command || flags.help) {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  const dataDir = resolve(flags['data-dir'] ?? defaultDataDir());
  let core: Core | undefined;
  const print = (value: unknown, human: () => string) => io.out(flags.json ? JSON.stringify(value, null, 2) : human());
  try {
    core = createCore({
      dataDir,
      platform: nodePlatform(dataDir),
      host: 'cli',
      version: process.env.npm_package_version,
    });
    if (flags['webhook-port'] !== undefined) core.settings.set('webhookPort', webhookPort(flags['webhook-port']));
    switch (command) {
      case 'import':
        return await importCommand(core, sub, flags, print);
      case 'campaign':
        return await campaignCommand(core, sub, rest, flags, print);
      case 'calls':
        if (sub !== 'list') throw new CliError(`Unknown command "calls ${sub ?? ''}". Try: calls list [--campaign ID]`);
        return await callsList(core, flags, print);
      case 'export':
        return await exportCommand(core, flags, print);
      case 'search':
        return await searchCommand(core, [sub, ...rest].filter(Boolean).join(' '), print);
      case 'serve':
        return await serve(core, io);
      case 'backup':
      case 'restore':
      case 'wipe':
        return await maintenanceCommand(core, command, sub, flags, print);
      default:
        throw new CliError(`Unknown command "${command}".\n\n${USAGE}`);
    }
  } catch (err) {
    core?.platform.logger.log('error', 'cli', `${command} failed`, {
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
    io.err(failureText(err, flags.debug ?? false));
    return 1;
  } finally {
    if (command !== 'serve') await core?.close();
    // A restore or wipe staged above takes effect now that the database is closed, not at the next command.
    // Opened once here so that a replacement that cannot be used is rolled back now, while the user watches.
    if (core && (command === 'restore' || command === 'wipe'))
      openDatabaseWithReplacement(databasePath(dataDir), Date.now(), core.platform.logger).close();
  }
}

/** A mistake the user can fix is printed as its message and fixes; anything else as "Error: …". Stacks only with --debug. */
function failureText(err: unknown, debug: boolean): string {
  const stack = debug && err instanceof Error && err.stack ? `\n\n${err.stack}` : '';
  if (err instanceof CliError) return err.message + stack;
  if (err instanceof ApiError) return withFixes(err.message, err.issues) + stack;
  const message = err instanceof Error ? err.message : String(err);
  return `Error: ${message}${stack || '\n(Run again with --debug for the stack trace; it is also in the log.)'}`;
}

/** The message, then each field's fix the message does not already carry. */
function withFixes(message: string, issues: readonly FieldIssue[] = []): string {
  const lines = [message];
  for (const issue of issues) {
    const line = `  ${issue.path || 'input'}: ${issue.message}${issue.fix ? ` (fix: ${issue.fix})` : ''}`;
    if (!message.includes(issue.fix ?? issue.message)) lines.push(line);
  }
  return lines.join('\n');
}

type Print = (value: unknown, human: () => string) => void;

async function call<K extends MethodName>(core: Core, method: K, input: ApiInput<K>): Promise<ApiOutput<K>> {
  const result = await dispatch(core.api, method, input, core.platform.logger);
  if (!result.ok) throw new CliError(withFixes(result.error.message, result.error.issues));
  return result.value as ApiOutput<K>;
}

function intFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CliError(`--${name} must be a whole number, got "${value}".`);
  return n;
}

function requireId(value: string | undefined, what: string): number {
  const id = intFlag(value, what);
  if (id === undefined) throw new CliError(`Missing ${what}.`);
  return id;
}

async function importCommand(core: Core, file: string | undefined, flags: Flags, print: Print): Promise<number> {
  if (!file) throw new CliError('Usage: import FILE [--sheet NAME] [--list NAME] [--country CC] [--mapping JSON]');
  let mapping: Record<string, string> | undefined;
  if (flags.mapping) {
    try {
      mapping = JSON.parse(flags.mapping) as Record<string, string>;
    } catch {
      throw new CliError('--mapping must be JSON, e.g. {"Name":"name","Mobile":"phone","Order":"order_id"}');
    }
  }
  const result = await core.contacts.importFile(resolve(file), {
    sheet: flags.sheet,
    listName: flags.list?.[0],
    country: flags.country,
    mapping,
  });
  print(result, () =>
    [
      `Imported into list ${result.list_id}: ${result.accepted} accepted, ${result.duplicates} duplicates, ${result.rejected.length} rejected.`,
      ...result.rejected.slice(0, 50).map((r) => `  row ${r.row} ${r.column} "${r.value}": ${r.reason}`),
      result.rejected.length > 50 ? `  … and ${result.rejected.length - 50} more (use --json for all)` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return 0;
}

async function campaignCommand(
  core: Core,
  sub: string | undefined,
  rest: string[],
  flags: Flags,
  print: Print,
): Promise<number> {
  if (sub === 'create') {
    const listIds = (flags.list ?? []).map((l) => requireId(l, '--list'));
    if (listIds.length === 0) throw new CliError('campaign create needs --list ID (see `calls list` / `import`).');
    const window = flags.window ? parseWindow(flags.window) : undefined;
    const retry = flags['retry-after'] ? flags['retry-after'].split(',').map((d) => parseDuration(d)) : undefined;
    const simSpeed = flags['sim-speed'] !== undefined ? Number(flags['sim-speed']) : undefined;
    if (simSpeed !== undefined && !(simSpeed > 0))
      throw new CliError(`--sim-speed must be a positive number, got "${flags['sim-speed']}".`);
    const preset = flags.preset ? presetSettings(flags.preset) : {};
    const campaign = await call(core, 'campaigns.create', {
      name: flags.name ?? `Campaign ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
      listIds,
      provider: (flags.provider ?? 'simulator') as ApiInput<'campaigns.create'>['provider'],
      voiceAgentId: flags.agent ?? null,
      settings: {
        ...preset,
        ...(window && { window }),
        ...(flags['ignore-window'] && { ignoreWindow: true }),
        ...(flags.concurrency && { concurrency: intFlag(flags.concurrency, 'concurrency') }),
        ...(flags['max-attempts'] && { maxAttempts: intFlag(flags['max-attempts'], 'max-attempts') }),
        ...(retry && { retryDelaysMs: retry }),
        ...(simSpeed !== undefined && { simSpeed }),
      },
    });
    print({ id: campaign.id }, () => `Created campaign ${campaign.id} (${campaign.name}), state ${campaign.state}.`);
    return 0;
  }
  const id = requireId(rest[0], 'campaign ID');
  switch (sub) {
    case 'start': {
      await core.start();
      const campaign = await call(core, 'campaigns.start', { id });
      if (flags.wait) {
        await waitForCampaign(core, id);
        await drainLateEvents(core);
        const final = await call(core, 'campaigns.progress', { id });
        print(statusJson(final), () => statusText(final));
        return final.state === 'completed' || final.watching ? 0 : 1;
      }
      print({ id: campaign.id, state: campaign.state }, () => `Campaign ${campaign.id} is ${campaign.state}.`);
      return 0;
    }
    case 'pause':
    case 'resume':
    case 'cancel': {
      const campaign = await call(core, `campaigns.${sub}`, { id });
      print({ id: campaign.id, state: campaign.state }, () => `Campaign ${campaign.id} is ${campaign.state}.`);
      return 0;
    }
    case 'status': {
      const progress = await call(core, 'campaigns.progress', { id });
      print(statusJson(progress), () => statusText(progress));
      return 0;
    }
    case 'write-back': {
      const { files } = await call(core, 'campaigns.writeBack', {
        id,
        path: flags.file === undefined ? undefined : resolve(flags.file),
      });
      print(
        {
          id,
          files: files.map((f) => ({
            list_id: f.listId,
            file: f.path,
            updated: f.updated,
            unchanged: f.unchanged,
            unmatched: f.unmatched,
          })),
        },
        () =>
          files
            .map(
              (f) =>
                `${f.path}: ${f.updated} rows updated, ${f.unchanged} already up to date, ${f.unmatched} without an outcome.`,
            )
            .join('\n'),
      );
      return 0;
    }
    default:
      throw new CliError(
        `Unknown command "campaign ${sub ?? ''}". Try: create, start, pause, resume, cancel, status, write-back.`,
      );
  }
}

type Progress = ApiOutput<'campaigns.progress'>;

function presetSettings(name: string): Partial<CampaignSettings> {
  const key = name.replace(/-/g, '_');
  if (!(key in CAMPAIGN_PRESETS))
    throw new CliError(
      `Unknown preset "${name}". Presets: ${Object.keys(CAMPAIGN_PRESETS)
        .map((k) => k.replace(/_/g, '-'))
        .join(', ')}.`,
    );
  const { settings } = CAMPAIGN_PRESETS[key as CampaignPreset];
  return { ...settings, retryDelaysMs: [...settings.retryDelaysMs] };
}

function statusJson(p: Progress) {
  return {
    id: p.campaignId,
    state: p.state,
    state_reason: p.stateReason,
    total: p.total,
    by_status: p.byCallStatus,
    by_result: p.byResult,
    by_outcome: p.byOutcome,
    by_contact_state: p.byContactState,
    waiting: p.byWaitReason,
    watching: p.watching,
    next_due_at: p.nextDueAt ? new Date(p.nextDueAt).toISOString() : null,
  };
}

function statusText(p: Progress): string {
  const fmt = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '—';
  return [
    `Campaign ${p.campaignId}: ${p.watching ? 'watching its sheet for new rows' : p.state}${p.stateReason ? ` (${p.stateReason})` : ''}, ${p.total} contacts`,
    `  contacts: ${fmt(p.byContactState)}`,
    `  calls:    ${fmt(p.byCallStatus)}`,
    `  results:  ${fmt(p.byResult)}`,
    `  outcomes: ${fmt(p.byOutcome)}`,
  ].join('\n');
}

/**
 * A campaign is done when its calls end, but the analysis (summary, full transcript, outcome) arrives seconds later
 * (Retell call_analyzed, Bolna completed, the simulator's call.analyzed). Before the CLI closes the core, the
 * in-process simulator finishes its deliveries and the webhook server applies everything it has received.
 */
async function drainLateEvents(core: Core): Promise<void> {
  const simulator = core.providers.find('simulator');
  if (simulator instanceof SimulatorProvider) await simulator.settled();
  while (core.webhooks.backlog > 0) await new Promise((r) => setTimeout(r, 20));
}

function waitForCampaign(core: Core, id: number): Promise<Progress> {
  return new Promise((resolveWait, reject) => {
    const check = async () => {
      try {
        const progress = await call(core, 'campaigns.progress', { id });
        // A watching campaign has called everything there is; it goes on watching after the CLI exits its wait.
        if (['completed', 'cancelled', 'paused'].includes(progress.state) || progress.watching)
          return resolveWait(progress);
        setTimeout(check, 250);
      } catch (err) {
        reject(err);
      }
    };
    void check();
  });
}

async function callsList(core: Core, flags: Flags, print: Print): Promise<number> {
  const calls = await call(core, 'calls.list', {
    campaignId: intFlag(flags.campaign, 'campaign'),
    limit: 5000,
  });
  const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);
  const rows = calls.map((c) => ({
    id: c.id,
    contact_id: c.contactId,
    phone: c.phone,
    attempt: c.attempt,
    status: c.status,
    result: c.result,
    outcome: c.outcome,
    provider_call_id: c.providerCallId,
    started_at: iso(c.startedAt),
    ended_at: iso(c.endedAt),
  }));
  print(rows, () =>
    rows.length
      ? rows
          .map((r) =>
            [r.id, r.phone, `#${r.attempt}`, r.status, r.result ?? '', r.outcome ?? '', r.ended_at ?? ''].join('\t'),
          )
          .join('\n')
      : 'No calls.',
  );
  return 0;
}

async function exportCommand(core: Core, flags: Flags, print: Print): Promise<number> {
  const format = flags.format ?? 'csv';
  if (format !== 'csv' && format !== 'xlsx') throw new CliError(`--format must be csv or xlsx, got "${format}".`);
  if (!flags.out) throw new CliError('export needs --out FILE.');
  const campaignId = intFlag(flags.campaign, 'campaign');
  const listId = intFlag(flags.list?.[0], 'list');
  if ((campaignId === undefined) === (listId === undefined))
    throw new CliError('export needs exactly one of --campaign ID or --list ID.');
  const out = resolve(flags.out);
  const result = await core.contacts.exportToFile({ campaignId, listId, format, path: out });
  print({ file: out, rows: result.rows }, () => `Wrote ${result.rows} rows to ${out}.`);
  return 0;
}

async function searchCommand(core: Core, query: string, print: Print): Promise<number> {
  if (!query.trim()) throw new CliError('Usage: search QUERY');
  const hits = await call(core, 'transcripts.search', { query, limit: 50 });
  print(
    hits.map((h) => ({
      call_id: h.callId,
      contact: h.contactName,
      phone: h.phone,
      ended_at: h.endedAt ? new Date(h.endedAt).toISOString() : null,
      snippet: h.snippet,
    })),
    () =>
      hits.length
        ? hits
            .map((h) => `#${h.callId} ${h.contactName ?? ''} ${h.phone}\n    ${h.snippet.replace(/\[\[|\]\]/g, '*')}`)
            .join('\n')
        : `No transcript matches "${query}".`,
  );
  return 0;
}

async function maintenanceCommand(
  core: Core,
  command: 'backup' | 'restore' | 'wipe',
  file: string | undefined,
  flags: Flags,
  print: Print,
): Promise<number> {
  if (command === 'backup') {
    const info = await call(core, 'maintenance.backup', { path: flags.out ?? null });
    print(
      { path: info.path, bytes: info.bytes, schema_version: info.schemaVersion },
      () => `Backup written to ${info.path} (${info.bytes} bytes).`,
    );
    return 0;
  }
  if (command === 'restore') {
    if (!file) throw new CliError('Usage: restore FILE');
    const r = await call(core, 'maintenance.restore', { path: resolve(file) });
    print(
      { restored: resolve(file), schema_version: r.schemaVersion, safety_backup: r.safetyBackup.path },
      () => `Restored ${resolve(file)}. The data it replaced is in ${r.safetyBackup.path}.`,
    );
    return 0;
  }
  const r = await call(core, 'maintenance.wipe', {
    confirm: flags.confirm ?? '',
    includeSettings: flags['include-settings'] ?? false,
  });
  print(
    { tables_cleared: r.tablesCleared, safety_backup: r.safetyBackup.path },
    () => `Wiped ${r.tablesCleared} tables. A backup is in ${r.safetyBackup.path}.`,
  );
  return 0;
}

async function serve(core: Core, io: Io): Promise<number> {
  await core.start();
  io.out(
    `Console core running (data: ${core.dataDir}). Webhooks: ${core.webhooks.localUrl ?? 'not listening'}. Ctrl+C to stop.`,
  );
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await core.close();
  return 0;
}

const isEntry = process.argv[1] && /cli\.(js|ts)$/.test(process.argv[1]);
if (isEntry) {
  runCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
  }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
