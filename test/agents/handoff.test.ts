import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/create-core';
import { nodePlatform } from '../../src/main/core/node-platform';
import { SimulatorProvider } from '../../src/main/core/providers/simulator';
import { CallsRepository } from '../../src/main/core/store/repositories/calls';
import { contract, type AnyEvent, type ApiInput, type ApiOutput, type MethodName } from '../../src/shared/contract';
import type { Call } from '../../src/shared/domain';
import { ManualClock } from '../support/clock';
import { tempDir } from '../support/core';
import { waitUntil } from '../support/wait';

interface Harness {
  core: Core;
  sim: SimulatorProvider;
  clock: ManualClock;
  notes: { title: string; body: string }[];
  events: AnyEvent[];
}

/** Calls the API the way the bindings do: input parsed against the contract first (defaults applied). */
async function api<K extends MethodName>(core: Core, name: K, input: ApiInput<K>): Promise<ApiOutput<K>> {
  const handler = core.api[name] as (i: unknown) => Promise<ApiOutput<K>> | ApiOutput<K>;
  return handler(contract[name].input.parse(input));
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A real core (SQLite file, webhook server on 127.0.0.1) whose platform records notifications. */
async function setup(reuse?: { dir: string; clock: ManualClock }): Promise<Harness & { dir: string }> {
  const { dir, cleanup } = reuse ? { dir: reuse.dir, cleanup: () => undefined } : tempDir('agents-test-');
  const clock = reuse?.clock ?? new ManualClock(Date.now());
  const notes: { title: string; body: string }[] = [];
  const platform = {
    ...nodePlatform(dir, { clock }),
    notifier: { notify: (title: string, body: string) => notes.push({ title, body }) },
  };
  const core = createCore({ dataDir: dir, platform, host: 'cli' });
  cleanups.push(async () => {
    await core.close().catch(() => undefined);
    cleanup();
  });
  core.settings.set('simulator', {
    ...core.settings.get('simulator'),
    answerRate: 1,
    busyRate: 0,
    voicemailRate: 0,
    failRate: 0,
  });
  const sim = new SimulatorProvider({
    clock,
    logger: platform.logger,
    settings: core.settings,
    secrets: core.secrets,
    random: () => 0.5,
  });
  core.providers.use(sim);
  await core.start();
  const events: AnyEvent[] = [];
  core.bus.subscribe((e) => events.push(e));
  return { core, sim, clock, notes, events, dir };
}

/** Writes an attempt the way the dialer does and has the simulator place it (1× speed, driven by the manual clock). */
async function dial(
  h: Harness,
  phone: string,
  variables: Record<string, string>,
  campaignId: number | null = null,
): Promise<{ callId: number; providerCallId: string }> {
  const calls = new CallsRepository(h.core.db);
  const key = `k-${phone}-${h.clock.now()}`;
  const callId = calls.insertAttempt({
    campaignId,
    contactId: null,
    phone,
    attempt: 1,
    idempotencyKey: key,
    provider: 'simulator',
    variablesJson: JSON.stringify(variables),
    createdAt: h.clock.now(),
  });
  const { providerCallId } = await h.sim.placeCall({
    callId,
    idempotencyKey: key,
    to: phone,
    from: null,
    voiceAgentId: null,
    contactName: 'Asha Rao',
    variables,
    webhookUrl: h.core.webhooks.hookUrl('simulator'),
    simSpeed: 1,
  });
  h.core.calls.markPlaced(callId, providerCallId);
  return { callId, providerCallId: providerCallId! };
}

function callOf(h: Harness, callId: number, until: (c: Call) => boolean): Promise<Call> {
  return waitUntil(() => {
    const call = new CallsRepository(h.core.db).getCall(callId);
    return call && until(call) ? call : null;
  });
}

describe('agent roster', () => {
  it('stores phones as E.164, requires a way to reach the agent, and names the field that is wrong', async () => {
    const { core } = await setup();
    const a = await api(core, 'agents.create', {
      name: ' Meera ',
      phone: '+91 98100 00001',
      skills: ['Hindi', 'Hindi', 'COD'],
    });
    expect(a).toMatchObject({
      name: 'Meera',
      phone: '+919810000001',
      sip: null,
      status: 'available',
      skills: ['Hindi', 'COD'],
    });
    await expect(api(core, 'agents.create', { name: 'X', phone: '98100 00001', skills: [] })).rejects.toThrow(
      /\+ and the country code/,
    );
    await expect(api(core, 'agents.create', { name: 'Y', skills: [] })).rejects.toThrow(
      /phone number or a SIP address/,
    );
    await expect(api(core, 'agents.create', { name: 'Z', sip: 'desk-3', skills: [] })).rejects.toThrow(/sip:agent@/);
    const s = await api(core, 'agents.create', { name: 'Desk', sip: 'sip:desk3@pbx.example.com', skills: [] });
    expect((await api(core, 'agents.update', { id: s.id, phone: '+1 415 555 0123' })).phone).toBe('+14155550123');
    expect((await api(core, 'agents.setStatus', { id: a.id, status: 'away' })).status).toBe('away');
    expect((await api(core, 'agents.list', {})).map((x) => x.name)).toEqual(['Desk', 'Meera']);
    expect(await api(core, 'agents.delete', { id: s.id })).toEqual({ deleted: true });
  });
});

describe('transfer on the simulator through the core and the webhook server', () => {
  it('moves the call to transferring then ended transferred, records the transfer, keeps the agent busy until wrap-up, notifies once', async () => {
    const h = await setup();
    const { core, clock } = h;
    const busy = await api(core, 'agents.create', { name: 'Busy Bee', phone: '+14155550101', skills: [] });
    const away = await api(core, 'agents.create', { name: 'Away Ann', phone: '+14155550102', skills: [] });
    const meera = await api(core, 'agents.create', { name: 'Meera', phone: '+14155550103', skills: ['English'] });
    await api(core, 'agents.setStatus', { id: busy.id, status: 'busy' });
    await api(core, 'agents.setStatus', { id: away.id, status: 'away' });

    // An earlier call with the same number, to appear on the hand-off card.
    const first = await dial(h, '+919810000077', { order_id: 'ORD-1' });
    clock.advance(120_000);
    await callOf(h, first.callId, (c) => c.status === 'ended');

    const { callId } = await dial(h, '+919810000077', { order_id: 'ORD-2', amount: '₹499' });
    await expect(api(core, 'transfers.request', { callId })).rejects.toThrow(/only a call in progress/);
    clock.advance(16_000);
    await callOf(h, callId, (c) => c.status === 'in_progress');
    clock.advance(6_000);
    await waitUntil(() => new CallsRepository(core.db).transcript(callId).length > 0);

    // Explicitly choosing a busy or away agent is refused; routing picks the available one.
    await expect(api(core, 'transfers.request', { callId, humanAgentId: busy.id })).rejects.toThrow(/Busy Bee is busy/);
    await expect(api(core, 'transfers.request', { callId, humanAgentId: away.id })).rejects.toThrow(/Away Ann is away/);
    const requested = await api(core, 'transfers.request', { callId });
    expect(requested).toMatchObject({
      humanAgentId: meera.id,
      humanAgentName: 'Meera',
      status: expect.stringMatching(/requested|ringing/),
    });
    expect((await api(core, 'agents.list', {})).find((a) => a.id === meera.id)!.status).toBe('busy');
    await expect(api(core, 'transfers.request', { callId })).rejects.toThrow(/already being transferred/);

    await callOf(h, callId, (c) => c.status === 'transferring');
    await waitUntil(() => core.agents.transfers.repo.get(requested.id)!.status === 'ringing');
    const card = await api(core, 'transfers.handoff', { id: requested.id });
    expect(card.variables).toEqual({ order_id: 'ORD-2', amount: '₹499' });
    expect(card.transcript.length).toBeGreaterThan(0);
    expect(card.previousCalls.map((c) => c.id)).toEqual([first.callId]);

    clock.advance(5_000);
    const ended = await callOf(h, callId, (c) => c.status === 'ended');
    expect(ended.result).toBe('transferred');
    const connected = await waitUntil(() => {
      const t = core.agents.transfers.repo.get(requested.id)!;
      return t.status === 'connected' ? t : null;
    });
    expect(connected.connectedAt).not.toBeNull();
    // The call is over for the console: Meera is in wrap-up until she disposes (or the wrap-up time passes).
    expect(core.agents.roster.get(meera.id).status).toBe('wrap_up');
    expect(connected).toMatchObject({ canDispose: true, dispositionRequired: false });
    expect(connected.wrapUpUntil).toBe(ended.endedAt! + 120_000);
    expect(h.notes).toEqual([{ title: 'Call transferred', body: '+919810000077 → Meera' }]);
    expect(
      h.events.some(
        (e) => e.type === 'transfer.updated' && e.payload.id === requested.id && e.payload.status === 'connected',
      ),
    ).toBe(true);

    const done = await api(core, 'transfers.dispose', {
      id: requested.id,
      disposition: 'sale_made',
      notes: 'Upgraded to annual plan',
    });
    expect(done).toMatchObject({ status: 'ended', disposition: 'sale_made', notes: 'Upgraded to annual plan' });
    expect(new CallsRepository(core.db).getCall(callId)!.outcome).toBe('sale_made');
    expect(core.agents.roster.get(meera.id).status).toBe('available');
    expect(core.agents.roster.get(busy.id).status).toBe('busy');

    const counts = await api(core, 'transfers.counts', {});
    expect(counts).toEqual([
      { campaignId: null, day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), transfers: 1, connected: 1, failed: 0 },
    ]);
  });

  it('refuses when nobody is available, and frees the agent when the provider refuses the transfer', async () => {
    const h = await setup();
    const { core, clock } = h;
    const ann = await api(core, 'agents.create', { name: 'Ann', phone: '+14155550102', skills: [] });
    await api(core, 'agents.setStatus', { id: ann.id, status: 'away' });
    const { callId, providerCallId } = await dial(h, '+919810000078', {});
    clock.advance(16_000);
    await callOf(h, callId, (c) => c.status === 'in_progress');
    await expect(api(core, 'transfers.request', { callId })).rejects.toThrow(/No agent is available/);

    await api(core, 'agents.setStatus', { id: ann.id, status: 'available' });
    await h.sim.cancelCall(providerCallId);
    await callOf(h, callId, (c) => c.status === 'ended');
    await expect(api(core, 'transfers.request', { callId })).rejects.toThrow(/only a call in progress/);

    // In progress as far as the console knows, unknown to the simulator: the provider refuses the transfer.
    const calls = new CallsRepository(core.db);
    const ghost = calls.insertAttempt({
      campaignId: null,
      contactId: null,
      phone: '+919810000079',
      attempt: 1,
      idempotencyKey: 'ghost',
      provider: 'simulator',
      variablesJson: '{}',
      createdAt: clock.now(),
    });
    core.calls.markPlaced(ghost, 'sim_ghost');
    core.calls.applyEvent(
      {
        provider: 'simulator',
        providerCallId: 'sim_ghost',
        callId: ghost,
        dedupeKey: 'g1',
        kind: 'answered',
        status: 'in_progress',
      },
      null,
      '{}',
    );
    await expect(api(core, 'transfers.request', { callId: ghost })).rejects.toThrow(
      /could not transfer call \d+ to Ann/,
    );
    expect(await api(core, 'transfers.list', {})).toMatchObject([
      { callId: ghost, status: 'failed', error: expect.stringMatching(/refused/) },
    ]);
    expect(core.agents.roster.get(ann.id).status).toBe('available');
    expect(h.notes).toEqual([]);
  });

  it('records a transfer the provider made by itself (agent_variable / flow): routed agent busy, notified, failed leg frees them', async () => {
    const h = await setup();
    const { core, clock } = h;
    const raj = await api(core, 'agents.create', { name: 'Raj', phone: '+14155550104', skills: [] });
    const calls = new CallsRepository(core.db);
    const attempt = (n: number) =>
      calls.insertAttempt({
        campaignId: null,
        contactId: null,
        phone: `+91981000010${n}`,
        attempt: 1,
        idempotencyKey: `ext-${n}`,
        provider: 'exotel',
        variablesJson: '{}',
        createdAt: clock.now(),
      });
    const a = attempt(1);
    core.calls.markPlaced(a, 'ex-1');
    const ev = (kind: string, extra: object) =>
      core.calls.applyEvent(
        { provider: 'exotel', providerCallId: 'ex-1', callId: a, dedupeKey: `ex-1-${kind}`, kind, ...extra },
        null,
        '{}',
      );
    ev('answered', { status: 'in_progress' });
    ev('dial-whom', { status: 'transferring', transfer: { state: 'started', destination: raj.phone! } });
    const open = await api(core, 'transfers.list', { open: true });
    expect(open).toMatchObject([{ callId: a, humanAgentId: raj.id, status: 'ringing' }]);
    expect(core.agents.roster.get(raj.id).status).toBe('busy');
    expect(h.notes).toHaveLength(1);
    ev('completed', { status: 'ended', result: 'transferred', conversation: true });
    expect((await api(core, 'transfers.list', {}))[0].status).toBe('connected');
    await api(core, 'transfers.dispose', { id: open[0].id, disposition: 'Asked for a callback on Monday', notes: '' });
    expect(calls.getCall(a)!.outcome).toBeNull();
    expect(core.agents.roster.get(raj.id).status).toBe('available');

    // A second call whose Connect leg nobody answered: the transfer fails and the agent is free again.
    const b = attempt(2);
    core.calls.markPlaced(b, 'ex-2');
    const ev2 = (kind: string, extra: object) =>
      core.calls.applyEvent(
        { provider: 'exotel', providerCallId: 'ex-2', callId: b, dedupeKey: `ex-2-${kind}`, kind, ...extra },
        null,
        '{}',
      );
    ev2('answered', { status: 'in_progress' });
    ev2('dial-whom', { status: 'transferring' });
    expect(core.agents.roster.get(raj.id).status).toBe('busy');
    ev2('completed', { status: 'ended', result: 'completed' });
    expect((await api(core, 'transfers.list', { callId: b }))[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/before the agent took it/),
    });
    expect(core.agents.roster.get(raj.id).status).toBe('available');
    expect(await api(core, 'transfers.counts', {})).toMatchObject([{ transfers: 2, connected: 1, failed: 1 }]);
  });
  it("gives the transfer to the agent the provider says it dialled, not to routing's guess", async () => {
    const h = await setup();
    const { core, clock } = h;
    const raj = await api(core, 'agents.create', { name: 'Raj', phone: '+14155550104', skills: [] });
    const meera = await api(core, 'agents.create', { name: 'Meera', phone: '+14155550105', skills: [] });
    const calls = new CallsRepository(core.db);
    const id = calls.insertAttempt({
      campaignId: null,
      contactId: null,
      phone: '+12125550188',
      attempt: 1,
      idempotencyKey: 'retell-1',
      provider: 'retell',
      variablesJson: '{}',
      createdAt: clock.now(),
    });
    core.calls.markPlaced(id, 'rt-1');
    const ev = (kind: string, extra: object) =>
      core.calls.applyEvent(
        { provider: 'retell', providerCallId: 'rt-1', callId: id, dedupeKey: `rt-1-${kind}`, kind, ...extra },
        null,
        '{}',
      );
    ev('call_started', { status: 'in_progress' });
    // A cold transfer reported only at the end, naming where it went (Retell call_ended with transfer_destination).
    ev('call_ended', {
      status: 'ended',
      result: 'transferred',
      conversation: true,
      transfer: { state: 'ended', destination: meera.phone! },
    });
    const [transfer] = await api(core, 'transfers.list', { callId: id });
    expect(transfer).toMatchObject({ humanAgentId: meera.id, status: 'connected' });
    // The call is over for the console: the agent it went to is in wrap-up, routing's guess is free again.
    expect(core.agents.roster.get(meera.id).status).toBe('wrap_up');
    expect(core.agents.roster.get(raj.id).status).toBe('available');
    expect(h.events.some((e) => e.type === 'call.transfer' && e.payload.destination === meera.phone)).toBe(true);
  });
});

