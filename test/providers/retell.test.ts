import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RetellProvider,
  retellResult,
  retellSignature,
  verifyRetellSignature,
} from '../../src/main/core/providers/retell';
import { fixture } from '../fakes/http-fake';
import { RetellFake } from '../fakes/retell';
import { ManualClock } from '../support/clock';
import { placeCallRequest, Receiver, webhookRequest } from './receiver';

const KEY = 'key_retell_test_0001';

describe('Retell signature', () => {
  it('matches the SDK test vector', () => {
    expect(retellSignature('{"event":"call_ended"}', 'test-api-key', 1700000000000)).toBe(
      'v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e',
    );
    const header = 'v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e';
    expect(
      verifyRetellSignature(Buffer.from('{"event":"call_ended"}'), 'test-api-key', header, 1700000000000 + 299_000),
    ).toBe(true);
  });

  it('refuses a wrong key, an altered body, a stale or future timestamp and a malformed header', () => {
    const body = Buffer.from('{"event":"call_ended"}');
    const ts = 1700000000000;
    const header = retellSignature(body, 'test-api-key', ts);
    expect(verifyRetellSignature(body, 'other-key', header, ts)).toBe(false);
    expect(verifyRetellSignature(Buffer.from('{"event":"call_ended" }'), 'test-api-key', header, ts)).toBe(false);
    expect(verifyRetellSignature(body, 'test-api-key', header, ts + 300_001)).toBe(false);
    expect(verifyRetellSignature(body, 'test-api-key', header, ts - 300_001)).toBe(false);
    expect(verifyRetellSignature(body, 'test-api-key', header.toUpperCase(), ts)).toBe(false);
    expect(verifyRetellSignature(body, 'test-api-key', undefined, ts)).toBe(false);
  });
});

describe('Retell against its fake', () => {
  const clock = new ManualClock();
  let fake: RetellFake;
  let receiver: Receiver;
  let provider: RetellProvider;
  const humanAgents = { availableHumanAgent: () => ({ id: 3, name: 'Sam', phone: '+14155550199' }) };

  beforeEach(async () => {
    fake = new RetellFake(KEY, () => clock.now());
    const baseUrl = await fake.start();
    provider = new RetellProvider({
      apiKey: KEY,
      baseUrl,
      fromNumber: '+14157774444',
      voiceAgentId: 'agent_x',
      timeoutMs: 2000,
      now: () => clock.now(),
      humanAgents,
    });
    receiver = new Receiver(() => provider);
    fake.webhookUrl = await receiver.start();
  });
  afterEach(async () => {
    await fake.close();
    await receiver.close();
  });

  const place = (callId: number, to: string) =>
    provider.placeCall(
      placeCallRequest(callId, { to, webhookUrl: receiver.url, variables: { appointment_day: 'Friday' } }),
    );

  it('creates the phone call with string-only dynamic variables, metadata carrying our call id, and the transfer number', async () => {
    const { providerCallId } = await place(42, '+12137774445');
    const [req] = fake.requestsTo('POST', /^\/v2\/create-phone-call$/);
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = JSON.parse(req.body) as Record<string, unknown>;
    expect(body).toEqual({
      from_number: '+14157774444',
      to_number: '+12137774445',
      override_agent_id: 'agent_x',
      retell_llm_dynamic_variables: {
        appointment_day: 'Friday',
        customer_name: 'Asha',
        transfer_number: '+14155550199',
      },
      metadata: { call_id: 42, idempotency_key: 'k42' },
    });
    expect(fake.calls.get(providerCallId as string)?.call.call_status).toBe('registered');
  });

  it('applies a connected call: started, ended, analyzed with summary, sentiment and outcome; signatures verified', async () => {
    const id = (await place(42, '+12137774445')).providerCallId as string;
    await fake.connectedCall(id, {
      call_summary: 'Asha confirmed Friday.',
      user_sentiment: 'Positive',
      call_successful: true,
      in_voicemail: false,
      custom_analysis_data: { outcome: 'Appointment_Scheduled', appointment_date: '2026-05-22' },
    });
    const events = receiver.events;
    expect(receiver.received.every((r) => r.rejected === null)).toBe(true);
    expect(events.map((e) => [e.kind, e.status, e.result])).toEqual([
      ['call_started', 'in_progress', undefined],
      ['call_ended', 'ended', 'completed'],
      ['call_analyzed', 'ended', 'completed'],
    ]);
    expect(events.every((e) => e.callId === 42 && e.providerCallId === id)).toBe(true);
    expect(events[2]).toMatchObject({
      summary: 'Asha confirmed Friday.',
      sentiment: 'Positive',
      outcomeHint: 'appointment_scheduled',
      extracted: { outcome: 'Appointment_Scheduled', appointment_date: '2026-05-22' },
      durationS: 76.522,
      hangupReason: 'user_hangup',
    });
    expect(events[1].transcript?.[0]).toEqual({
      speaker: 'agent',
      text: 'Hi, this is Priya from Acme Clinic. Am I speaking with Asha?',
      atMs: 620,
    });
  });

  it('handles a call that never connects: no call_started, not_connected, no_answer', async () => {
    const id = (await place(43, '+12137774446')).providerCallId as string;
    await fake.unansweredCall(id);
    expect(receiver.events.map((e) => e.kind)).toEqual(['call_ended', 'call_analyzed']);
    expect(receiver.events[0]).toMatchObject({ status: 'ended', result: 'no_answer', conversation: false, callId: 43 });
    expect(receiver.events[0].answeredAt).toBeUndefined();
  });

  it('refuses forged, wrong-key and stale webhooks with 401 and parses none of them', async () => {
    const id = (await place(44, '+12137774447')).providerCallId as string;
    expect((await fake.send(id, 'call_started', {}, { signature: fake.sign('{"other":"body"}') })).status).toBe(401);
    expect((await fake.send(id, 'call_started', {}, { signature: 'v=1,d=abc' })).status).toBe(401);
    const body = JSON.stringify({ event: 'call_ended', call: { call_id: id } });
    const wrongKey = await fetch(fake.webhookUrl, {
      method: 'POST',
      body,
      headers: { 'x-retell-signature': fake.sign(body, 'not-the-key') },
    });
    expect(wrongKey.status).toBe(401);
    const stale = JSON.stringify({ event: 'call_ended', call: { call_id: id } });
    const res = await fetch(fake.webhookUrl, {
      method: 'POST',
      body: stale,
      headers: { 'x-retell-signature': fake.sign(stale, KEY, clock.now() - 301_000) },
    });
    expect(res.status).toBe(401);
    const missing = await fetch(fake.webhookUrl, { method: 'POST', body: stale });
    expect(missing.status).toBe(401);
    expect(receiver.received.filter((r) => r.rejected).map((r) => r.rejected?.reason)).toEqual([
      'bad_signature',
      'bad_signature',
      'bad_signature',
      'bad_signature',
      'bad_signature',
    ]);
  });

  it('reads transfer events and transcript updates', async () => {
    const id = (await place(45, '+12137774448')).providerCallId as string;
    await fake.send(id, 'transcript_updated', { call_status: 'ongoing' });
    await fake.send(id, 'transfer_started', {}, { extra: { transfer_destination: '+14155550199' } });
    await fake.send(id, 'transfer_bridged', { transfer_destination: '+14155550199' });
    const [update, started, bridged] = receiver.events;
    expect(update.transcript).toHaveLength(4);
    expect(update.status).toBeUndefined();
    expect(started).toMatchObject({
      status: 'transferring',
      transfer: { state: 'started', destination: '+14155550199' },
    });
    expect(bridged.transfer).toEqual({ state: 'bridged', destination: '+14155550199' });
  });

  it('gets and stops calls', async () => {
    const id = (await place(46, '+12137774449')).providerCallId as string;
    expect(await provider.getCall(id)).toMatchObject({ status: 'initiated', callId: 46 });
    await provider.cancelCall(id);
    expect(await provider.getCall(id)).toMatchObject({ status: 'ended', result: 'canceled' });
    expect(await provider.getCall('missing')).toBeNull();
    expect(await provider.testConnection()).toMatchObject({ ok: true });
  });
});

