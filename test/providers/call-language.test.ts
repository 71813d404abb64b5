import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BolnaFake } from '../fakes/bolna';
import { ExotelFake } from '../fakes/exotel';
import { RetellFake } from '../fakes/retell';
import { BolnaSelfHostedFake, TwilioFake } from '../fakes/twilio';
import { waitUntil } from '../support/wait';
import { CoreHarness } from './harness';

// The call language of each contact (typed as a tag, a name or in its own script), or the campaign's default, as
// each provider receives it: Bolna's plain code, Retell's locale or "multi", Exotel's CustomField variable; the
// self-hosted server cannot take one, and the provider list says so.

const AGENT = '123e4567-e89b-12d3-a456-426655440000';
const CONTACTS = [
  { name: 'Asha', phone: '+919876543210', language: 'Hindi' },
  { name: 'Kavin', phone: '+919812345678', language: 'தமிழ்' },
  { name: 'Bijay', phone: '+919811111111', language: 'or' },
  // No language of its own: the campaign's default (Bengali) applies.
  { name: 'Rina', phone: '+919822222222' },
];

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

async function campaign(provider: 'bolna' | 'retell' | 'exotel' | 'bolna_twilio', voiceAgentId: string | null = null) {
  const { listId, rejected } = await h.core.api['contacts.add']({
    listName: `${provider} list`,
    contacts: CONTACTS.map((c) => ({ variables: {}, ...c })),
  });
  expect(rejected).toEqual([]);
  const c = await h.core.api['campaigns.create']({
    name: `${provider} campaign`,
    listIds: [listId],
    provider,
    voiceAgentId,
    settings: { ignoreWindow: true, maxAttempts: 1, defaultLanguage: 'Bengali' },
    startAt: null,
  });
  expect(c.settings.defaultLanguage).toBe('bn-IN');
  await h.core.api['campaigns.start']({ id: c.id });
  await h.core.dialer.tick();
  return c;
}

const byPhone = <T>(items: T[], phone: (t: T) => string) => Object.fromEntries(items.map((t) => [phone(t), t]));

