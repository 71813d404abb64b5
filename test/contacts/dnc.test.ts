import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CampaignSettings } from '../../src/shared/domain';
import { FakeWorld } from '../engine/support';
import { rng } from '../support/random';
import {
  campaignQueue,
  contacts,
  type Harness,
  invoke,
  seedSheet,
  serviceAccountKey,
  SHEET_ID,
  SHEET_URL,
  startHarness,
} from '../sources/harness';

// A number put on the do-not-call list through any front door (the DNC view, a grid selection, a call's outcome, a
// Google Sheet row arriving after the number was listed) ends up the same: every contact with it not callable, and
// never dialled.

let h: Harness;
let world: FakeWorld;
let dialled: string[];

beforeEach(async () => {
  h = await startHarness();
  dialled = [];
  world = new FakeWorld({ random: rng(7), now: () => h.clock.now(), onPlace: (req) => dialled.push(req.to) });
  h.core.providers.use(world);
  await h.core.start();
});
afterEach(async () => {
  await h.close();
});

const api = () => h.core.api;

async function startCampaign(listIds: number[], settings: Partial<CampaignSettings> = {}): Promise<number> {
  const c = await api()['campaigns.create']({
    name: 'C',
    listIds,
    provider: 'retell',
    voiceAgentId: null,
    settings: { ignoreWindow: true, concurrency: 5, ...settings },
    startAt: null,
  });
  await api()['campaigns.start']({ id: c.id });
  return c.id;
}

/** Lets calls ring and end (the fake provider's webhooks) until the campaign has nobody left to call. */
async function runToEnd(campaignId: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await h.core.dialer.tick();
    if ((await api()['campaigns.get']({ id: campaignId })).state === 'completed') return;
    h.clock.advance(60_000);
    for (const d of world.due(h.clock.now())) h.core.calls.applyEvent(d.event, null, JSON.stringify(d.event));
    await h.core.dialer.idle();
  }
  throw new Error(`campaign ${campaignId} did not complete`);
}

function callable(phone: string): { list_id: number; callable: number; not_callable_reason: string | null }[] {
  return h.core.db
    .prepare<[string], { list_id: number; callable: number; not_callable_reason: string | null }>(
      'SELECT list_id, callable, not_callable_reason FROM contacts WHERE phone = ? ORDER BY id',
    )
    .all(phone);
}

