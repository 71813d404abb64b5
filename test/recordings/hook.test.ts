import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness, seedRecord, type TestCore } from './harness';

// The intake over real HTTP: POST /hooks/zapier/<secret> on the webhook server, and the counts on GET /stats.

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
  it('answers at once, processes in the background, acknowledges a repeat, and counts it all on GET /stats', async () => {
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
    const stats = (await (await fetch(`${core.webhooks.localUrl}/stats`)).json()) as Record<string, unknown>;
    expect(stats.recordings).toEqual({ processed: 1, posted: 1, failed: 0, pending: 0, duplicates: 1 });
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
