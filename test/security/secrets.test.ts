import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as XLSX from '@e965/xlsx';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/bindings/dispatch';
import type { ApiInput, ApiOutput, MethodName } from '../../src/shared/contract';
import { AssemblyAiFake } from '../fakes/assemblyai';
import { ExotelRecordingFake } from '../fakes/exotel-recording';
import { SlackFake } from '../fakes/slack';
import { seedRecord } from '../recordings/harness';
import { serviceAccountKey } from '../sources/harness';
import { ManualClock } from '../support/clock';
import { createTestCore, tempDir } from '../support/core';
import { advanceUntil, sleep } from '../support/wait';

// Every key the console stores, planted as a distinctive marker through the API, then a campaign, a recording job,
// a backup and exports; afterwards no marker may appear in the data folder (database, WAL, logs, backups), the
// exported files, any API answer or the built renderer. The secret store keeps ciphertext only.

const MARKERS = {
  bolnaKey: 'MARKER-bolna-key-7f3a91c2',
  retellKey: 'MARKER-retell-key-2b8e40d7',
  exotelKey: 'MARKER-exotel-key-5c1f62a9',
  exotelToken: 'MARKER-exotel-token-9d4e17b3',
  twilioToken: 'MARKER-twilio-token-0a6c58e4',
  assemblyaiKey: 'MARKER-aai-key-3e7b29f6',
  slackHookPath: 'MARKER-slack-hook-4d1c86b0',
};

