import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExotelRecordingFake } from '../fakes/exotel-recording';
import { AAI_KEY, call, Harness, seedRecord, SUPPORT_NUMBER, type TestCore } from './harness';

// A posted record whose recording_url carries credentials (http://key:token@host/…): the credentials go to that
// host as an Authorization header, only when the host is allowed to receive credentials, and the URL with them
// appears nowhere: not in the database, the logs, the API, the Slack message or AssemblyAI's requests.

const URL_KEY = 'urlkey-Q7ZK';
const URL_TOKEN = 'urltoken-W3XV';

let h: Harness;
let owner: ExotelRecordingFake;
beforeEach(async () => {
  h = new Harness();
  await h.start();
  owner = new ExotelRecordingFake(URL_KEY, URL_TOKEN);
  await owner.start();
});
afterEach(async () => {
  await owner.close();
  await h.stop();
});

/** A core with AssemblyAI and Slack set up but no Exotel key: only the URL's own credentials can open the file. */
async function coreAllowing(hosts: string[]): Promise<TestCore> {
  const core = await h.core(undefined, false);
  await call(core, 'recordings.settings.set', {
    supportNumber: SUPPORT_NUMBER,
    assemblyaiBaseUrl: h.ai.baseUrl,
    exotelAuthHosts: hosts,
    slackWebhookUrl: h.slack.webhookUrl,
    assemblyaiKey: AAI_KEY,
  });
  return core;
}

function withCredentials(url: string, host = '127.0.0.1'): string {
  const parsed = new URL(url);
  parsed.username = URL_KEY;
  parsed.password = URL_TOKEN;
  parsed.hostname = host;
  return parsed.href;
}

/** Every place the credentials could have been written to or answered with. */
async function everywhere(core: TestCore, jobId: number): Promise<string> {
  const tables = ['recording_jobs', 'calls', 'call_events', 'activity_log', 'webhook_inbox'];
  const rows = tables.map((t) => JSON.stringify(core.db.prepare(`SELECT * FROM ${t}`).all()));
  const logs = readdirSync(join(core.dataDir, 'logs')).map((f) => readFileSync(join(core.dataDir, 'logs', f), 'utf8'));
  const api = [
    await call(core, 'recordings.list', { limit: 10 }),
    await call(core, 'recordings.get', { id: jobId }),
    await call(core, 'logs.list', { limit: 500 }),
  ];
  const outside = [
    ...h.slack.channel,
    ...h.ai.requests.map((r) => ({ path: r.path, headers: r.headers, body: r.body.toString('utf8') })),
  ];
  return [...rows, ...logs, JSON.stringify(api), JSON.stringify(outside)].join('\n');
}

describe('recording URLs with credentials', () => {
  it('downloads with the URL credentials as an Authorization header and keeps them out of every store and answer', async () => {
    const core = await coreAllowing(['127.0.0.1']);
    const url = withCredentials(owner.recordingUrl('CAcred0001'));
    expect(core.recordings.receive(seedRecord({ call_id: 'CAcred0001', recording_url: url })).status).toBe(200);
    await h.until(core, () => h.state(core, 'CAcred0001') === 'posted');

    const downloads = owner.requests.filter((r) => r.method === 'GET');
    expect(downloads).toHaveLength(1);
    expect(downloads[0].headers.authorization).toBe(
      `Basic ${Buffer.from(`${URL_KEY}:${URL_TOKEN}`).toString('base64')}`,
    );
    const job = (await call(core, 'recordings.list', { limit: 10 }))[0];
    const opened = await call(core, 'calls.get', { id: job.callId! });
    expect(opened.call.recordingUrl).toBe(owner.recordingUrl('CAcred0001'));

    const seen = (await everywhere(core, job.id)) + JSON.stringify(opened);
    expect(seen).not.toContain(URL_KEY);
    expect(seen).not.toContain(URL_TOKEN);
  });

  it('never sends them to a host not allowed to receive credentials, and says which host to allow', async () => {
    const core = await coreAllowing(['exotel.com']);
    const url = withCredentials(owner.recordingUrl('CAcred0002'));
    expect(core.recordings.receive(seedRecord({ call_id: 'CAcred0002', recording_url: url })).status).toBe(200);
    await h.until(core, () => h.state(core, 'CAcred0002') === 'failed');

    expect(owner.requests.filter((r) => r.headers.authorization)).toEqual([]);
    expect(h.ai.submissions()).toEqual([]);
    const job = (await call(core, 'recordings.list', { limit: 10 }))[0];
    expect(job.error).toContain('127.0.0.1');
    expect(job.error).toMatch(/allowed to receive/);
    const seen = await everywhere(core, job.id);
    expect(seen).not.toContain(URL_KEY);
    expect(seen).not.toContain(URL_TOKEN);

    // Allowing the host and retrying downloads it with the same credentials, still kept out of sight.
    await call(core, 'recordings.settings.set', { exotelAuthHosts: ['127.0.0.1'] });
    await call(core, 'recordings.retry', { id: job.id });
    await h.until(core, () => h.state(core, 'CAcred0002') === 'posted');
    expect(owner.requests.filter((r) => r.headers.authorization)).toHaveLength(1);
    const after = await everywhere(core, job.id);
    expect(after).not.toContain(URL_KEY);
    expect(after).not.toContain(URL_TOKEN);
  });
});
