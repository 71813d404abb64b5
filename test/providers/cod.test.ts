import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliver } from '../fakes/http-fake';
import { BolnaSelfHostedFake, TwilioFake } from '../fakes/twilio';
import { tempDir } from '../support/core';
import { waitUntil } from '../support/wait';
import { CoreHarness } from './harness';

// The COD confirmation flow end to end: a call_list.csv imported from disk, a campaign at concurrency 10 through the
// self-hosted Bolna + Twilio fakes (which behave like the servers' source: no call id anywhere, the extraction a
// bare JSON body posted once), identical extraction bodies for two customers, an extraction that names no call, a
// restart in the middle, and the file written back. Every outcome must sit on its own call, nothing may be attached
// by guess, and the file must come back byte for byte as expected.

const ACCOUNT = 'AC00000000000000000000000000000000';
const TOKEN = 'twilio-token';

// Quirks of real files: CRLF, a quoted name with a comma, a status column left empty, an extra column.
const CALL_LIST =
  'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,notes\r\n' +
  'Asha Rao,+919876500001,ORD101,,,,\r\n' +
  'Ravi Kumar,+919876500002,ORD102,,,,\r\n' +
  'Meera Nair,+919876500003,ORD103,,,,"fragile, call first"\r\n' +
  'Jane Smith,+919876500004,ORD104,,,,\r\n' +
  'Vikram Singh,+919876500005,ORD105,,,,\r\n' +
  'Kiran Das,+919876500006,ORD106,,,,\r\n' +
  'Farah Khan,+919876500007,ORD107,,,,\r\n' +
  '"Doe, John",+919876500008,ORD108,,,,\r\n' +
  'Priya Menon,+919876500009,ORD109,,,,\r\n' +
  'Sanjay Gupta,+919876500010,ORD110,,,,\r\n' +
  'Lata Iyer,+919876500011,ORD111,,,,\r\n' +
  'Omar Sheikh,+919876500012,ORD112,,,,\r\n';

const EXPECTED =
  'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,notes\r\n' +
  'Asha Rao,+919876500001,ORD101,confirmed,,,\r\n' +
  'Ravi Kumar,+919876500002,ORD102,confirmed,,,\r\n' +
  'Meera Nair,+919876500003,ORD103,cancelled,,,"fragile, call first"\r\n' +
  'Jane Smith,+919876500004,ORD104,rescheduled,2025-09-13,14:30,\r\n' +
  'Vikram Singh,+919876500005,ORD105,wrong_person,,,\r\n' +
  'Kiran Das,+919876500006,ORD106,,,,\r\n' +
  'Farah Khan,+919876500007,ORD107,,,,\r\n' +
  '"Doe, John",+919876500008,ORD108,,,,\r\n' +
  'Priya Menon,+919876500009,ORD109,,,,\r\n' +
  'Sanjay Gupta,+919876500010,ORD110,confirmed,,,\r\n' +
  'Lata Iyer,+919876500011,ORD111,rescheduled,2025-10-01,10:00,\r\n' +
  'Omar Sheikh,+919876500012,ORD112,cancelled,,,\r\n';

type Ending =
  | { answered: true; duration: number; extraction: Record<string, unknown> | null; toTemplate?: boolean }
  | { answered: false; status: 'no-answer' | 'busy' };

/** How each customer's call goes, by number. Asha and Ravi give the very same answer. */
const SCRIPT: Record<string, Ending> = {
  '+919876500001': { answered: true, duration: 41, extraction: { status: 'confirmed' } },
  '+919876500002': { answered: true, duration: 37, extraction: { status: 'confirmed' } },
  '+919876500003': { answered: true, duration: 52, extraction: { status: 'cancelled' } },
  '+919876500004': {
    answered: true,
    duration: 66,
    extraction: { status: 'rescheduled', reschedule_date: '2025-09-13', reschedule_time: '14:30' },
  },
  '+919876500005': { answered: true, duration: 20, extraction: { status: 'wrong_person' } },
  // Answered, but the agent extracted nothing: the server sends nothing at all.
  '+919876500006': { answered: true, duration: 12, extraction: null },
  '+919876500007': { answered: false, status: 'no-answer' },
  '+919876500008': { answered: false, status: 'busy' },
  // Its extraction reaches the console from an agent without a call token (someone reused the template agent):
  // there is no certain key, so it goes to the review list and the row stays empty.
  '+919876500009': { answered: true, duration: 30, extraction: { status: 'confirmed' }, toTemplate: true },
  '+919876500010': { answered: true, duration: 25, extraction: { status: 'confirmed' } },
  '+919876500011': {
    answered: true,
    duration: 48,
    extraction: { status: 'rescheduled', reschedule_date: '2025-10-01', reschedule_time: '10:00' },
  },
  '+919876500012': { answered: true, duration: 33, extraction: { status: 'cancelled' } },
};

