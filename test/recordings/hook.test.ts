import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness, seedRecord, type TestCore } from './harness';

// The intake over real HTTP: POST /hooks/zapier/<secret> on the webhook server, and the monitoring routes under
// /hooks/monitor/<secret>/ (health, stats, one processed record) in the shapes their scripts read.

let h: Harness;
beforeEach(async () => {
  h = new Harness();
  await h.start();
});
afterEach(async () => {
  await h.stop();
});

async function post(
  url: string,
  body: string,
  method = 'POST',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function serving(): Promise<TestCore> {
  const core = await h.core();
  await core.webhooks.start();
  return core;
}

describe('POST /hooks/zapier/<secret>', () => {
  it('answers at once, processes in the background, acknowledges a repeat, and counts it all on …/stats', async () => {
    const core = await serving();
    const url = core.webhooks.hookUrl('zapier');
    expect((await core.api['recordings.settings.get']({})).zapierHookUrl).toBe(url);
    const body = JSON.stringify(seedRecord({ recording_url: h.exotel.recordingUrl('CA1234567890abcdef') }));

    const first = await post(url, body);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      success: true,
      message: 'Call queued for processing',
      call_id: 'CA1234567890abcdef',
    });
    const repeat = await post(url, body);
    expect(repeat).toMatchObject({ status: 200, json: { success: true, duplicate: true } });

    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'posted');
    expect(h.slack.channel).toHaveLength(1);
    const monitor = core.webhooks.hookUrl('monitor');
    const stats = (await (await fetch(`${monitor}/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ total_processed: 1, successfully_posted: 1, failed: 0, pending: 0, duplicates: 1 });

    const health = await fetch(`${monitor}/health`);
    expect(health.status).toBe(200);
    const healthBody = (await health.json()) as Record<string, unknown>;
    expect(healthBody).toMatchObject({
      status: 'healthy',
      timestamp: new Date(core.platform.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      database: 'connected',
      stats: { total_processed: 1, successfully_posted: 1, failed: 0 },
      services: { transcription: 'enabled', slack: 'enabled' },
    });
    expect(healthBody.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Object.keys(healthBody)).toEqual(['status', 'timestamp', 'database', 'stats', 'services', 'webhooks']);

    const record = await fetch(`${monitor}/call/CA1234567890abcdef`);
    expect(record.status).toBe(200);
    const recordBody = (await record.json()) as Record<string, unknown>;
    expect(recordBody).toMatchObject({
      call_id: 'CA1234567890abcdef',
      from_number: seedRecord().from_number,
      to_number: seedRecord().to_number,
      duration: seedRecord().duration,
      timestamp: seedRecord().timestamp,
      processed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      transcription_text: expect.stringContaining(':'),
      slack_posted: true,
      status: 'completed',
    });
    const unknown = await fetch(`${monitor}/call/CA-nobody`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not_found', message: 'No processed call with call_id CA-nobody' });

    // Nothing outside the secret prefix answers, and a wrong secret is refused.
    for (const path of ['/stats', '/health', '/call/CA1234567890abcdef'])
      expect((await fetch(`${core.webhooks.localUrl}${path}`)).status).toBe(404);
    expect((await fetch(`${monitor.replace(/[^/]+$/, 'wrong-secret')}/health`)).status).toBe(401);
    expect((await fetch(`${monitor}/stats`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('refuses a wrong secret (401), a body that is not JSON or not a call record (400), and GET (405), storing nothing', async () => {
    const core = await serving();
    const url = core.webhooks.hookUrl('zapier');
    const body = JSON.stringify(seedRecord());
    expect((await post(url.replace(/[^/]+$/, 'wrong-secret'), body)).status).toBe(401);
    const notJson = await post(url, '{"call_id": "CA1",');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatch(/not valid JSON/);
    const invalid = await post(url, JSON.stringify(seedRecord({ from_number: '', recording_url: undefined })));
    expect(invalid.status).toBe(400);
    expect(invalid.json.error).toBe('Invalid call record: from_number: must not be empty; recording_url: is required');
    expect((await post(url, '', 'GET')).status).toBe(405);
    expect(core.recordings.stats().processed).toBe(0);
  });

  it('with a public URL, asks AssemblyAI to call back and fetches the transcript as soon as it does', async () => {
    const core = await serving();
    core.webhooks.setPublicUrl(core.webhooks.localUrl);
    h.ai.hold = true;
    core.recordings.receive(seedRecord({ recording_url: h.exotel.recordingUrl('CA1234567890abcdef') }));
    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'transcribing');
    const [submission] = h.ai.submissions();
    expect(JSON.parse(submission.body.toString('utf8')).webhook_url).toBe(core.webhooks.hookUrl('assemblyai'));

    h.ai.hold = false;
    h.ai.processingPolls = 0;
    const polls = h.ai.requests.filter((r) => r.method === 'GET').length;
    // The clock does not move: only the callback can make the job look again before its next scheduled poll.
    expect(await h.ai.notify('tr-1')).toBe(200);
    await core.recordings.idle();
    expect(h.state(core, 'CA1234567890abcdef')).toBe('posted');
    expect(h.ai.requests.filter((r) => r.method === 'GET')).toHaveLength(polls + 1);
    expect(h.slack.channel).toHaveLength(1);
    expect((await post(core.webhooks.hookUrl('assemblyai'), '{"nope": 1}')).status).toBe(400);
  });
});
