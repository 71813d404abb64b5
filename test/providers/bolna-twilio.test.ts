import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BolnaTwilioProvider } from '../../src/main/core/providers/bolna-twilio';
import { createHash, createHmac } from 'node:crypto';
import {
  formParams,
  twilioSignature,
  verifyTwilioRequest,
  verifyTwilioSignature,
} from '../../src/main/core/providers/twilio';
import { deliver, fixture } from '../fakes/http-fake';
import { BolnaSelfHostedFake, TwilioFake } from '../fakes/twilio';
import type { NormalizedEvent } from '../../src/main/core/providers/types';
import { ManualClock } from '../support/clock';
import { waitUntil } from '../support/wait';
import { placeCallRequest, Receiver, webhookRequest } from './receiver';
import { selfHostedStore } from './selfhosted-store';

const ACCOUNT = 'AC00000000000000000000000000000000';
const TOKEN = 'twilio-auth-token-0001';

describe('X-Twilio-Signature', () => {
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  };
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';

  it('matches the SDK test vector', () => {
    expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(verifyTwilioSignature('12345', url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true);
  });

  it('accepts the URL with or without the default port, as the SDK does', () => {
    const sig = twilioSignature('12345', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params);
    expect(verifyTwilioSignature('12345', url, params, sig)).toBe(true);
    expect(
      verifyTwilioSignature(
        '12345',
        'https://mycompany.com:443/myapp.php?foo=1&bar=2',
        params,
        'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
      ),
    ).toBe(true);
  });

  it('refuses a wrong token, a changed parameter, another URL and a missing header', () => {
    expect(verifyTwilioSignature('54321', url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false);
    expect(verifyTwilioSignature('12345', url, { ...params, Digits: '1235' }, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(
      false,
    );
    expect(
      verifyTwilioSignature(
        '12345',
        'https://mycompany.com/myapp.php?foo=1&bar=3',
        params,
        'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
      ),
    ).toBe(false);
    expect(verifyTwilioSignature('12345', url, params, undefined)).toBe(false);
  });

  it('verifies a JSON body through bodySHA256 in the signed URL, and refuses a JSON body nothing signs', () => {
    const body = Buffer.from('{"CallSid":"CA1234567890ABCDE","Caller":"+12349013030"}');
    const hash = createHash('sha256').update(body).digest('hex');
    expect(hash).toBe('5ccde7145dfb8f56479710896586cb9d5911809d83afbe34627818790db0aec9'); // the SDK docs' example
    const signedUrl = `https://example.com/myapp?bodySHA256=${hash}`;
    const sig = createHmac('sha1', '12345').update(signedUrl).digest('base64');
    const json = 'application/json';
    expect(verifyTwilioRequest('12345', signedUrl, json, body, sig)).toBe(true);
    expect(verifyTwilioRequest('12345', signedUrl, json, Buffer.from('{"CallSid":"CA1"}'), sig)).toBe(false);
    expect(verifyTwilioRequest('54321', signedUrl, json, body, sig)).toBe(false);
    const unsignedUrl = 'https://example.com/myapp';
    const urlOnly = createHmac('sha1', '12345').update(unsignedUrl).digest('base64');
    expect(verifyTwilioRequest('12345', unsignedUrl, json, body, urlOnly)).toBe(false);
    expect(verifyTwilioRequest('12345', unsignedUrl, undefined, Buffer.alloc(0), urlOnly)).toBe(true);
    const form = new URLSearchParams(params).toString();
    expect(
      verifyTwilioRequest(
        '12345',
        url,
        'application/x-www-form-urlencoded',
        Buffer.from(form),
        'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
      ),
    ).toBe(true);
  });

  it('signs repeated parameters with each distinct value in sorted order', () => {
    const repeated = formParams(
      'StatusCallbackEvent=ringing&StatusCallbackEvent=answered&StatusCallbackEvent=ringing&To=%2B1',
    );
    expect(repeated).toEqual({ StatusCallbackEvent: ['ringing', 'answered', 'ringing'], To: '+1' });
    expect(twilioSignature('k', 'https://x/y', repeated)).toBe(
      twilioSignature('k', 'https://x/yStatusCallbackEventansweredStatusCallbackEventringingTo+1', {}),
    );
  });
});

const DEFINITION = {
  agent_config: {
    agent_name: 'COD confirmation',
    tasks: [
      { task_type: 'conversation' },
      { task_type: 'webhook', tools_config: { api_tools: { webhookURL: 'https://old.example/hook' } } },
    ],
  },
  agent_prompts: {
    task_1: { system_prompt: 'Confirm the cash-on-delivery order {order_id} of {customer_name} {unknown}.' },
  },
};

type WebhookTask = { task_type?: string; tools_config?: { api_tools?: Record<string, unknown> } };
const webhookUrlOf = (agent: Record<string, unknown> | undefined) =>
  (
    (agent?.tasks as WebhookTask[] | undefined)?.find((t) => t.task_type === 'webhook')?.tools_config?.api_tools as
      { tools_params?: { webhook?: { url?: string } } } | undefined
  )?.tools_params?.webhook?.url;

describe('self-hosted Bolna + Twilio against their fakes', () => {
  let twilio: TwilioFake;
  let bolna: BolnaSelfHostedFake;
  let receiver: Receiver;
  let provider: BolnaTwilioProvider;
  let voiceAgentId: string;
  let store: ReturnType<typeof selfHostedStore>;
  let config: ConstructorParameters<typeof BolnaTwilioProvider>[0];

  beforeEach(async () => {
    twilio = new TwilioFake(ACCOUNT, TOKEN);
    bolna = new BolnaSelfHostedFake(twilio);
    store = selfHostedStore();
    const [twilioUrl, bolnaUrl] = await Promise.all([twilio.start(), bolna.start()]);
    receiver = new Receiver(() => provider);
    await receiver.start();
    config = {
      agentServerUrl: bolnaUrl,
      telephonyUrl: bolnaUrl,
      fromNumber: '+14155550100',
      twilio: { accountSid: ACCOUNT, authToken: TOKEN, baseUrl: twilioUrl },
      hookUrl: () => receiver.url,
      agentDefinition: () => DEFINITION,
      callAgents: store.callAgents,
      timeoutMs: 2000,
      now: Date.now,
      findDelayMs: 10,
    };
    provider = new BolnaTwilioProvider(config);
    voiceAgentId = await provider.createAgent(DEFINITION);
  });
  afterEach(async () => {
    await Promise.all([twilio.close(), bolna.close(), receiver.close()]);
    store.close();
  });

  const place = (callId: number, to: string) => {
    store.addCall(callId, to);
    return provider.placeCall(
      placeCallRequest(callId, {
        to,
        webhookUrl: receiver.url,
        contactName: 'John',
        variables: { order_id: `ORD${callId}` },
      }),
    );
  };

  it('creates the template agent with the webhook where the server keeps it (tools_params), not webhookURL', async () => {
    const def = bolna.agents.get(voiceAgentId);
    expect(webhookUrlOf(def)).toBe(`${receiver.url}?op=extraction`);
    expect(JSON.stringify(def)).not.toContain('webhookURL');
    expect(bolna.requestsTo('POST', /^\/agent$/)).toHaveLength(1);
    await expect(provider.createAgent({ agent_config: { agent_name: 'x', tasks: [] } })).rejects.toThrow(
      /no webhook task/,
    );
  });

  it('places each call with its own agent copy whose webhook URL carries a stored token, and finds the call in Twilio', async () => {
    const { providerCallId } = await place(42, '+15551234567');
    const copy = bolna.requestsTo('POST', /^\/agent$/)[1];
    const copyBody = JSON.parse(copy.body) as { agent_prompts: { task_1: { system_prompt: string } } };
    // The server never passes call context to the agent: the copy's prompt carries the contact's variables.
    expect(copyBody.agent_prompts.task_1.system_prompt).toBe(
      'Confirm the cash-on-delivery order ORD42 of John {unknown}.',
    );
    const placed = JSON.parse(bolna.requestsTo('POST', /^\/call$/)[0].body) as Record<string, string>;
    expect(Object.keys(placed).sort()).toEqual(['agent_id', 'recipient_phone_number']);
    expect(placed.agent_id).not.toBe(voiceAgentId);
    const url = new URL(webhookUrlOf(bolna.agents.get(placed.agent_id)) as string);
    expect(url.searchParams.get('op')).toBe('extraction');
    expect(store.callAgents.byToken(url.searchParams.get('token') as string)).toMatchObject({
      callId: 42,
      agentId: placed.agent_id,
    });
    const list = twilio.requestsTo('GET', /\/Calls\.json$/)[0];
    expect(list.query.get('To')).toBe('+15551234567');
    expect(list.query.get('StartTime>')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const call = twilio.calls.get(providerCallId as string);
    expect(call?.to).toBe('+15551234567');
    expect(call?.statusCallback).toBe(`${receiver.url}?call_id=42`);
    expect(
      twilio.requests.every(
        (r) => r.headers.authorization === `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`,
      ),
    ).toBe(true);
  });

  it('refuses to place a call without the agent definition (its extraction could not be tied to the call)', async () => {
    provider = new BolnaTwilioProvider({ ...config, agentDefinition: () => null });
    await expect(place(1, '+15551234567')).rejects.toThrow(/No agent definition/);
    expect(bolna.requestsTo('POST', /^\/call$/)).toHaveLength(0);
  });

  it('hears the end by signed status callback, takes the outcome from the extraction webhook, and refuses forged callbacks', async () => {
    const sid = (await place(42, '+15551234567')).providerCallId as string;
    await twilio.progress(sid, 'ringing'); // an update-attached StatusCallback hears only the end
    await twilio.progress(sid, 'in-progress');
    await twilio.progress(sid, 'completed', { duration: 78 });
    const forged = await twilio.progress(sid, 'completed', { duration: 1, signWith: 'not-the-token' });
    expect(forged?.status).toBe(401);
    await bolna.sendExtraction(sid, { status: 'rescheduled', reschedule_date: '2025-09-13', reschedule_time: '14:30' });
    const events = receiver.events;
    expect(events.map((e) => [e.kind, e.status, e.result])).toEqual([
      ['twilio:completed', 'ended', 'completed'],
      ['extraction', undefined, undefined],
    ]);
    expect(events[0]).toMatchObject({ callId: 42, providerCallId: sid, conversation: true, durationS: 78 });
    expect(events[1]).toMatchObject({
      providerCallId: null,
      callId: 42,
      outcomeHint: 'rescheduled',
      extracted: { status: 'rescheduled', reschedule_date: '2025-09-13', reschedule_time: '14:30' },
    });
    expect(events[1].unmatched).toBeUndefined();
    expect(receiver.received.filter((r) => r.rejected).map((r) => r.rejected?.reason)).toEqual(['bad_signature']);
  });

  it('identical extraction bodies of two calls each land on their own call; a body without a known token is unmatched', async () => {
    const a = (await place(1, '+15551234567')).providerCallId as string;
    const b = (await place(2, '+15557654321')).providerCallId as string;
    await twilio.progress(a, 'in-progress');
    await twilio.progress(b, 'in-progress');
    const same = { status: 'confirmed' };
    await bolna.sendExtraction(b, same);
    await bolna.sendExtraction(a, same);
    const [forB, forA] = receiver.events;
    expect(forB).toMatchObject({ callId: 2, outcomeHint: 'confirmed' });
    expect(forA).toMatchObject({ callId: 1, outcomeHint: 'confirmed' });
    expect(forA.dedupeKey).not.toBe(forB.dedupeKey);
    // Parsed again from the stored bytes (recovery), the body keeps its call: the key is in the URL.
    expect(provider.parseWebhook(receiver.received[1].req)[0]).toEqual(forA);
    // The template agent's URL and a made-up token name no call.
    for (const url of [`${receiver.url}?op=extraction`, `${receiver.url}?op=extraction&token=${'0'.repeat(32)}`]) {
      await deliver(url, { body: JSON.stringify(same), headers: { 'content-type': 'application/json' } });
      expect(receiver.events.at(-1)).toMatchObject({
        callId: null,
        providerCallId: null,
        unmatched: expect.any(String),
      });
    }
    // An unanswered call sends nothing at all.
    const c = (await place(3, '+15550001111')).providerCallId as string;
    expect(await bolna.sendExtraction(c, same)).toBeNull();
  });

  it('deletes the agent copies of ended calls (before the next call), keeping the template', async () => {
    await place(1, '+15551234567');
    const copy = (JSON.parse(bolna.requestsTo('POST', /^\/call$/)[0].body) as { agent_id: string }).agent_id;
    expect(bolna.agents.has(copy)).toBe(true);
    store.endCall(1);
    await place(2, '+15557654321');
    expect(bolna.requestsTo('DELETE', /^\/agent\//).map((r) => r.path)).toEqual([`/agent/${copy}`]);
    expect(bolna.agents.has(copy)).toBe(false);
    expect(bolna.agents.has(voiceAgentId)).toBe(true);
  });

  it('polls Twilio for the states between placing and the end, once per new state, and stops at the end', async () => {
    const clock = new ManualClock(Date.now());
    const polled: NormalizedEvent[] = [];
    provider = new BolnaTwilioProvider({
      ...config,
      now: () => clock.now(),
      poll: { clock, onEvent: (e) => polled.push(e), everyMs: 5000 },
    });
    const sid = (await place(42, '+15551234567')).providerCallId as string;
    const gets = () => twilio.requestsTo('GET', new RegExp(`/Calls/${sid}\\.json$`)).length;
    // Each poll that falls due asks Twilio once, then either sets the next poll or, at the end, stops.
    const step = async (status: string | null) => {
      if (status) await twilio.progress(sid, status, { duration: 30 });
      const before = gets();
      expect(clock.pending(), 'one poll set').toBe(1);
      clock.advance(5000);
      await waitUntil(() => clock.pending() === 1 || polled.some((e) => e.kind === 'poll:completed'), {
        what: `the poll after ${status ?? 'placing'} to be answered`,
      });
      expect(gets()).toBe(before + 1);
    };
    await step(null);
    await step('ringing');
    await step('ringing');
    await step('in-progress');
    await step('completed');
    expect(polled.map((e) => [e.kind, e.status, e.callId, e.dedupeKey])).toEqual([
      ['poll:queued', 'initiated', 42, `${sid}:poll:queued`],
      ['poll:ringing', 'ringing', 42, `${sid}:poll:ringing`],
      ['poll:in-progress', 'in_progress', 42, `${sid}:poll:in-progress`],
      ['poll:completed', 'ended', 42, `${sid}:poll:completed`],
    ]);
    expect(clock.pending(), 'no poll left after the end').toBe(0);
  });

  it('transfers a live call with <Dial> and reads the dial result', async () => {
    const sid = (await place(42, '+15551234567')).providerCallId as string;
    await twilio.progress(sid, 'in-progress');
    await provider.transferCall(sid, '+14155550199');
    const twiml = twilio.calls.get(sid)?.twiml ?? '';
    expect(twiml).toContain('<Dial callerId="+14155550100" timeout="20" action="');
    expect(twiml).toContain('<Number>+14155550199</Number>');
    expect(twiml).toContain('op=dial_result');
    expect((await twilio.dialResult(sid, 'completed')).status).toBe(200);
    expect(receiver.events.at(-1)).toMatchObject({
      status: 'ended',
      result: 'transferred',
      transfer: { state: 'ended' },
    });
  });

  it('cancels a ringing call, hangs up a live one, and reconciles with GET Calls/{sid}.json', async () => {
    const ringing = (await place(1, '+15551234567')).providerCallId as string;
    await twilio.progress(ringing, 'ringing');
    await provider.cancelCall(ringing);
    expect(twilio.calls.get(ringing)?.status).toBe('canceled');
    expect(await provider.getCall(ringing)).toMatchObject({ status: 'ended', result: 'canceled' });
    const live = (await place(2, '+15557654321')).providerCallId as string;
    await twilio.progress(live, 'in-progress');
    await provider.cancelCall(live);
    expect(twilio.calls.get(live)?.status).toBe('completed');
    expect(await provider.getCall('CA00000000000000000000000000000000')).toBeNull();
    expect(await provider.testConnection()).toMatchObject({ ok: true });
  });

  it('once the server said "done", a Twilio failure is not reported as "not placed" (that would ring twice)', async () => {
    twilio.failNext(
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
    );
    expect(await place(8, '+15551230000')).toEqual({ providerCallId: null });
    expect([...twilio.calls.values()].some((c) => c.to === '+15551230000')).toBe(true);
    const sid = (await place(9, '+15551230001')).providerCallId as string;
    expect(sid).toMatch(/^CA/);
    twilio.failNext({ status: 429, retryAfter: '5' });
    const third = await place(10, '+15551230002'); // the list is refused once, then finds it
    expect(third.providerCallId).toMatch(/^CA/);
  });

  it('returns no id (instead of failing) when the call never shows up in Twilio', async () => {
    // Twilio's list lags behind: the call the server created is not listed (yet).
    const original = twilio.createCall.bind(twilio);
    twilio.createCall = (to, from) => {
      const call = original(to, from);
      twilio.calls.delete(call.sid);
      return call;
    };
    expect(await place(9, '+15550000000')).toEqual({ providerCallId: null });
    expect(twilio.requestsTo('GET', /\/Calls\.json$/)).toHaveLength(8);
  });
});

describe('Twilio status callback fixtures', () => {
  const store = selfHostedStore();
  afterAll(() => store.close());
  const provider = new BolnaTwilioProvider({
    agentServerUrl: 'http://127.0.0.1:1',
    telephonyUrl: 'http://127.0.0.1:1',
    twilio: { accountSid: ACCOUNT, authToken: TOKEN },
    hookUrl: () => 'https://console.example/hooks/bolna_twilio/s',
    agentDefinition: () => DEFINITION,
    callAgents: store.callAgents,
    now: Date.now,
  });
  /** A status callback signed as Twilio signs it, verified and parsed as the webhook server would. */
  const receive = (url: string, params: Record<string, string>) => {
    const req = webhookRequest({
      url,
      body: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, url, params),
      },
    });
    provider.verifyWebhook(req);
    return provider.parseWebhook(req)[0];
  };
  const parse = (name: string) =>
    receive('https://console.example/hooks/bolna_twilio/s?call_id=7', fixture(name) as Record<string, string>);

  it('maps every fixture to a result (docs/providers.md), ordered and deduplicated by SequenceNumber', () => {
    expect(parse('twilio-status-ringing.json')).toMatchObject({
      status: 'ringing',
      callId: 7,
      dedupeKey: 'CA8f2b1c0d9e7a6b5c4d3e2f1a0b9c8d7e:1:ringing',
    });
    expect(parse('twilio-status-answered.json')).toMatchObject({
      status: 'in_progress',
      answeredAt: Date.parse('Tue, 19 May 2026 07:30:13 +0000'),
    });
    expect(parse('twilio-status-completed.json')).toMatchObject({
      status: 'ended',
      result: 'completed',
      conversation: true,
      durationS: 78,
    });
    expect(parse('twilio-status-no-answer.json')).toMatchObject({
      status: 'ended',
      result: 'no_answer',
      hangupReason: 'SIP 487',
    });
  });

  it('maps AnsweredBy=machine_* to voicemail and busy/failed/canceled', () => {
    const base = fixture('twilio-status-completed.json') as Record<string, string>;
    const map = (over: Record<string, string>) =>
      receive('https://console.example/hooks/bolna_twilio/s', { ...base, ...over });
    expect(map({ AnsweredBy: 'machine_end_beep' }).result).toBe('voicemail');
    expect(map({ AnsweredBy: 'human' }).result).toBe('completed');
    expect(map({ CallStatus: 'busy' }).result).toBe('busy');
    expect(map({ CallStatus: 'failed' }).result).toBe('failed');
    expect(map({ CallStatus: 'canceled' }).result).toBe('canceled');
  });
});