let h: CoreHarness;
let twilio: TwilioFake;
let bolna: BolnaSelfHostedFake;
const files = tempDir('cod-file-');

beforeEach(async () => {
  h = new CoreHarness();
  await h.start();
  twilio = new TwilioFake(ACCOUNT, TOKEN, () => h.clock.now());
  bolna = new BolnaSelfHostedFake(twilio);
  await Promise.all([twilio.start(), bolna.start()]);
});
afterEach(async () => {
  await Promise.all([twilio.close(), bolna.close()]);
  await h.close();
});

async function setUpProvider(): Promise<string> {
  await h.core.api['providers.update']({
    provider: 'bolna_twilio',
    settings: {
      agentServerUrl: bolna.baseUrl,
      telephonyUrl: bolna.baseUrl,
      twilioAccountSid: ACCOUNT,
      twilioBaseUrl: twilio.baseUrl,
      fromNumber: bolna.twilioNumber,
    },
    keys: { twilioAuthToken: TOKEN },
  });
  const { voiceAgentId } = await h.core.api['providers.createAgent']({
    provider: 'bolna_twilio',
    definition: {
      agent_config: {
        agent_name: 'COD confirmation',
        tasks: [
          { task_type: 'conversation', tools_config: {} },
          { task_type: 'webhook', tools_config: { api_tools: { tools_params: { webhook: {} } } } },
        ],
      },
      agent_prompts: { task_1: { system_prompt: 'Confirm order {order_id} for {customer_name}.' } },
    },
  });
  return voiceAgentId;
}

