import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { humanAgentDirectory } from '../../src/main/core/providers/config';
import { ExotelProvider } from '../../src/main/core/providers/exotel';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { encodeExotelBody, ExotelFake } from '../fakes/exotel';
import { fixture } from '../fakes/http-fake';
import { tempDir } from '../support/core';
import { placeCallRequest, Receiver, webhookRequest } from './receiver';

const SID = 'acme1';
const FLOW = 'http://my.exotel.com/acme1/exoml/start_voice/926';

describe('Exotel against its fake', () => {
  let fake: ExotelFake;
  let receiver: Receiver;
  let provider: ExotelProvider;
  let db: Db;
  let cleanup: () => void;

  beforeEach(async () => {
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    db = openDatabase(join(tmp.dir, 'console.db'));
    const add = db.prepare('INSERT INTO agents (name, phone, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    add.run('Busy Bina', '+919800000001', 'busy', 1, 1);
    add.run('Away Arun', '+919800000002', 'away', 1, 2);
    add.run('Free Farah', '+919800000003', 'available', 1, 3);
    add.run('Free Faiz', '+919800000004', 'available', 1, 4);
    fake = new ExotelFake(SID, 'exo-key', 'exo-token');
    const baseUrl = await fake.start();
    provider = new ExotelProvider({
      apiKey: 'exo-key',
      apiToken: 'exo-token',
      accountSid: SID,
      callerId: '08047112345',
      flowUrl: FLOW,
      baseUrl,
      timeoutMs: 2000,
      humanAgents: humanAgentDirectory(db),
    });
    receiver = new Receiver(() => provider);
    await receiver.start();
  });
  afterEach(async () => {
    await fake.close();
    await receiver.close();
    db.close();
    cleanup();
  });

  const place = (callId: number, to: string) =>
    provider.placeCall(placeCallRequest(callId, { to, webhookUrl: receiver.url }));

  it('connects the customer to the flow with a form body, basic auth, our call id and JSON status callbacks', async () => {
    const { providerCallId } = await place(42, '+919876543210');
    const [req] = fake.requestsTo('POST', /Calls\/connect\.json$/);
    expect(req.path).toBe(`/v1/Accounts/${SID}/Calls/connect.json`);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('exo-key:exo-token').toString('base64')}`);
    expect(req.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      From: '+919876543210',
      CallerId: '08047112345',
      Url: FLOW,
      CallType: 'trans',
      CustomField: '42',
      StatusCallback: `${receiver.url}?call_id=42`,
      StatusCallbackContentType: 'application/json',
      'StatusCallbackEvents[0]': 'terminal',
      'StatusCallbackEvents[1]': 'answered',
    });
    expect(providerCallId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('applies answered and terminal callbacks; the terminal one carries our call id', async () => {
    const sid = (await place(42, '+919876543210')).providerCallId as string;
    await fake.callback(sid, 'answered', 'in-progress');
    await fake.callback(sid, 'terminal', 'completed', 78);
    const [answered, terminal] = receiver.events;
    expect(answered).toMatchObject({ status: 'in_progress', providerCallId: sid, callId: 42 });
    expect(terminal).toMatchObject({
      status: 'ended',
      result: 'completed',
      conversation: true,
      durationS: 78,
      callId: 42,
    });
    expect(terminal.recordingUrl).toContain(sid);
    expect(answered.dedupeKey).not.toBe(terminal.dedupeKey);
  });

  it('answers passthru GETs with plain OK and "dial whom" with the first available agent, skipping busy and away', async () => {
    const sid = (await place(42, '+919876543210')).providerCallId as string;
    const passthru = await fake.applet(receiver.url, sid);
    expect(passthru).toEqual({ status: 200, body: 'OK' });
    const dialWhom = await fake.applet(`${receiver.url}?op=dial_whom`, sid, { CurrentTime: '2026-05-19 13:01:40' });
    expect(dialWhom).toEqual({ status: 200, body: '+919800000003' });
    const events = receiver.events;
    expect(events[0]).toMatchObject({
      kind: 'passthru:call-attempt',
      status: 'in_progress',
      callId: 42,
      extracted: { digits: '1' },
    });
    expect(events[1]).toMatchObject({
      kind: 'dial_whom',
      status: 'transferring',
      callId: 42,
      transfer: { state: 'started', destination: '+919800000003' },
    });

    db.prepare("UPDATE agents SET status = 'busy' WHERE status = 'available'").run();
    const nobody = await fake.applet(`${receiver.url}?op=dial_whom`, sid, { CurrentTime: '2026-05-19 13:01:50' });
    expect(nobody.status).toBe(404);
  });

  it('reconciles with call details, and cannot cancel', async () => {
    const sid = (await place(42, '+919876543210')).providerCallId as string;
    expect(await provider.getCall(sid)).toMatchObject({ status: 'in_progress' });
    await fake.callback(sid, 'terminal', 'no-answer');
    expect(await provider.getCall(sid)).toMatchObject({ status: 'ended', result: 'no_answer' });
    expect(await provider.getCall('ffffffffffffffffffffffffffffffff')).toBeNull();
    await expect(provider.cancelCall(sid)).rejects.toMatchObject({ kind: 'invalid_request' });
    expect(await provider.testConnection()).toMatchObject({ ok: true });
  });

  it('passes on the fake’s validation message for a number that is not E.164', async () => {
    await expect(place(1, '09876543210')).rejects.toMatchObject({
      kind: 'invalid_request',
      message: expect.stringContaining("Invalid 'From' number"),
    });
  });
});

describe('Exotel fixtures and status table', () => {
  const provider = new ExotelProvider({ apiKey: 'k', apiToken: 't', accountSid: SID });

  it('parses the completed and no-answer callbacks (JSON, urlencoded and multipart bodies alike)', async () => {
    const completed = fixture('exotel-status-completed.json');
    const [json] = provider.parseWebhook(webhookRequest({ body: JSON.stringify(completed) }));
    const [form] = provider.parseWebhook(
      webhookRequest({
        body: new URLSearchParams(completed as Record<string, string>).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(json).toMatchObject({
      providerCallId: 'b6cfaf5f5cef3ca0fc937749ef96d245',
      status: 'ended',
      result: 'completed',
      conversation: true,
      durationS: 78,
    });
    expect(form).toEqual(json);
    const multipartBody = await encodeExotelBody(completed, 'multipart');
    const [multipart] = provider.parseWebhook(
      webhookRequest({ rawBody: multipartBody.body, headers: { 'content-type': multipartBody.contentType } }),
    );
    expect(multipart).toEqual(json);
    const [missed] = provider.parseWebhook(
      webhookRequest({ body: JSON.stringify(fixture('exotel-status-no-answer.json')) }),
    );
    expect(missed).toMatchObject({ status: 'ended', result: 'no_answer', conversation: false });
    expect(missed.recordingUrl).toBeUndefined();
  });

  it('parses the passthru query fixture and strips the quotes around digits', () => {
    const q = new URLSearchParams(fixture('exotel-passthru-query.json') as Record<string, string>);
    const req = webhookRequest({ method: 'GET', url: `https://console.example/hooks/exotel/s?${q}`, body: '' });
    const [e] = provider.parseWebhook(req);
    expect(e).toMatchObject({
      providerCallId: 'b6cfaf5f5cef3ca0fc937749ef96d245',
      status: 'in_progress',
      extracted: { digits: '1' },
    });
    expect(provider.webhookResponse(req)).toEqual({ status: 200, contentType: 'text/plain', body: 'OK' });
  });

  it('maps Status to results (docs/providers.md)', () => {
    const base = fixture('exotel-status-completed.json');
    const map = (over: Record<string, string>) =>
      provider.parseWebhook(webhookRequest({ body: JSON.stringify({ ...base, ...over }) }))[0];
    expect(map({ Status: 'completed', ConversationDuration: '0' })).toMatchObject({
      result: 'no_answer',
      conversation: false,
    });
    expect(map({ Status: 'busy' }).result).toBe('busy');
    expect(map({ Status: 'no-answer' }).result).toBe('no_answer');
    expect(map({ Status: 'failed' }).result).toBe('failed');
    const legs = (second: number) => [
      { OnCallDuration: 78, Status: 'completed', AnsweredBy: 'HUMAN' },
      { OnCallDuration: second, Status: second ? 'completed' : 'no-answer', AnsweredBy: 'NA' },
    ];
    expect(map({ Legs: legs(40) } as unknown as Record<string, string>)).toMatchObject({
      result: 'transferred',
      transfer: { state: 'ended' },
      conversation: true,
    });
    expect(map({ Legs: legs(0) } as unknown as Record<string, string>).result).toBe('completed');
    expect(() => provider.parseWebhook(webhookRequest({ body: '{"Status":"completed"}' }))).toThrow(/without CallSid/);
  });
});
