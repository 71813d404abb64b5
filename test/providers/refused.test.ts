import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retellSignature } from '../../src/main/core/providers/retell';
import { twilioSignature } from '../../src/main/core/providers/twilio';
import { deliver, fixture } from '../fakes/http-fake';
import { createTestCore } from '../support/core';

// Through the real webhook server: forged signatures, wrong secrets and malformed bodies from each provider are
// refused with the right status and leave nothing behind (no inbox row, no call event).

/** A JSON body signed as Twilio signs one (bodySHA256 in the URL), but with a key that is not the Auth Token. */
function forgedTwilioJson(url: string, body: unknown): Promise<{ status: number }> {
  const text = JSON.stringify(body);
  const signed = `${url}?bodySHA256=${createHash('sha256').update(text).digest('hex')}`;
  return deliver(signed, {
    body: text,
    headers: { 'content-type': 'application/json', 'x-twilio-signature': twilioSignature('not-the-token', signed) },
  });
}

describe('refused provider webhooks', () => {
  const core = createTestCore();
  const TOKEN = 'twilio-token';
  beforeAll(async () => {
    await core.start();
    const call = (input: unknown) =>
      core.api['providers.update'](input as Parameters<(typeof core.api)['providers.update']>[0]);
    await call({ provider: 'bolna', settings: { voiceAgentId: 'a' }, keys: { apiKey: 'bn-key' } });
    await call({ provider: 'retell', settings: { fromNumber: '+14157774444' }, keys: { apiKey: 'retell-key' } });
    await call({
      provider: 'exotel',
      settings: { accountSid: 'acme1', callerId: '08047112345', flowUrl: 'http://my.exotel.com/f' },
      keys: { apiKey: 'k', apiToken: 't' },
    });
    await call({
      provider: 'bolna_twilio',
      settings: { twilioAccountSid: 'AC00000000000000000000000000000000', voiceAgentId: 'x' },
      keys: { twilioAuthToken: TOKEN },
    });
  });
  afterAll(async () => {
    await core.cleanup();
  });

  const json = { 'content-type': 'application/json' };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it('answers 400/401 and stores nothing', async () => {
    const hook = (p: 'bolna' | 'retell' | 'exotel' | 'bolna_twilio') => core.webhooks.hookUrl(p);
    const now = core.platform.clock.now();
    const retellBody = JSON.stringify(fixture('retell-call_ended.json'));
    const twilioParams = fixture('twilio-status-completed.json') as Record<string, string>;
    const cases: [string, Promise<{ status: number }>, number][] = [
      [
        'bolna wrong secret',
        deliver(hook('bolna').replace(/[^/]+$/, 'wrong-secret'), {
          body: JSON.stringify(fixture('bolna-completed.json')),
          headers: json,
        }),
        401,
      ],
      ['bolna malformed', deliver(hook('bolna'), { body: '{"id":', headers: json }), 400],
      ['bolna not an execution', deliver(hook('bolna'), { body: '[1,2]', headers: json }), 400],
      [
        'retell forged',
        deliver(hook('retell'), {
          body: retellBody,
          headers: { ...json, 'x-retell-signature': retellSignature(retellBody, 'other-key', now) },
        }),
        401,
      ],
      [
        'retell stale',
        deliver(hook('retell'), {
          body: retellBody,
          headers: { ...json, 'x-retell-signature': retellSignature(retellBody, 'retell-key', now - 600_000) },
        }),
        401,
      ],
      ['retell unsigned', deliver(hook('retell'), { body: retellBody, headers: json }), 401],
      [
        'retell malformed but signed',
        deliver(hook('retell'), {
          body: '{"event":1}',
          headers: { ...json, 'x-retell-signature': retellSignature('{"event":1}', 'retell-key', now) },
        }),
        400,
      ],
      ['exotel no CallSid', deliver(hook('exotel'), { body: '{"Status":"completed"}', headers: json }), 400],
      ['exotel applet without CallSid', deliver(`${hook('exotel')}?op=dial_whom`, { method: 'GET' }), 400],
      [
        'twilio forged',
        deliver(hook('bolna_twilio'), {
          body: new URLSearchParams(twilioParams).toString(),
          headers: {
            ...form,
            'x-twilio-signature': twilioSignature('not-the-token', hook('bolna_twilio'), twilioParams),
          },
        }),
        401,
      ],
      [
        'twilio unsigned',
        deliver(hook('bolna_twilio'), { body: new URLSearchParams(twilioParams).toString(), headers: form }),
        401,
      ],
      [
        'extraction not JSON',
        deliver(`${hook('bolna_twilio')}?op=extraction&token=${'a'.repeat(32)}`, {
          body: 'status=confirmed',
          headers: { 'content-type': 'text/plain' },
        }),
        400,
      ],
      [
        'twilio JSON unsigned (not taken as an extraction)',
        deliver(hook('bolna_twilio'), { body: '{"status":"do_not_call"}', headers: json }),
        401,
      ],
      [
        'twilio JSON forged',
        forgedTwilioJson(hook('bolna_twilio'), { CallSid: 'CA1', CallStatus: 'completed', status: 'do_not_call' }),
        401,
      ],
    ];
    for (const [name, res, status] of cases) expect((await res).status, name).toBe(status);
    expect(core.webhooks.health().inbox).toEqual({});
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM call_events').get()).toEqual({ n: 0 });
  });

  it('a correctly signed Twilio callback passes the same route (so the refusals above are about the signature)', async () => {
    const params = fixture('twilio-status-completed.json') as Record<string, string>;
    const url = core.webhooks.hookUrl('bolna_twilio');
    const res = await deliver(url, {
      body: new URLSearchParams(params).toString(),
      headers: { ...form, 'x-twilio-signature': twilioSignature(TOKEN, url, params) },
    });
    expect(res.status).toBe(200);
    const body = JSON.stringify({ CallSid: 'CA2', CallStatus: 'ringing' });
    const signed = `${url}?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
    const jsonRes = await deliver(signed, {
      body,
      headers: { ...json, 'x-twilio-signature': twilioSignature(TOKEN, signed) },
    });
    expect(jsonRes.status, 'a JSON body signed through bodySHA256').toBe(200);
  });
});