describe('the call language reaches each provider in its own form', () => {
  it('stores what was typed as BCP 47 tags, and each attempt carries its language', async () => {
    const fake = new BolnaFake('bn-key', [AGENT]);
    await fake.start();
    closers.push(() => fake.close());
    await h.core.api['providers.update']({
      provider: 'bolna',
      settings: { baseUrl: fake.baseUrl, voiceAgentId: AGENT },
      keys: { apiKey: 'bn-key' },
    });
    await campaign('bolna');
    const rows = (await h.core.api['contacts.page']({ offset: 0, limit: 10 })).rows;
    expect(Object.fromEntries(rows.map((r) => [r.name, r.language]))).toEqual({
      Asha: 'hi-IN',
      Kavin: 'ta-IN',
      Bijay: 'or-IN',
      Rina: null,
    });
    const calls = await h.calls();
    expect(Object.fromEntries(calls.map((c) => [c.phone, c.language]))).toEqual({
      '+919876543210': 'hi-IN',
      '+919812345678': 'ta-IN',
      '+919811111111': 'or-IN',
      '+919822222222': 'bn-IN',
    });
    const placed = fake
      .requestsTo('POST', /^\/call$/)
      .map((r) => JSON.parse(r.body) as { recipient_phone_number: string; user_data: Record<string, string> });
    const sent = byPhone(placed, (p) => p.recipient_phone_number);
    // Bolna's plain codes, Odia as od.
    expect(sent['+919876543210'].user_data.agent_language).toBe('hi');
    expect(sent['+919812345678'].user_data.agent_language).toBe('ta');
    expect(sent['+919811111111'].user_data.agent_language).toBe('od');
    expect(sent['+919822222222'].user_data.agent_language).toBe('bn');
  });

  it('Retell: a supported locale as the agent language for that call, else multi', async () => {
    const fake = new RetellFake('key_retell');
    await fake.start();
    closers.push(() => fake.close());
    await h.core.api['providers.update']({
      provider: 'retell',
      settings: { baseUrl: fake.baseUrl, fromNumber: '+14157774444', voiceAgentId: 'agent_1' },
      keys: { apiKey: 'key_retell' },
    });
    await campaign('retell');
    const placed = fake
      .requestsTo('POST', /^\/v2\/create-phone-call$/)
      .map((r) => JSON.parse(r.body) as { to_number: string; agent_override?: { agent?: { language?: string } } });
    expect(placed).toHaveLength(4);
    const sent = byPhone(placed, (p) => p.to_number);
    expect(sent['+919876543210'].agent_override).toEqual({ agent: { language: 'hi-IN' } });
    expect(sent['+919812345678'].agent_override).toEqual({ agent: { language: 'multi' } });
    expect(sent['+919811111111'].agent_override).toEqual({ agent: { language: 'multi' } });
    expect(sent['+919822222222'].agent_override).toEqual({ agent: { language: 'multi' } });
    expect((await h.calls()).every((c) => c.providerCallId !== null && c.status !== 'ended')).toBe(true);
  });

  it('Exotel: the language rides in CustomField with the call id, and "dial whom" picks the agent who speaks it', async () => {
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
    // Farah has waited longest, so she would take any hand-off; Selvi speaks Tamil.
    await h.core.api['agents.create']({ name: 'Farah', phone: '+919800000003', skills: ['Hindi'] });
    await h.core.api['agents.create']({ name: 'Selvi', phone: '+919800000004', skills: ['ta'] });
    await campaign('exotel');
    const forms = fake.requestsTo('POST', /connect\.json$/).map((r) => new URLSearchParams(r.body));
    const sent = byPhone(forms, (f) => f.get('From') as string);
    const calls = byPhone(await h.calls(), (c) => c.phone);
    for (const [phone, language] of [
      ['+919876543210', 'hi-IN'],
      ['+919812345678', 'ta-IN'],
      ['+919811111111', 'or-IN'],
      ['+919822222222', 'bn-IN'],
    ]) {
      const field = new URLSearchParams(sent[phone].get('CustomField') ?? '');
      expect({ call_id: field.get('call_id'), language: field.get('language') }).toEqual({
        call_id: String(calls[phone].id),
        language,
      });
    }
    const dialWhomUrl = (await h.core.api['providers.list']({}))
      .find((p) => p.name === 'exotel')
      ?.hookUrls.find((u) => u.label.includes('Dial whom'))?.url as string;
    const tamil = calls['+919812345678'].providerCallId as string;
    const hindi = calls['+919876543210'].providerCallId as string;
    await fake.callback(tamil, 'answered', 'in-progress');
    expect(await fake.applet(dialWhomUrl, tamil)).toEqual({ status: 200, body: '+919800000004' });
    await fake.callback(hindi, 'answered', 'in-progress');
    expect(await fake.applet(dialWhomUrl, hindi)).toEqual({ status: 200, body: '+919800000003' });
    // The status callback still finds its attempt by the call id inside CustomField.
    await fake.callback(tamil, 'terminal', 'completed', 40);
    expect((await h.detail('+919812345678')).call).toMatchObject({ status: 'ended', result: 'completed' });
  });

  it('self-hosted Bolna + Twilio: the server takes no language per call, and its capabilities say so', async () => {
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
    const list = await h.core.api['providers.list']({});
    expect(Object.fromEntries(list.map((p) => [p.name, p.capabilities.callLanguage]))).toEqual({
      simulator: 'per_call',
      bolna: 'per_call',
      retell: 'per_call',
      exotel: 'variable',
      bolna_twilio: 'none',
    });
    await h.core.api['providers.createAgent']({
      provider: 'bolna_twilio',
      definition: {
        agent_config: {
          agent_name: 'COD',
          tasks: [{ task_type: 'conversation' }, { task_type: 'webhook', tools_config: { api_tools: {} } }],
        },
        agent_prompts: { task_1: { system_prompt: 'Confirm COD orders.' } },
      },
    });
    await campaign('bolna_twilio');
    const requests = await waitUntil(() => {
      const sent = bolna.requestsTo('POST', /^\/call$/);
      return sent.length > 0 ? sent : null;
    });
    const bodies = requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    for (const body of bodies) expect(Object.keys(body).sort()).toEqual(['agent_id', 'recipient_phone_number']);
  });
});
