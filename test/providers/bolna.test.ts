import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BolnaProvider, executionToEvent } from '../../src/main/core/providers/bolna';
import { ProviderError } from '../../src/main/core/providers/types';
import { BolnaFake } from '../fakes/bolna';
import { fixture } from '../fakes/http-fake';
import { placeCallRequest, Receiver, webhookRequest } from './receiver';

const AGENT = '123e4567-e89b-12d3-a456-426655440000';
const KEY = 'bn-test-key-0001';

describe('Bolna (hosted) against its fake', () => {
  let fake: BolnaFake;
  let receiver: Receiver;
  let provider: BolnaProvider;
  const humanAgents = { availableHumanAgent: () => ({ id: 7, name: 'Meera', phone: '+919800000007' }) };

  beforeEach(async () => {
    fake = new BolnaFake(KEY, [AGENT]);
    const baseUrl = await fake.start();
    provider = new BolnaProvider({
      apiKey: KEY,
      baseUrl,
      voiceAgentId: AGENT,
      fromNumber: '+918035739222',
      timeoutMs: 2000,
      humanAgents,
    });
    receiver = new Receiver(() => provider);
    await receiver.start();
  });
  afterEach(async () => {
    await fake.close();
    await receiver.close();
  });

  const place = (callId: number, to: string) =>
    provider.placeCall(placeCallRequest(callId, { to, webhookUrl: receiver.url, variables: { order_id: 'ORD1' } }));

  it('sets the agent webhook once, then places calls with our call id and the transfer number in user_data', async () => {
    const a = await place(41, '+919876543210');
    const b = await place(42, '+919812345678');
    expect(a.providerCallId).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.providerCallId).not.toBe(a.providerCallId);
    expect(fake.requestsTo('PATCH', /^\/v2\/agent\//)).toHaveLength(1);
    expect(fake.agentWebhooks.get(AGENT)).toBe(receiver.url);
    const calls = fake.requestsTo('POST', /^\/call$/).map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(calls[0]).toEqual({
      agent_id: AGENT,
      recipient_phone_number: '+919876543210',
      from_phone_number: '+918035739222',
      user_data: { order_id: 'ORD1', customer_name: 'Asha', call_id: '41', transfer_number: '+919800000007' },
    });
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
  });

  it('a POST /call whose answer comes too late may have rung: the error says so, and the execution is found by our call id', async () => {
    fake.placementAnswerDelayMs = 3_000; // the client gives up after 2 s; the fake has already placed the call
    const sentAt = Date.now();
    const lost = await place(41, '+919876543210').catch((err: unknown) => err);
    expect(lost).toBeInstanceOf(ProviderError);
    expect(lost).toMatchObject({ kind: 'unavailable', transient: true, options: { mayHaveReached: true } });
    expect(fake.executions.size).toBe(1);
    const [execution] = [...fake.executions.values()];
    fake.placementAnswerDelayMs = 0;
    await place(42, '+919812345678'); // another attempt's call, also in the listing
    const query = { idempotencyKey: 'k', to: '+919876543210', voiceAgentId: null, sentAt };
    expect(await provider.findPlacement({ ...query, callId: 41 })).toEqual({
      found: true,
      providerCallId: execution.id,
    });
    // Not in the listing: unknown, never "certainly not placed" (a listing may lag).
    expect(await provider.findPlacement({ ...query, callId: 43 })).toEqual({ found: false, certain: false });
    const list = fake.requestsTo('GET', /^\/v2\/agent\/[^/]+\/executions$/);
    expect(list[0].query.get('from')).toBe(new Date(sentAt - 120_000).toISOString());
    // Nothing was sent twice.
    expect(fake.requestsTo('POST', /^\/call$/)).toHaveLength(2);
  });

  it('follows a connected call through every status webhook and matches it by the call id in user_data', async () => {
    const { providerCallId } = await place(41, '+919876543210');
    const id = providerCallId as string;
    for (const status of BolnaFake.CONNECTED_FLOW) expect((await fake.push(id, status)).status).toBe(200);
    const transcript =
      'assistant: Hello, is this Asha?\nuser: Yes.\nassistant: Your order ORD1 ships tomorrow,\nis that fine?\nuser: Confirmed.\n';
    await fake.push(id, 'completed', {
      status: 'completed',
      conversationS: 42.5,
      transcript,
      summary: 'Confirmed the order.',
      extracted: { status: 'Confirmed' },
    });
    const events = receiver.events;
    expect(events.map((e) => e.status)).toEqual(['initiated', 'ringing', 'in_progress', undefined, 'ended']);
    expect(events.every((e) => e.callId === 41 && e.providerCallId === id)).toBe(true);
    const last = events[4];
    expect(last).toMatchObject({
      result: 'completed',
      conversation: true,
      durationS: 42.5,
      summary: 'Confirmed the order.',
      outcomeHint: 'confirmed',
    });
    expect(last.transcript).toEqual([
      { speaker: 'agent', text: 'Hello, is this Asha?', atMs: null },
      { speaker: 'customer', text: 'Yes.', atMs: null },
      { speaker: 'agent', text: 'Your order ORD1 ships tomorrow, is that fine?', atMs: null },
      { speaker: 'customer', text: 'Confirmed.', atMs: null },
    ]);
    expect(last.recordingUrl).toContain(id);
    expect(new Set(events.map((e) => e.dedupeKey)).size).toBe(5);
  });

  it('treats completed with zero conversation as no conversation, and a transfer as transferred', async () => {
    const a = (await place(1, '+919876543210')).providerCallId as string;
    await fake.push(a, 'completed', { status: 'completed', conversationS: 0 });
    const b = (await place(2, '+919812345678')).providerCallId as string;
    await fake.push(b, 'completed', { status: 'completed', conversationS: 30, transferTo: '+919800000007' });
    const [silent, transferred] = receiver.events;
    expect(silent).toMatchObject({ status: 'ended', result: 'no_answer', conversation: false });
    expect(transferred).toMatchObject({
      status: 'ended',
      result: 'transferred',
      transfer: { state: 'ended', destination: '+919800000007' },
    });
  });

  it('reconciles with GET /executions/{id}, and returns null for an execution Bolna does not know', async () => {
    const id = (await place(5, '+919876543210')).providerCallId as string;
    await fake.push(id, 'busy', { status: 'busy' });
    expect(await provider.getCall(id)).toMatchObject({
      providerCallId: id,
      callId: 5,
      status: 'ended',
      result: 'busy',
    });
    expect(await provider.getCall('00000000-0000-0000-0000-000000000000')).toBeNull();
  });

  it('stops a queued call and reports a call that can no longer be stopped', async () => {
    const id = (await place(6, '+919876543210')).providerCallId as string;
    await provider.cancelCall(id);
    expect(fake.executions.get(id)?.status).toBe('stopped');
    const live = (await place(7, '+919812345678')).providerCallId as string;
    await fake.push(live, 'in-progress');
    await expect(provider.cancelCall(live)).rejects.toMatchObject({ kind: 'invalid_request' });
  });

  it('refuses a recipient number that is not E.164 with the fake’s message', async () => {
    await expect(place(8, '09876543210')).rejects.toMatchObject({
      kind: 'invalid_request',
      message: expect.stringContaining('Invalid recipient_phone_number'),
    });
  });

  it('tests the connection with an authenticated agent request', async () => {
    expect(await provider.testConnection()).toMatchObject({ ok: true });
    const wrong = new BolnaProvider({
      apiKey: 'bn-wrong',
      baseUrl: fake.baseUrl,
      voiceAgentId: AGENT,
      timeoutMs: 2000,
    });
    await expect(wrong.testConnection()).rejects.toMatchObject({ kind: 'auth' });
  });
});

describe('Bolna webhook fixtures', () => {
  const parse = (name: string) => {
    const provider = new BolnaProvider({ apiKey: KEY });
    return provider.parseWebhook(webhookRequest({ body: JSON.stringify(fixture(name)) }));
  };

  it('completed: ended, talked, transcript, summary, extracted data, recording, cost', () => {
    const [e] = parse('bolna-completed.json');
    expect(e).toMatchObject({
      providerCallId: 'b7140255-af33-4608-8e97-04dd944b8e48',
      dedupeKey: 'b7140255-af33-4608-8e97-04dd944b8e48:completed',
      status: 'ended',
      result: 'completed',
      conversation: true,
      durationS: 74.3,
      cost: 6.84,
      hangupReason: 'Call recipient hung up',
      extracted: { appointment_confirmed: true, callback_requested: false, preferred_language: 'English' },
    });
    expect(e.summary).toMatch(/confirmed Asha's Friday/);
    expect(e.recordingUrl).toMatch(/\.mp3$/);
    expect(e.transcript).toHaveLength(5);
    expect(e.transcript?.[1]).toEqual({ speaker: 'customer', text: 'Yes, speaking.', atMs: null });
    expect(e.endedAt).toBe(Date.parse('2026-05-19T07:33:41Z'));
  });

  it('no-answer, busy and call-disconnected', () => {
    expect(parse('bolna-no-answer.json')[0]).toMatchObject({
      status: 'ended',
      result: 'no_answer',
      conversation: false,
      hangupReason: 'Call unanswered',
    });
    expect(parse('bolna-busy.json')[0]).toMatchObject({ status: 'ended', result: 'busy', conversation: false });
    const [disc] = parse('bolna-call-disconnected.json');
    // Not final yet: no status change, but the transcript so far is kept.
    expect(disc.status).toBeUndefined();
    expect(disc.result).toBeUndefined();
    expect(disc.transcript).toHaveLength(5);
    expect(disc.dedupeKey).toBe('b7140255-af33-4608-8e97-04dd944b8e48:call-disconnected');
  });

  it('voicemail and the unsuccessful statuses map to results (docs/providers.md)', () => {
    const base = fixture('bolna-completed.json');
    const map = (over: Record<string, unknown>) => executionToEvent({ ...base, ...over });
    expect(map({ answered_by_voice_mail: true })).toMatchObject({ result: 'voicemail', conversation: false });
    for (const [status, result] of [
      ['failed', 'failed'],
      ['error', 'failed'],
      ['stopped', 'failed'],
      ['balance-low', 'failed'],
      ['canceled', 'canceled'],
      ['busy', 'busy'],
      ['no-answer', 'no_answer'],
    ]) {
      expect(map({ status }), status).toMatchObject({ status: 'ended', result });
    }
    for (const [status, mapped] of [
      ['queued', 'initiated'],
      ['scheduled', 'initiated'],
      ['initiated', 'initiated'],
      ['ringing', 'ringing'],
      ['in-progress', 'in_progress'],
    ]) {
      expect(map({ status }).status, status).toBe(mapped);
    }
  });

  it('refuses bodies that are not an execution', () => {
    const provider = new BolnaProvider({ apiKey: KEY });
    expect(() => provider.parseWebhook(webhookRequest({ body: 'not json' }))).toThrow(/not JSON/);
    expect(() => provider.parseWebhook(webhookRequest({ body: '{"hello":1}' }))).toThrow(/without id or status/);
  });
});