/** The test service-account key; a line of its private key body is the marker (the PEM itself must stay valid). */
function serviceAccount(): { json: string; marker: string } {
  const { json } = serviceAccountKey();
  const { private_key: pem } = JSON.parse(json) as { private_key: string };
  const body = pem.split('\n').filter((line) => line && !line.startsWith('-----'));
  return { json, marker: body[5] };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('secrets', () => {
  it('no planted key appears in the data folder, backups, exports, API answers or the renderer', async () => {
    const google = serviceAccount();
    const markers = { ...MARKERS, googlePrivateKey: google.marker };

    const exotel = new ExotelRecordingFake(markers.exotelKey, markers.exotelToken);
    const ai = new AssemblyAiFake(markers.assemblyaiKey);
    const slack = new SlackFake(`/services/T0000/B0000/${markers.slackHookPath}`);
    await Promise.all([exotel.start(), ai.start(), slack.start()]);
    cleanups.push(() => Promise.all([exotel.close(), ai.close(), slack.close()]).then(() => undefined));

    const clock = new ManualClock(Date.UTC(2026, 4, 19, 6, 0, 0));
    const data = tempDir('secrets-test-');
    cleanups.push(data.cleanup);
    const core = createTestCore({ clock, dataDir: data.dir });
    cleanups.push(() => core.close().catch(() => undefined));

    const answers: string[] = [];
    const call = async <K extends MethodName>(method: K, input: ApiInput<K>): Promise<ApiOutput<K>> => {
      const result = await dispatch(core.api, method, input, core.platform.logger);
      answers.push(JSON.stringify(result));
      if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`);
      return result.value as ApiOutput<K>;
    };

    await core.start();

    // Every key field the console stores.
    await call('providers.update', { provider: 'bolna', settings: {}, keys: { apiKey: markers.bolnaKey } });
    await call('providers.update', { provider: 'retell', settings: {}, keys: { apiKey: markers.retellKey } });
    await call('providers.update', {
      provider: 'exotel',
      settings: {},
      keys: { apiKey: markers.exotelKey, apiToken: markers.exotelToken },
    });
    await call('providers.update', {
      provider: 'bolna_twilio',
      settings: {},
      keys: { twilioAuthToken: markers.twilioToken },
    });
    await call('recordings.settings.set', {
      supportNumber: '09631084471',
      assemblyaiBaseUrl: ai.baseUrl,
      exotelAuthHosts: ['127.0.0.1'],
      slackWebhookUrl: slack.webhookUrl,
      assemblyaiKey: markers.assemblyaiKey,
      // The recordings door sets the same Exotel credential the provider uses (one key pair per account).
      exotelApiKey: markers.exotelKey,
      exotelApiToken: markers.exotelToken,
    });
    await call('sources.google.addServiceAccount', { fileName: 'service-account.json', content: google.json });

    // A simulator campaign to the end.
    const contacts = Array.from({ length: 6 }, (_, i) => ({
      name: `Secret Test ${i}`,
      phone: `+1415558${String(i).padStart(4, '0')}`,
      variables: { order_id: `ORD-${i}` },
    }));
    const { listId } = await call('contacts.add', { listName: 'Secrets', contacts });
    const campaign = await call('campaigns.create', {
      name: 'Secrets run',
      listIds: [listId],
      provider: 'simulator',
      voiceAgentId: null,
      settings: { ignoreWindow: true, concurrency: 2, simSpeed: 200 },
      startAt: null,
    });
    await call('campaigns.start', { id: campaign.id });
    await advanceUntil(clock, () => core.dialer.campaigns.get(campaign.id).state === 'completed', {
      stepMs: 5_000,
      maxMs: 3_600_000,
      settle: () => sleep(20),
      what: 'the campaign to complete',
    });

    const placed = await call('calls.list', { limit: 100 });
    expect(placed.filter((c) => c.status === 'ended').length).toBeGreaterThanOrEqual(contacts.length);

    // A recording job through Exotel, AssemblyAI and Slack.
    core.recordings.start();
    const receipt = core.recordings.receive(
      seedRecord({ call_id: 'CAsecrets0001', recording_url: exotel.recordingUrl('CAsecrets0001') }),
    );
    expect(receipt.status).toBe(200);
    answers.push(JSON.stringify(receipt.body));
    const posted = () =>
      core.recordings.list(undefined, 10).find((j) => j.externalId === 'CAsecrets0001')?.state === 'posted';
    await advanceUntil(clock, posted, {
      stepMs: 30_000,
      settle: () => core.recordings.idle(),
      what: 'the recording job to be posted',
    });
    // The keys really were used: the test would be hollow if nothing had read them.
    const basic = `Basic ${Buffer.from(`${markers.exotelKey}:${markers.exotelToken}`).toString('base64')}`;
    expect(exotel.requests.some((r) => r.headers.authorization === basic)).toBe(true);
    expect(ai.requests.every((r) => r.headers.authorization === markers.assemblyaiKey)).toBe(true);
    expect(slack.channel).toHaveLength(1);

    // A backup, exports, and the read side of every area.
    const backup = await call('maintenance.backup', { path: null });
    const exports = [
      await call('exports.create', { scope: { listId }, format: 'csv' }),
      await call('exports.create', { scope: { listId }, format: 'xlsx' }),
      await call('exports.create', { scope: { campaignId: campaign.id }, format: 'csv' }),
      await call('exports.create', { scope: { campaignId: campaign.id }, format: 'xlsx' }),
    ];
    const [job] = await call('recordings.list', { limit: 10 });
    await call('recordings.get', { id: job.id });
    await call('recordings.settings.get', {});
    await call('recordings.stats', {});
    await call('providers.list', {});
    await call('sources.google.credentials', {});
    await call('campaigns.get', { id: campaign.id });
    await call('campaigns.list', {});
    await call('logs.list', { limit: 1000 });
    await call('maintenance.backups', {});
    await call('app.info', {});
    await call('tunnel.status', {});
    // The WAL is checkpointed away on close: read the folder while it is still there too.
    const places: { where: string; text: string }[] = [];
    const wal = join(core.dataDir, 'console.db-wal');
    expect(existsSync(wal)).toBe(true);
    for (const file of filesUnder(core.dataDir))
      places.push({ where: `${file} (open)`, text: readFileSync(file).toString('latin1') });
    await core.close();

    const dataFiles = filesUnder(core.dataDir);
    expect(dataFiles).toContain(join(core.dataDir, 'console.db'));
    expect(dataFiles).toContain(backup.path);
    expect(dataFiles.some((f) => f.includes(`${join(core.dataDir, 'logs')}`))).toBe(true);
    for (const file of dataFiles) places.push({ where: file, text: readFileSync(file).toString('latin1') });
    for (const file of exports) {
      const bytes = Buffer.from(file.dataBase64, 'base64');
      places.push({ where: `export ${file.fileName}`, text: bytes.toString('latin1') });
      if (file.fileName.endsWith('.xlsx')) {
        // The workbook is zipped: look at its cells too.
        const wb = XLSX.read(bytes, { type: 'buffer' });
        const cells = wb.SheetNames.map((n) => XLSX.utils.sheet_to_csv(wb.Sheets[n])).join('\n');
        expect(cells).toContain('Secret Test 0');
        places.push({ where: `cells of ${file.fileName}`, text: cells });
      }
    }
    answers.forEach((text, i) => places.push({ where: `API answer ${i}`, text }));
    const renderer = fileURLToPath(new URL('../../out/renderer', import.meta.url));
    for (const file of filesUnder(renderer)) places.push({ where: file, text: readFileSync(file).toString('latin1') });

    const found = places.flatMap(({ where, text }) =>
      Object.entries(markers)
        .filter(([, marker]) => text.includes(marker))
        .map(([name]) => `${name} in ${where}`),
    );
    expect(found).toEqual([]);
  });
});