describe('the hand-off loop', () => {
  /** A live simulator call handed to Meera, up to the moment the agent's leg is ringing. */
  async function ringing(h: Harness, campaignId: number | null = null) {
    const meera = await api(h.core, 'agents.create', { name: 'Meera', phone: '+14155550103', skills: [] });
    const { callId } = await dial(h, '+919810000088', { order_id: 'ORD-9' }, campaignId);
    h.clock.advance(22_000);
    await callOf(h, callId, (c) => c.status === 'in_progress');
    const t = await api(h.core, 'transfers.request', { callId });
    await waitUntil(() => h.core.agents.transfers.repo.get(t.id)!.status === 'ringing');
    return { meera, callId, transfer: t };
  }
  const statusOf = (h: Harness, id: number) => h.core.agents.roster.get(id).status;

  it('refuses a disposition before the agent’s leg connects; early disposal cannot leave the agent busy', async () => {
    const h = await setup();
    const { meera, callId, transfer } = await ringing(h);
    expect(h.core.agents.transfers.repo.get(transfer.id)!.canDispose).toBe(false);
    await expect(
      api(h.core, 'transfers.dispose', { id: transfer.id, disposition: 'confirmed', notes: '' }),
    ).rejects.toThrow(/still ringing Meera/);
    expect(statusOf(h, meera.id)).toBe('busy');

    h.clock.advance(5_000);
    await callOf(h, callId, (c) => c.status === 'ended' && c.result === 'transferred');
    await waitUntil(() => statusOf(h, meera.id) === 'wrap_up');
    const agentEvents = () =>
      h.events.filter((e) => e.type === 'agent.updated' && e.payload.agent?.status === 'wrap_up').length;
    expect(agentEvents()).toBeGreaterThan(0);

    // Nobody disposes: the default wrap-up time (2 minutes after the call ended) makes her ready by itself.
    const inWrapUp = h.core.agents.transfers.repo.get(transfer.id)!;
    const endedAt = new CallsRepository(h.core.db).getCall(callId)!.endedAt!;
    expect(inWrapUp.wrapUpUntil).toBe(endedAt + 120_000);
    h.clock.advanceTo(inWrapUp.wrapUpUntil! - 1);
    expect(statusOf(h, meera.id)).toBe('wrap_up');
    h.clock.advanceTo(inWrapUp.wrapUpUntil!);
    expect(statusOf(h, meera.id)).toBe('available');
    expect(h.core.agents.transfers.repo.get(transfer.id)).toMatchObject({ status: 'ended', disposition: null });

    // The disposition can still be recorded afterwards; she stays ready.
    const late = await api(h.core, 'transfers.dispose', { id: transfer.id, disposition: 'confirmed', notes: 'late' });
    expect(late).toMatchObject({ status: 'ended', disposition: 'confirmed' });
    expect(statusOf(h, meera.id)).toBe('available');
  });

  it('disposing in wrap-up makes the agent ready at once', async () => {
    const h = await setup();
    const { meera, callId, transfer } = await ringing(h);
    h.clock.advance(5_000);
    await callOf(h, callId, (c) => c.status === 'ended');
    await waitUntil(() => statusOf(h, meera.id) === 'wrap_up');
    await api(h.core, 'transfers.dispose', { id: transfer.id, disposition: 'callback_requested', notes: 'Tuesday' });
    expect(statusOf(h, meera.id)).toBe('available');
    h.clock.advance(10 * 60_000);
    expect(h.core.agents.transfers.repo.get(transfer.id)).toMatchObject({ disposition: 'callback_requested' });
  });

  it('keeps the agent in wrap-up until they dispose when the campaign requires a disposition', async () => {
    const h = await setup();
    const list = await api(h.core, 'lists.create', { name: 'Required' });
    const campaign = await api(h.core, 'campaigns.create', {
      name: 'Required disposition',
      listIds: [list.id],
      provider: 'simulator',
      voiceAgentId: null,
      settings: { dispositionRequired: true, wrapUpMs: 30_000 },
      startAt: null,
    });
    const { meera, callId, transfer } = await ringing(h, campaign.id);
    h.clock.advance(5_000);
    await callOf(h, callId, (c) => c.status === 'ended');
    await waitUntil(() => statusOf(h, meera.id) === 'wrap_up');
    expect(h.core.agents.transfers.repo.get(transfer.id)).toMatchObject({
      dispositionRequired: true,
      wrapUpUntil: null,
    });
    h.clock.advance(60 * 60_000);
    expect(statusOf(h, meera.id)).toBe('wrap_up');
    await api(h.core, 'transfers.dispose', { id: transfer.id, disposition: 'confirmed', notes: '' });
    expect(statusOf(h, meera.id)).toBe('available');
  });

  it('after a restart, a wrap-up whose time passed ends and the agent is ready', async () => {
    const h = await setup();
    const { meera, callId, transfer } = await ringing(h);
    h.clock.advance(5_000);
    await callOf(h, callId, (c) => c.status === 'ended');
    await waitUntil(() => statusOf(h, meera.id) === 'wrap_up');
    await h.core.close();
    h.clock.advance(5 * 60_000);
    const again = await setup({ dir: h.dir, clock: h.clock });
    h.clock.advance(0);
    expect(again.core.agents.roster.get(meera.id).status).toBe('available');
    expect(again.core.agents.transfers.repo.get(transfer.id)!.status).toBe('ended');
  });
});
