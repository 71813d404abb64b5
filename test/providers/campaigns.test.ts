import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BolnaFake } from '../fakes/bolna';
import { deliver } from '../fakes/http-fake';
import { ExotelFake } from '../fakes/exotel';
import { RetellFake } from '../fakes/retell';
import { BolnaSelfHostedFake, TwilioFake } from '../fakes/twilio';
import { seedList } from '../engine/support';
import { waitUntil } from '../support/wait';
import { CoreHarness } from './harness';

// Per provider, a small campaign through the real core: provider set up through the API (keys into the secret
// store, base URL at the fake), calls placed by the dialer, every webhook sent by the fake over HTTP to the real
// webhook server, duplicates and late (reordered) events, a restart in the middle, and the stored results.

const AGENT = '123e4567-e89b-12d3-a456-426655440000';

let h: CoreHarness;
const closers: (() => Promise<void>)[] = [];
beforeEach(async () => {
  h = new CoreHarness();
  await h.start();
});
afterEach(async () => {
  while (closers.length) await closers.pop()!();
  await h.close();
});

async function campaign(
  provider: 'bolna' | 'retell' | 'exotel' | 'bolna_twilio',
  contacts: { name: string; phone: string; variables?: Record<string, string> }[],
  settings: Record<string, unknown> = {},
) {
  const { listId } = seedList(h.core.db, `${provider} list`, contacts);
  const c = await h.core.api['campaigns.create']({
    name: `${provider} campaign`,
    listIds: [listId],
    provider,
    voiceAgentId: null,
    settings: { ignoreWindow: true, maxAttempts: 1, ...settings },
    startAt: null,
  });
  await h.core.api['campaigns.start']({ id: c.id });
  await h.core.dialer.tick();
  return c;
}

