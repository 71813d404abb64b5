import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExotelFake, type ExotelEncoding } from '../fakes/exotel';
import { seedList } from '../engine/support';
import { waitUntil } from '../support/wait';
import { CoreHarness } from './harness';

// Exotel's basic StatusCallback (CallSid, Status, RecordingUrl, DateUpdated; what Exotel posts when no events are
// subscribed, multipart/form-data unless asked otherwise) through the real webhook server, in all three encodings.
// Its `completed` carries no duration, so it is confirmed through the call details before it becomes a result, and
// a fuller callback that comes later may still correct it.

const CONTENT_TYPE: Record<ExotelEncoding, string> = {
  json: 'application/json',
  urlencoded: 'application/x-www-form-urlencoded',
  multipart: 'multipart/form-data',
};

let h: CoreHarness;
let fake: ExotelFake;
beforeEach(async () => {
  h = new CoreHarness();
  await h.start();
  fake = new ExotelFake('acme1', 'exo-key', 'exo-token');
  await fake.start();
  await h.core.api['providers.update']({
    provider: 'exotel',
    settings: {
      baseUrl: fake.baseUrl,
      accountSid: 'acme1',
      callerId: '08047112345',
      flowUrl: 'http://my.exotel.com/acme1/exoml/start_voice/926',
    },
    keys: { apiKey: 'exo-key', apiToken: 'exo-token' },
  });
});
afterEach(async () => {
  await fake.close();
  await h.close();
});

async function placeCalls(phones: string[]) {
  const { listId } = seedList(
    h.core.db,
    'Exotel list',
    phones.map((phone, i) => ({ name: `Customer ${i}`, phone })),
  );
  const c = await h.core.api['campaigns.create']({
    name: 'Exotel basic',
    listIds: [listId],
    provider: 'exotel',
    voiceAgentId: null,
    settings: { ignoreWindow: true, maxAttempts: 1, concurrency: 10 },
    startAt: null,
  });
  await h.core.api['campaigns.start']({ id: c.id });
  await h.core.dialer.tick();
  await waitUntil(async () => (await h.calls()).filter((call) => call.providerCallId).length === phones.length, {
    what: 'the calls to be placed',
  });
  return Object.fromEntries((await h.calls()).map((call) => [call.phone, call.providerCallId as string]));
}

/** Whether a person talked, as the dialer's retry rules read it. */
function conversation(phone: string): number {
  return (h.core.db.prepare('SELECT conversation FROM calls WHERE phone = ?').get(phone) as { conversation: number })
    .conversation;
}

/** Runs the clock until the confirmation step due now has asked Exotel and its answer was applied. */
async function advanceConfirmation(ms: number, sids: string[]) {
  const asked = () =>
    fake.requestsTo('GET', /\/Calls\/[^/]+\.json$/).filter((r) => sids.some((s) => r.path.includes(s)));
  const before = asked().length;
  h.clock.advance(ms);
  await waitUntil(() => asked().length >= before + sids.length, { what: 'the call details to be asked' });
  await h.settle();
}

describe('Exotel basic status callbacks', () => {
  it('accepts JSON, urlencoded and multipart bodies; completed waits for the call details, busy ends at once', async () => {
    const phones = { json: '+919876500001', urlencoded: '+919876500002', multipart: '+919876500003' };
    const sids = await placeCalls([...Object.values(phones), '+919876500004']);
    const talked = { json: 61, urlencoded: 0, multipart: 45 };
    for (const encoding of ['json', 'urlencoded', 'multipart'] as const) {
      const sid = sids[phones[encoding]];
      fake.useContentType(sid, CONTENT_TYPE[encoding]);
      const res = await fake.basicCallback(sid, 'completed', talked[encoding]);
      expect(res.status, encoding).toBe(200);
      if (encoding === 'multipart') expect(res.payload).toContain('Content-Disposition: form-data; name="CallSid"');
    }
    // Busy needs no confirmation (the default multipart body).
    expect((await fake.basicCallback(sids['+919876500004'], 'busy')).status).toBe(200);
    await h.settle();
    expect(await h.callTo('+919876500004')).toMatchObject({ status: 'ended', result: 'busy' });

    // A completed without duration is recorded but is no result yet.
    for (const phone of Object.values(phones)) {
      const { call, events } = await h.detail(phone);
      expect(call.status, phone).not.toBe('ended');
      expect(events.map((e) => `${e.kind}:${e.disposition}`)).toContain('basic:completed:applied');
    }
    expect((await h.callTo(phones.multipart)).recordingUrl).toContain(sids[phones.multipart]);

    // Exotel has not settled the duration yet: asking changes nothing.
    const completedSids = Object.values(phones).map((p) => sids[p]);
    await advanceConfirmation(2_000, completedSids);
    for (const phone of Object.values(phones)) expect((await h.callTo(phone)).status).not.toBe('ended');

    // Once settled, the details decide: talk time → completed with a conversation, none → no_answer.
    for (const sid of completedSids) fake.settle(sid);
    await advanceConfirmation(10_000, completedSids);
    expect(await h.callTo(phones.json)).toMatchObject({ status: 'ended', result: 'completed', durationS: 61 });
    expect(await h.callTo(phones.multipart)).toMatchObject({ status: 'ended', result: 'completed', durationS: 45 });
    expect(await h.callTo(phones.urlencoded)).toMatchObject({ status: 'ended', result: 'no_answer' });
    expect(conversation(phones.json)).toBe(1);
    expect(conversation(phones.urlencoded)).toBe(0);
  });

  it('a later, fuller callback corrects a completed the details reported without talk time', async () => {
    const sids = await placeCalls(['+919876500009']);
    const sid = sids['+919876500009'];
    fake.useContentType(sid, 'multipart/form-data');
    await fake.basicCallback(sid, 'completed', 0);
    fake.settle(sid);
    await advanceConfirmation(2_000, [sid]);
    expect(await h.callTo('+919876500009')).toMatchObject({ status: 'ended', result: 'no_answer' });

    fake.useContentType(sid, 'application/json');
    expect((await fake.callback(sid, 'terminal', 'completed', 52)).status).toBe(200);
    await h.settle();
    const { call, events } = await h.detail('+919876500009');
    expect(call).toMatchObject({ status: 'ended', result: 'completed', durationS: 52 });
    expect(conversation('+919876500009')).toBe(1);
    expect(events.map((e) => `${e.kind}:${e.disposition}`)).toEqual(
      expect.arrayContaining(['basic:completed:applied', 'terminal:completed:enriched']),
    );
  });

  it('refuses a multipart body without CallSid, and one that is not multipart at all, storing nothing', async () => {
    const url = h.core.webhooks.hookUrl('exotel');
    const form = new FormData();
    form.append('Status', 'completed');
    const noSid = new Request(url, { method: 'POST', body: form });
    expect((await fetch(noSid)).status).toBe(400);
    const broken = await fetch(url, {
      method: 'POST',
      body: 'CallSid=abc&Status=completed',
      headers: { 'content-type': 'multipart/form-data; boundary=----nothing' },
    });
    expect(broken.status).toBe(400);
    expect(h.core.webhooks.health().inbox).toEqual({});
  });
});