describe('Retell fixtures and status table', () => {
  const clock = new ManualClock(1779175900000);
  const provider = new RetellProvider({ apiKey: KEY, now: () => clock.now() });
  const parse = (name: string) => {
    const body = JSON.stringify(fixture(name));
    const req = webhookRequest({ body, headers: { 'x-retell-signature': retellSignature(body, KEY, clock.now()) } });
    provider.verifyWebhook(req);
    return provider.parseWebhook(req)[0];
  };

  it('parses call_started, call_ended and call_analyzed', () => {
    expect(parse('retell-call_started.json')).toMatchObject({
      kind: 'call_started',
      status: 'in_progress',
      answeredAt: 1779175802333,
      callId: null,
    });
    expect(parse('retell-call_ended.json')).toMatchObject({
      status: 'ended',
      result: 'completed',
      conversation: true,
      durationS: 76.522,
      cost: 8.9,
    });
    const analyzed = parse('retell-call_analyzed.json');
    expect(analyzed).toMatchObject({
      sentiment: 'Positive',
      extracted: { appointment_confirmed: true },
      outcomeHint: 'successful',
    });
    expect(analyzed.summary).toMatch(/confirmed/);
    expect(analyzed.dedupeKey).toBe('Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6:call_analyzed');
  });

  it('maps disconnection reasons to results (docs/providers.md)', () => {
    const table: [string, string][] = [
      ['user_hangup', 'completed'],
      ['agent_hangup', 'completed'],
      ['inactivity', 'completed'],
      ['max_duration_reached', 'completed'],
      ['voicemail_reached', 'voicemail'],
      ['dial_no_answer', 'no_answer'],
      ['dial_busy', 'busy'],
      ['call_transfer', 'transferred'],
      ['transfer_bridged', 'transferred'],
      ['dial_failed', 'failed'],
      ['invalid_destination', 'failed'],
      ['telephony_provider_unavailable', 'failed'],
      ['sip_routing_error', 'failed'],
      ['marked_as_spam', 'failed'],
      ['error_llm_websocket_open', 'failed'],
      ['manual_stopped', 'canceled'],
    ];
    for (const [reason, result] of table) expect(retellResult(reason, false).result, reason).toBe(result);
    expect(retellResult('user_hangup', true).result).toBe('voicemail');
  });
});