describe('campaigns against the provider fakes', () => {
  it('Bolna: executions followed through every status webhook, duplicates and late events harmless, restart in the middle', async () => {
    const fake = new BolnaFake('bn-live-key', [AGENT]);
    await fake.start();
    closers.push(() => fake.close());
    const view = await h.core.api['providers.update']({
      provider: 'bolna',
      settings: { baseUrl: fake.baseUrl, voiceAgentId: AGENT, fromNumber: '+918035739222' },
      keys: { apiKey: 'bn-live-key' },
    });
    expect(view).toMatchObject({ configured: true, keys: [{ key: 'apiKey', hasKey: true, hint: '…-key' }] });
    expect(JSON.stringify(view)).not.toContain('bn-live-key');

    const c = await campaign(
      'bolna',
      [
        { name: 'Asha', phone: '+919876543210', variables: { order_id: 'ORD1' } },
        { name: 'Ravi', phone: '+919812345678' },
        { name: 'Meera', phone: '+919811111111' },
      ],
      { outcomeMapping: { confirmed: 'confirmed' } },
    );
    const placed = fake
      .requestsTo('POST', /^\/call$/)
      .map((r) => JSON.parse(r.body) as { recipient_phone_number: string; user_data: Record<string, string> });
    expect(placed).toHaveLength(3);
    const calls = await h.calls();
    for (const call of calls) {
      const body = placed.find((p) => p.recipient_phone_number === call.phone);
      expect(body?.user_data.call_id).toBe(String(call.id));
      expect(call.providerCallId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(fake.agentWebhooks.get(AGENT)).toBe(h.core.webhooks.hookUrl('bolna'));
    const id = async (phone: string) => (await h.callTo(phone)).providerCallId as string;
    const [asha, ravi, meera] = [await id('+919876543210'), await id('+919812345678'), await id('+919811111111')];

    for (const status of ['initiated', 'ringing', 'in-progress']) await fake.push(asha, status);
    await fake.push(ravi, 'initiated');
    expect((await h.callTo('+919876543210')).status).toBe('in_progress');

    // Quit and start again with calls in flight: reconciliation asks Bolna, webhooks keep flowing to the same URL.
    await h.restart();
    await h.core.dialer.tick();
    await fake.push(asha, 'call-disconnected');
    const transcript =
      'assistant: Hi, am I speaking with Asha?\nuser: Yes, speaking.\nassistant: Your order ORD1 arrives Friday, shall I confirm it?\nuser: Yes, please confirm.\n';
    const done = {
      status: 'completed' as const,
      conversationS: 61.5,
      transcript,
      summary: 'Asha confirmed order ORD1 for Friday.',
      extracted: { status: 'confirmed' },
    };
    expect((await fake.push(asha, 'completed', done)).status).toBe(200);
    expect((await fake.push(asha, 'completed', done)).status).toBe(200); // duplicate delivery
    await fake.push(asha, 'ringing'); // the same status again: a duplicate
    await fake.push(ravi, 'no-answer', { status: 'no-answer' });
    await fake.push(ravi, 'ringing'); // late, after the end: recorded, ignored
    await fake.push(meera, 'busy', { status: 'busy' });

    const a = await h.detail('+919876543210');
    expect(a.call).toMatchObject({
      status: 'ended',
      result: 'completed',
      outcome: 'confirmed',
      durationS: 61.5,
      summary: 'Asha confirmed order ORD1 for Friday.',
    });
    expect(a.call.recordingUrl).toContain(asha);
    expect(a.transcript.map((t) => [t.speaker, t.text])).toEqual([
      ['agent', 'Hi, am I speaking with Asha?'],
      ['customer', 'Yes, speaking.'],
      ['agent', 'Your order ORD1 arrives Friday, shall I confirm it?'],
      ['customer', 'Yes, please confirm.'],
    ]);
    const dispositions = a.events.map((e) => `${e.kind}:${e.disposition}`);
    expect(dispositions.filter((d) => d === 'completed:duplicate')).toHaveLength(1);
    expect(dispositions).toContain('ringing:duplicate');
    const r = await h.detail('+919812345678');
    expect(r.call.result).toBe('no_answer');
    expect(r.events.filter((e) => !e.kind.startsWith('execution:')).map((e) => `${e.kind}:${e.disposition}`)).toEqual([
      'initiated:applied',
      'no-answer:applied',
      'ringing:stale',
    ]);
    expect((await h.callTo('+919811111111')).result).toBe('busy');
    expect(await h.core.api['transcripts.search']({ query: 'confirm ORD1', limit: 5 })).toHaveLength(1);
    const progress = await h.core.api['campaigns.progress']({ id: c.id });
    expect(progress.byResult).toMatchObject({ completed: 1, no_answer: 1, busy: 1 });
  });

  it('Retell: signed webhooks, a call that never connects, duplicates, reorder and a restart', async () => {
    const fake = new RetellFake('key_live_retell', () => h.clock.now());
    await fake.start();
    closers.push(() => fake.close());
    await h.core.api['providers.update']({
      provider: 'retell',
      settings: { baseUrl: fake.baseUrl, fromNumber: '+14157774444', voiceAgentId: 'agent_1' },
      keys: { apiKey: 'key_live_retell' },
    });
    h.seedAgents([
      { name: 'Busy Bo', phone: '+14155550101', status: 'busy' },
      { name: 'Sam', phone: '+14155550199', status: 'available' },
    ]);
    fake.webhookUrl = 'http://127.0.0.1:9/account-level-url-not-used';
    await campaign(
      'retell',
      [
        { name: 'Asha', phone: '+12137774445', variables: { appointment_day: 'Friday' } },
        { name: 'Ravi', phone: '+12137774446' },
      ],
      { outcomeMapping: { appointment_scheduled: 'appointment_scheduled' } },
    );
    const bodies = fake.requestsTo('POST', /create-phone-call/).map(
      (r) =>
        JSON.parse(r.body) as {
          to_number: string;
          metadata: { call_id: number };
          retell_llm_dynamic_variables: Record<string, string>;
        },
    );
    expect(bodies).toHaveLength(2);
    for (const b of bodies) {
      expect(Object.values(b.retell_llm_dynamic_variables).every((v) => typeof v === 'string')).toBe(true);
      expect(b.retell_llm_dynamic_variables.transfer_number).toBe('+14155550199'); // the busy agent is skipped
      expect((await h.callTo(b.to_number)).id).toBe(b.metadata.call_id);
    }
    expect(fake.agentWebhooks.get('agent_1')).toBe(h.core.webhooks.hookUrl('retell'));
    expect(fake.requestsTo('PATCH', /^\/update-agent\//)).toHaveLength(1);
    const asha = (await h.callTo('+12137774445')).providerCallId as string;
    const ravi = (await h.callTo('+12137774446')).providerCallId as string;

    const start = h.clock.now();
    expect((await fake.send(asha, 'call_started', { call_status: 'ongoing', start_timestamp: start })).status).toBe(
      200,
    );
    await h.restart();
    const ended = fake.endedFields(start);
    await fake.send(asha, 'call_ended', ended);
    await fake.send(asha, 'call_ended', ended); // Retell retries
    await fake.send(asha, 'call_started', { call_status: 'ongoing', start_timestamp: start }); // redelivered
    await fake.send(asha, 'call_analyzed', {
      ...ended,
      call_analysis: {
        call_summary: 'Asha booked Friday 11 AM.',
        user_sentiment: 'Positive',
        call_successful: true,
        in_voicemail: false,
        custom_analysis_data: { outcome: 'appointment_scheduled' },
      },
    });
    await fake.unansweredCall(ravi);
    await fake.send(ravi, 'call_started', { call_status: 'ongoing' }); // late and out of order
    const forged = await fake.send(ravi, 'call_analyzed', {}, { signature: fake.sign('{}') });
    expect(forged.status).toBe(401);

    const a = await h.detail('+12137774445');
    expect(a.call).toMatchObject({
      status: 'ended',
      result: 'completed',
      outcome: 'appointment_scheduled',
      sentiment: 'Positive',
      summary: 'Asha booked Friday 11 AM.',
    });
    expect(a.transcript).toHaveLength(4);
    expect(a.transcript[0]).toMatchObject({ speaker: 'agent', atMs: 620 });
    expect(a.events.map((e) => `${e.kind}:${e.disposition}`)).toEqual(
      expect.arrayContaining([
        'call_started:applied',
        'call_ended:applied',
        'call_ended:duplicate',
        'call_started:duplicate',
        'call_analyzed:enriched',
      ]),
    );
    const r = await h.detail('+12137774446');
    expect(r.call).toMatchObject({ result: 'no_answer', answeredAt: null });
    // (the restart's reconciliation adds a get-call event before these)
    expect(r.events.filter((e) => !e.kind.startsWith('get-call:')).map((e) => `${e.kind}:${e.disposition}`)).toEqual([
      'call_ended:applied',
      'call_analyzed:enriched',
      'call_started:stale',
    ]);
  });

  it('Exotel: JSON status callbacks, passthru and "dial whom" answered with the available agent, restart', async () => {
    const fake = new ExotelFake('acme1', 'exo-key', 'exo-token');
    await fake.start();
    closers.push(() => fake.close());
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
    h.seedAgents([
      { name: 'Away Arun', phone: '+919800000002', status: 'away' },
      { name: 'Farah', phone: '+919800000003', status: 'available' },
    ]);
    const list = await h.core.api['providers.list']({});
    const exotel = list.find((p) => p.name === 'exotel');
    expect(exotel?.configured).toBe(true);
    const dialWhomUrl = exotel?.hookUrls.find((u) => u.label.includes('Dial whom'))?.url as string;
    expect(dialWhomUrl).toContain('op=dial_whom');

    await campaign('exotel', [
      { name: 'Asha', phone: '+919876543210' },
      { name: 'Ravi', phone: '+919812345678' },
    ]);
    const form = new URLSearchParams(fake.requestsTo('POST', /connect\.json$/)[0].body);
    expect(form.get('StatusCallback')).toBe(
      `${h.core.webhooks.hookUrl('exotel')}?call_id=${(await h.callTo(form.get('From') as string)).id}`,
    );
    const asha = (await h.callTo('+919876543210')).providerCallId as string;
    const ravi = (await h.callTo('+919812345678')).providerCallId as string;
    expect(form.get('CustomField')).toBe(String((await h.callTo(form.get('From') as string)).id));

    await fake.callback(asha, 'answered', 'in-progress');
    expect(await fake.applet(h.core.webhooks.hookUrl('exotel'), asha)).toEqual({ status: 200, body: 'OK' });
    expect(await fake.applet(dialWhomUrl, asha, { CurrentTime: '2026-05-19 13:01:40' })).toEqual({
      status: 200,
      body: '+919800000003',
    });
    await h.restart();
    await fake.callback(asha, 'terminal', 'completed', 78);
    await fake.callback(asha, 'terminal', 'completed', 78); // Exotel retries
    await fake.callback(asha, 'answered', 'in-progress'); // redelivered
    await fake.callback(ravi, 'terminal', 'no-answer');
    await fake.callback(ravi, 'answered', 'in-progress'); // late and out of order

    const a = await h.detail('+919876543210');
    expect(a.call).toMatchObject({ status: 'ended', result: 'completed', durationS: 78 });
    expect(a.call.recordingUrl).toContain(asha);
    expect(a.events.map((e) => `${e.kind}:${e.disposition}`)).toEqual(
      expect.arrayContaining([
        'answered:in-progress:applied',
        'dial_whom:applied',
        'terminal:completed:duplicate',
        'answered:in-progress:duplicate',
      ]),
    );
    const r = await h.detail('+919812345678');
    expect(r.call.result).toBe('no_answer');
    expect(r.events.map((e) => `${e.kind}:${e.disposition}`)).toContain('answered:in-progress:stale');
  });

  it('self-hosted Bolna + Twilio: agent created from JSON, calls found in Twilio, signed callbacks, extraction outcomes, restart between calls', async () => {
    const twilio = new TwilioFake('AC00000000000000000000000000000000', 'twilio-token', () => h.clock.now());
    const bolna = new BolnaSelfHostedFake(twilio);
    await Promise.all([twilio.start(), bolna.start()]);
    closers.push(
      () => twilio.close(),
      () => bolna.close(),
    );
    await h.core.api['providers.update']({
      provider: 'bolna_twilio',
      settings: {
        agentServerUrl: bolna.baseUrl,
        telephonyUrl: bolna.baseUrl,
        twilioAccountSid: 'AC00000000000000000000000000000000',
        twilioBaseUrl: twilio.baseUrl,
        fromNumber: '+14155550100',
      },
      keys: { twilioAuthToken: 'twilio-token' },
    });
    const { voiceAgentId } = await h.core.api['providers.createAgent']({
      provider: 'bolna_twilio',
      definition: {
        agent_config: {
          agent_name: 'COD',
          tasks: [{ task_type: 'conversation' }, { task_type: 'webhook', tools_config: { api_tools: {} } }],
        },
        agent_prompts: { task_1: { system_prompt: 'Confirm COD orders.' } },
      },
    });
    expect((await h.core.api['providers.list']({})).find((p) => p.name === 'bolna_twilio')).toMatchObject({
      configured: true,
      settings: { voiceAgentId },
    });

    const c = await campaign(
      'bolna_twilio',
      [
        { name: 'John Doe', phone: '+15551234567', variables: { order_id: 'ORD123' } },
        { name: 'Jane Smith', phone: '+15557654321', variables: { order_id: 'ORD124' } },
      ],
      {
        concurrency: 1,
        outcomeMapping: {
          confirmed: 'confirmed',
          rescheduled: 'rescheduled',
          cancelled: 'cancelled',
          wrong_person: 'wrong_person',
        },
      },
    );
    const first = (await h.calls())[0];
    const sid = first.providerCallId as string;
    expect(sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(twilio.calls.get(sid)?.statusCallback).toBe(
      `${h.core.webhooks.hookUrl('bolna_twilio')}?call_id=${first.id}`,
    );
    // Between placing and the end, Twilio is polled (an update-attached StatusCallback only hears the end).
    await twilio.progress(sid, 'in-progress');
    h.clock.advance(5_000);
    await waitUntil(async () => (await h.callTo(first.phone)).status === 'in_progress', {
      what: 'the polled in-progress state to reach the call',
    });
    await twilio.progress(sid, 'completed', { duration: 64 });
    const late = await twilio.post(twilio.calls.get(sid)?.statusCallback as string, {
      CallSid: sid,
      AccountSid: twilio.accountSid,
      CallStatus: 'ringing',
      SequenceNumber: '1',
    });
    expect(late.status).toBe(200); // a late, signed ringing: recorded, ignored
    expect((await twilio.progress(sid, 'completed', { signWith: 'forged' }))?.status).toBe(401);
    await bolna.sendExtraction(sid, { status: 'confirmed' });
    expect(await h.callTo(first.phone)).toMatchObject({
      status: 'ended',
      result: 'completed',
      outcome: 'confirmed',
      durationS: 64,
    });

    await h.restart();
    await h.core.dialer.tick();
    const second = (await h.calls())[1];
    const sid2 = second.providerCallId as string;
    await twilio.progress(sid2, 'in-progress');
    await twilio.progress(sid2, 'completed', { duration: 80 });
    const rescheduled = { status: 'rescheduled', reschedule_date: '2025-09-13', reschedule_time: '14:30' };
    const sent = await bolna.sendExtraction(sid2, rescheduled);
    // The same bytes to the same URL again (a proxy's retry): a duplicate of the same call's event.
    await deliver(sent?.url as string, {
      body: JSON.stringify(rescheduled),
      headers: { 'content-type': 'application/json' },
    });

    const jane = await h.detail('+15557654321');
    expect(jane.call).toMatchObject({
      result: 'completed',
      outcome: 'rescheduled',
      extracted: { reschedule_date: '2025-09-13', reschedule_time: '14:30' },
    });
    expect(jane.events.map((e) => `${e.kind}:${e.disposition}`)).toContain('extraction:duplicate');
    const john = await h.detail('+15551234567');
    expect(john.events.map((e) => `${e.kind}:${e.disposition}`)).toContain('twilio:ringing:stale');
    expect((await h.core.api['campaigns.progress']({ id: c.id })).byOutcome).toMatchObject({
      confirmed: 1,
      rescheduled: 1,
    });
  });
});