/** Plays one customer's call as Twilio and the self-hosted server would. */
async function play(phone: string, templateAgentId: string): Promise<void> {
  const { sid } = bolna.callTo(phone);
  const ending = SCRIPT[phone];
  await twilio.progress(sid, 'ringing');
  if (!ending.answered) {
    expect((await twilio.progress(sid, ending.status))?.status).toBe(200);
    expect(await bolna.sendExtraction(sid, { status: 'confirmed' })).toBeNull(); // unanswered: nothing is sent
    return;
  }
  await twilio.progress(sid, 'in-progress');
  expect((await twilio.progress(sid, 'completed', { duration: ending.duration }))?.status).toBe(200);
  if (ending.toTemplate) {
    const template = bolna.agents.get(templateAgentId) as {
      tasks: { tools_config?: { api_tools?: { tools_params?: { webhook?: { url?: string } } } } }[];
    };
    const url = template.tasks[1].tools_config?.api_tools?.tools_params?.webhook?.url as string;
    const res = await deliver(url, {
      body: JSON.stringify(ending.extraction),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    return;
  }
  const sent = await bolna.sendExtraction(sid, ending.extraction);
  if (ending.extraction) expect(sent?.status).toBe(200);
  else expect(sent).toBeNull();
}

describe('COD confirmation through self-hosted Bolna + Twilio', () => {
  it('concurrency 10, identical answers, an extraction with no call, a restart mid-run: call_list.csv written back byte for byte', async () => {
    const template = await setUpProvider();
    const path = join(files.dir, 'call_list.csv');
    writeFileSync(path, CALL_LIST);
    // Chosen at import: write the outcomes into this file when the campaign completes.
    const imported = await h.core.contacts.importFile(path, {
      listName: 'COD 25 Nov',
      country: 'IN',
      writeBackAtEnd: true,
    });
    expect(imported).toMatchObject({ accepted: 12, rejected: [] });
    const campaign = await h.core.api['campaigns.create']({
      name: 'COD 25 Nov',
      listIds: [imported.list_id],
      provider: 'bolna_twilio',
      voiceAgentId: null,
      settings: { ignoreWindow: true, maxAttempts: 1, concurrency: 10 },
      startAt: null,
    });
    await h.core.api['campaigns.start']({ id: campaign.id });
    await h.core.dialer.tick();
    await waitUntil(async () => (await h.calls()).filter((c) => c.providerCallId).length === 10, {
      what: 'ten calls placed and found in Twilio',
    });
    expect((await h.calls()).length).toBe(10);
    const firstWave = (await h.calls()).map((c) => c.phone);

    // Half of the first wave ends before the restart, including both identical answers.
    const beforeRestart = firstWave.slice(0, 5);
    const afterRestart = firstWave.slice(5);
    for (const phone of beforeRestart) await play(phone, template);
    await h.settle();

    await h.restart();
    for (const phone of afterRestart) await play(phone, template);
    await h.settle();
    await h.core.dialer.tick();
    await waitUntil(async () => (await h.calls()).filter((c) => c.providerCallId).length === 12, {
      what: 'the last two calls placed after the restart',
    });
    const secondWave = (await h.calls()).map((c) => c.phone).filter((p) => !firstWave.includes(p));
    expect(secondWave).toHaveLength(2);
    for (const phone of secondWave) await play(phone, template);
    await h.settle();
    await h.core.dialer.tick();
    await waitUntil(async () => (await h.core.api['campaigns.get']({ id: campaign.id })).state === 'completed', {
      what: 'the campaign to complete',
    });

    // Every outcome on its own call, and only where an extraction certainly belonged to that call.
    const calls = await h.calls();
    const outcomeOf = (phone: string) => calls.find((c) => c.phone === phone)?.outcome ?? null;
    expect(Object.fromEntries(Object.keys(SCRIPT).map((p) => [p, outcomeOf(p)]))).toEqual({
      '+919876500001': 'confirmed',
      '+919876500002': 'confirmed',
      '+919876500003': 'cancelled',
      '+919876500004': 'rescheduled',
      '+919876500005': 'wrong_person',
      '+919876500006': null,
      '+919876500007': null,
      '+919876500008': null,
      '+919876500009': null,
      '+919876500010': 'confirmed',
      '+919876500011': 'rescheduled',
      '+919876500012': 'cancelled',
    });
    for (const phone of ['+919876500001', '+919876500002']) {
      const detail = await h.detail(phone);
      // One extraction each, filling the ended call (not a duplicate of the other customer's identical body).
      expect(detail.events.filter((e) => e.kind === 'extraction').map((e) => e.disposition)).toEqual(['enriched']);
    }
    expect(calls.find((c) => c.phone === '+919876500007')?.result).toBe('no_answer');
    expect(calls.find((c) => c.phone === '+919876500008')?.result).toBe('busy');

    // The extraction with no call token waits in the review list with its raw JSON.
    const review = await h.core.api['review.list']({ includeResolved: false, limit: 50 });
    expect(review).toHaveLength(1);
    expect(review[0]).toMatchObject({ provider: 'bolna_twilio', kind: 'extraction', state: 'open', callId: null });
    expect(JSON.parse(review[0].raw)).toEqual({ status: 'confirmed' });
    expect(review[0].reason).toMatch(/no call token/);

    // The agent copies of the first ten calls (all ended) were deleted before the last two were placed; the copies
    // of those two wait for the next call or the poll that sees their end. The template stays.
    expect(bolna.requestsTo('DELETE', /^\/agent\//)).toHaveLength(10);
    expect(bolna.agents.size).toBe(3);
    expect(bolna.agents.has(template)).toBe(true);

    // Written back by itself at the end (the last extraction came after the campaign completed, and is in too).
    await waitUntil(() => readFileSync(path, 'utf8') === EXPECTED, { what: 'call_list.csv written back at the end' });
    expect(readFileSync(path, 'utf8')).toBe(EXPECTED);
    // The campaign action (and `campaign write-back`) writes the same: nothing left to change.
    const written = await h.core.api['campaigns.writeBack']({ id: campaign.id });
    expect(written.files).toEqual([{ listId: imported.list_id, path, updated: 0, unchanged: 8, unmatched: 4 }]);
    expect(readFileSync(path, 'utf8')).toBe(EXPECTED);

    // A person who knows whose answer it was attaches it; only then does Priya's row get a status.
    const priya = calls.find((c) => c.phone === '+919876500009')!;
    expect(await h.core.api['review.attach']({ id: review[0].id, callId: priya.id })).toMatchObject({
      state: 'attached',
      callId: priya.id,
    });
    expect((await h.callTo('+919876500009')).outcome).toBe('confirmed');
    expect(await h.core.api['review.list']({ includeResolved: false, limit: 50 })).toEqual([]);
    const withPriya = EXPECTED.replace(
      'Priya Menon,+919876500009,ORD109,,,,',
      'Priya Menon,+919876500009,ORD109,confirmed,,,',
    );
    await waitUntil(() => readFileSync(path, 'utf8') === withPriya, { what: "Priya's attached outcome in the file" });
  });
});