describe('one do-not-call rule, whatever the front door', () => {
  it('the DNC view and a grid selection: every contact with the number, in any list, is not callable and not dialled', async () => {
    const shop = await api()['contacts.add']({
      listName: 'Shop',
      contacts: [
        { name: 'Asha', phone: '+919876500001', variables: {} },
        { name: 'Bimal', phone: '+919876500002', variables: {} },
        { name: 'Chitra', phone: '+919876500003', variables: {} },
      ],
    });
    const office = await api()['contacts.add']({
      listName: 'Office',
      contacts: [{ name: 'Bimal at work', phone: '+919876500002', variables: {} }],
    });
    expect(await api()['dnc.add']({ phones: ['+919876500001'], reason: 'asked by email' })).toEqual({ added: 1 });
    const bimalAtWork = (await api()['contacts.page']({ listId: office.listId, offset: 0, limit: 10 })).rows[0];
    expect(await api()['contacts.markDnc']({ selection: { ids: [bimalAtWork.id] }, reason: 'asked' })).toEqual({
      numbers: 1,
      contacts: 2,
    });

    expect(callable('+919876500001')).toEqual([
      { list_id: shop.listId, callable: 0, not_callable_reason: 'do-not-call list (manual: asked by email)' },
    ]);
    expect(callable('+919876500002').map((c) => [c.list_id, c.callable, c.not_callable_reason])).toEqual([
      [shop.listId, 0, 'do-not-call list (manual: asked)'],
      [office.listId, 0, 'do-not-call list (manual: asked)'],
    ]);
    const log = h.core.db
      .prepare<[], { scope: string; message: string }>("SELECT scope, message FROM activity_log WHERE scope = 'dnc'")
      .all();
    expect(log.map((l) => l.message)).toEqual([
      '+919876500001 added to the do-not-call list (manual: asked by email)',
      '+919876500002 added to the do-not-call list (manual: asked)',
    ]);

    const campaignId = await startCampaign([shop.listId, office.listId]);
    await runToEnd(campaignId);
    expect(dialled).toEqual(['+919876500003']);

    // Taken off the list: its contacts are callable again.
    expect(await api()['dnc.remove']({ phone: '+919876500002' })).toEqual({ removed: true });
    expect(callable('+919876500002').map((c) => c.callable)).toEqual([1, 1]);
  });

  it("a call's outcome do_not_call: the number's other contacts are not callable and no later campaign dials it", async () => {
    const first = await api()['contacts.add']({
      listName: 'Orders',
      contacts: [{ name: 'Asha', phone: '+919812345678', variables: {} }],
    });
    const second = await api()['contacts.add']({
      listName: 'Renewals',
      contacts: [
        { name: 'Asha (renewal)', phone: '+919812345678', variables: {} },
        { name: 'Dev', phone: '+919812345679', variables: {} },
      ],
    });
    const campaignId = await startCampaign([first.listId], { outcomeMapping: { 'Please Stop': 'do_not_call' } });
    await h.core.dialer.tick();
    const [call] = await api()['calls.list']({ campaignId, limit: 10 });
    expect(call.phone).toBe('+919812345678');
    const pcid = call.providerCallId!;
    h.core.calls.applyEvent(
      {
        provider: 'retell',
        providerCallId: pcid,
        dedupeKey: `${pcid}:ended`,
        kind: 'ended',
        status: 'ended',
        result: 'completed',
        conversation: true,
        outcomeHint: 'please stop',
      },
      null,
      '{}',
    );
    expect((await api()['calls.get']({ id: call.id })).call.outcome).toBe('do_not_call');
    expect((await api()['dnc.list']({ limit: 10 })).map((d) => [d.phone, d.source])).toEqual([
      ['+919812345678', 'outcome'],
    ]);
    expect(callable('+919812345678').map((c) => c.callable)).toEqual([0, 0]);
    const logged = await api()['campaigns.log']({ id: campaignId, limit: 50 });
    expect(logged.some((l) => l.callId === call.id && /added to the do-not-call list/.test(l.message))).toBe(true);

    const later = await startCampaign([second.listId]);
    await runToEnd(later);
    expect(dialled).toEqual(['+919812345678', '+919812345679']);
  });

  it('a Google Sheet row with a listed number arrives not callable and is never dialled, also when added later', async () => {
    await api()['dnc.add']({ phones: ['+919876543213', '+919876543214'], reason: 'complaint' });
    seedSheet(h.fake, [
      ['Asha Rao', '+919876543210'],
      ['Kabir Khan', '98765 43213'],
    ]);
    const credential = await invoke(h.core, 'sources.google.addServiceAccount', { content: serviceAccountKey().json });
    const { connection, sync } = await invoke(h.core, 'sources.sheets.connect', {
      url: SHEET_URL,
      credentialId: credential.id,
      defaultCountry: 'IN',
    });
    expect(sync).toMatchObject({ added: 2 });
    expect(contacts(h.core, connection.listId).map((c) => [c.name, c.callable, c.not_callable_reason])).toEqual([
      ['Asha Rao', 1, null],
      ['Kabir Khan', 0, 'do-not-call list (manual: complaint)'],
    ]);

    const campaignId = await startCampaign([connection.listId], { maxAttempts: 1 });
    // A row added while the campaign runs, with another listed number, joins the list not callable.
    h.fake.tab(SHEET_ID, 'Leads').rows.push(['Meera Pillai', '+91 98765 43214']);
    expect(await invoke(h.core, 'sources.sheets.sync', { id: connection.id })).toMatchObject({ added: 1 });
    expect(contacts(h.core, connection.listId).find((c) => c.name === 'Meera Pillai')).toMatchObject({
      callable: 0,
      not_callable_reason: 'do-not-call list (manual: complaint)',
    });
    await runToEnd(campaignId);
    expect(dialled).toEqual(['+919876543210']);
    expect(campaignQueue(h.core, campaignId)).toEqual([
      { name: 'Asha Rao', state: 'done' },
      { name: 'Kabir Khan', state: 'excluded' },
      { name: 'Meera Pillai', state: 'excluded' },
    ]);
  });
});
