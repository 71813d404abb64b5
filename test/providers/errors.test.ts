import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BolnaProvider } from '../../src/main/core/providers/bolna';
import { BolnaTwilioProvider } from '../../src/main/core/providers/bolna-twilio';
import { ExotelProvider } from '../../src/main/core/providers/exotel';
import { parseRetryAfter } from '../../src/main/core/providers/http';
import { RetellProvider } from '../../src/main/core/providers/retell';
import { ProviderError, type PlaceCallRequest, type VoiceProvider } from '../../src/main/core/providers/types';
import { BolnaFake } from '../fakes/bolna';
import { ExotelFake } from '../fakes/exotel';
import type { HttpFake } from '../fakes/http-fake';
import { RetellFake } from '../fakes/retell';
import { BolnaSelfHostedFake, TwilioFake } from '../fakes/twilio';
import { freePort } from '../support/loopback';
import { placeCallRequest } from './receiver';
import { selfHostedStore } from './selfhosted-store';

// Every client maps the same HTTP failures to the same ProviderError kinds: 401 → auth (fail the attempt, fix the
// key), 429 → rate_limited with Retry-After, 5xx and timeouts → unavailable (both pause dialing with backoff).

const AGENT = '123e4567-e89b-12d3-a456-426655440000';
// Generous, so a loaded CI machine never turns a 401 into a timeout; the timeout case uses its own short one.
const TIMEOUT_MS = 5000;
const SHORT_TIMEOUT_MS = 400;

interface Case {
  name: string;
  fake: HttpFake;
  provider: (timeoutMs?: number) => VoiceProvider;
}

const request = (callId: number): PlaceCallRequest =>
  placeCallRequest(callId, {
    to: '+919876543210',
    from: '+14157774444',
    webhookUrl: 'http://127.0.0.1:9/hooks/x/secret',
  });

describe('provider errors', () => {
  const bolna = new BolnaFake('bn-key', [AGENT]);
  const retell = new RetellFake('retell-key');
  const exotel = new ExotelFake('acme1', 'k', 't');
  const twilio = new TwilioFake('AC00000000000000000000000000000000', 'tok');
  const selfHosted = new BolnaSelfHostedFake(twilio);
  const store = selfHostedStore();
  store.addCalls(1, 2, 3, 4);
  const cases: Case[] = [
    {
      name: 'bolna',
      fake: bolna,
      provider: (t = TIMEOUT_MS) =>
        new BolnaProvider({ apiKey: 'bn-key', baseUrl: bolna.baseUrl, voiceAgentId: AGENT, timeoutMs: t }),
    },
    {
      name: 'retell',
      fake: retell,
      provider: (t = TIMEOUT_MS) =>
        new RetellProvider({
          apiKey: 'retell-key',
          baseUrl: retell.baseUrl,
          fromNumber: '+14157774444',
          timeoutMs: t,
          now: Date.now,
        }),
    },
    {
      name: 'exotel',
      fake: exotel,
      provider: (t = TIMEOUT_MS) =>
        new ExotelProvider({
          apiKey: 'k',
          apiToken: 't',
          accountSid: 'acme1',
          callerId: '08047112345',
          flowUrl: 'http://my.exotel.com/acme1/exoml/start_voice/1',
          baseUrl: exotel.baseUrl,
          timeoutMs: t,
        }),
    },
    {
      name: 'bolna_twilio (self-hosted server)',
      fake: selfHosted,
      provider: (t = TIMEOUT_MS) =>
        new BolnaTwilioProvider({
          agentServerUrl: selfHosted.baseUrl,
          telephonyUrl: selfHosted.baseUrl,
          voiceAgentId: 'a1',
          twilio: { accountSid: 'AC00000000000000000000000000000000', authToken: 'tok', baseUrl: twilio.baseUrl },
          hookUrl: () => 'http://127.0.0.1:9/hooks/bolna_twilio/secret',
          agentDefinition: () => ({ agent_config: { agent_name: 'a', tasks: [] } }),
          callAgents: store.callAgents,
          timeoutMs: t,
          now: Date.now,
        }),
    },
  ];

  beforeAll(async () => {
    await Promise.all([bolna.start(), retell.start(), exotel.start(), twilio.start(), selfHosted.start()]);
  });
  afterAll(async () => {
    await Promise.all([bolna.close(), retell.close(), exotel.close(), twilio.close(), selfHosted.close()]);
    store.close();
  });

  const failure = async (p: Promise<unknown>): Promise<ProviderError> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  };

  for (const c of cases) {
    it(`${c.name}: 401 → auth, 429 → rate_limited with Retry-After, 500 and timeouts → unavailable`, async () => {
      const p = c.provider();
      c.fake.failNext({ status: 401 });
      const auth = await failure(p.placeCall(request(1)));
      expect(auth.kind).toBe('auth');
      expect(auth.transient).toBe(false);
      expect(auth.message).toMatch(/Settings → Providers/);

      c.fake.failNext({ status: 429, retryAfter: '7' });
      const limited = await failure(p.placeCall(request(2)));
      expect(limited).toMatchObject({ kind: 'rate_limited', options: { status: 429, retryAfterMs: 7000 } });
      expect(limited.transient).toBe(true);

      c.fake.failNext({ status: 500 });
      const down = await failure(p.placeCall(request(3)));
      expect(down).toMatchObject({ kind: 'unavailable', options: { status: 500 } });
      expect(down.transient).toBe(true);

      c.fake.failNext('timeout');
      const slow = await failure(c.provider(SHORT_TIMEOUT_MS).placeCall(request(4)));
      expect(slow.kind).toBe('unavailable');
      expect(slow.message).toMatch(/no answer within/);
    });
  }

  it('a closed port is unavailable too, and keys never appear in messages', async () => {
    const port = await freePort(); // nobody listens there
    const p = new BolnaProvider({
      apiKey: 'bn-secret-value',
      baseUrl: `http://127.0.0.1:${port}`,
      voiceAgentId: AGENT,
      timeoutMs: TIMEOUT_MS,
    });
    const err = await failure(p.placeCall(request(5)));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.message).not.toContain('bn-secret-value');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = () => Date.parse('Tue, 19 May 2026 07:30:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 19 May 2026 07:30:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
