import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/create-core';
import { nodePlatform } from '../../src/main/core/node-platform';
import { SimulatorProvider } from '../../src/main/core/providers/simulator';
import { CallsRepository } from '../../src/main/core/store/repositories/calls';
import type { Call } from '../../src/shared/domain';
import { ManualClock } from '../support/clock';
import { tempDir } from '../support/core';
import { advanceUntil, waitUntil } from '../support/wait';

// A simulator campaign with contacts in Hindi, Tamil and Bengali, end to end: each call is placed in its
// contact's language, the simulated conversation is in that language, a hand-off goes to the agent who speaks it,
// and transcript search finds words of those scripts (and not words that merely share their letters).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(): Promise<{ core: Core; clock: ManualClock }> {
  const { dir, cleanup } = tempDir('languages-test-');
  const clock = new ManualClock(Date.now());
  const platform = nodePlatform(dir, { clock });
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
  // 0.3 makes every conversation a confirmation, so each transcript has the same shape in its language.
  const sim = new SimulatorProvider({
    clock,
    logger: platform.logger,
    settings: core.settings,
    secrets: core.secrets,
    random: () => 0.3,
  });
  core.providers.use(sim);
  await core.start();
  return { core, clock };
}

describe('a simulator campaign in three languages', () => {
  it('speaks each contact’s language, hands off to the agent who speaks it, and search finds Hindi and Tamil', async () => {
    const { core, clock } = await setup();
    const api = core.api;
    // Farah has waited longest, so without the language she would take every hand-off.
    const farah = await api['agents.create']({ name: 'Farah', phone: '+919800000001', skills: ['Hindi', 'COD'] });
    const selvi = await api['agents.create']({ name: 'Selvi', phone: '+919800000002', skills: ['Tamil'] });
    await api['agents.create']({ name: 'Joy', phone: '+919800000003', skills: ['bn'] });

    const { listId } = await api['contacts.add']({
      listName: 'Three languages',
      contacts: [
        { name: 'आशा शर्मा', phone: '+919876500001', language: 'hi-IN', variables: { order_id: 'ORD-7' } },
        { name: 'கவின்', phone: '+919876500002', language: 'Tamil', variables: { order_id: 'ORD-8' } },
        { name: 'রিনা', phone: '+919876500003', variables: { order_id: 'ORD-9' } },
      ],
    });
    const campaign = await api['campaigns.create']({
      name: 'Languages',
      listIds: [listId],
      provider: 'simulator',
      voiceAgentId: null,
      settings: { ignoreWindow: true, maxAttempts: 1, concurrency: 3, pacingMs: 0, simSpeed: 1, defaultLanguage: 'bn' },
      startAt: null,
    });
    await api['campaigns.start']({ id: campaign.id });
    await core.dialer.tick();

    const calls = new CallsRepository(core.db);
    const byPhone = () =>
      Object.fromEntries(calls.list({ campaignId: campaign.id, limit: 10 }).map((c) => [c.phone, c])) as Record<
        string,
        Call
      >;
    await advanceUntil(clock, () => Object.keys(byPhone()).length === 3, { stepMs: 500 });
    expect(Object.fromEntries(Object.values(byPhone()).map((c) => [c.phone, c.language]))).toEqual({
      '+919876500001': 'hi-IN',
      '+919876500002': 'ta-IN',
      '+919876500003': 'bn-IN',
    });

    // Hand the Tamil call over while it is in progress: routing picks Selvi, who speaks Tamil.
    const tamil = byPhone()['+919876500002'];
    await advanceUntil(clock, () => calls.getCall(tamil.id)?.status === 'in_progress', { stepMs: 1_000 });
    await advanceUntil(clock, () => calls.transcript(tamil.id).length > 0, { stepMs: 1_000 });
    const transfer = await api['transfers.request']({ callId: tamil.id });
    expect(transfer).toMatchObject({ humanAgentId: selvi.id, humanAgentName: 'Selvi' });
    expect(transfer.humanAgentId).not.toBe(farah.id);
    const card = await api['transfers.handoff']({ id: transfer.id });
    expect(card.call.language).toBe('ta-IN');
    expect(card.transcript[0].text).toContain('வணக்கம்');

    // Ended, and the post-call analysis (summary, full transcript) applied.
    await advanceUntil(clock, () => Object.values(byPhone()).every((c) => c.status === 'ended' && c.summary), {
      stepMs: 2_000,
      maxMs: 300_000,
    });
    await waitUntil(() => core.webhooks.backlog === 0);
    const text = (phone: string) =>
      calls
        .transcript(byPhone()[phone].id)
        .map((t) => t.text)
        .join('\n');
    expect(text('+919876500001')).toMatch(/नमस्ते.*आशा शर्मा/);
    expect(text('+919876500001')).toContain('पुष्टि');
    expect(text('+919876500002')).toContain('வணக்கம்');
    expect(text('+919876500003')).toContain('নমস্কার');
    // No English line in any of them (the simulator's English greeting starts with "Hello").
    for (const phone of ['+919876500001', '+919876500002', '+919876500003']) expect(text(phone)).not.toContain('Hello');

    const search = async (query: string) =>
      (await api['transcripts.search']({ query, limit: 20 })).map((h) => h.phone).sort();
    expect(await search('"मेरी बात"')).toEqual(['+919876500001']);
    expect(await search('शर्मा')).toEqual(['+919876500001']);
    expect(await search('வணக்கம்')).toEqual(['+919876500002']);
    // Whole words only: शर्म is not शर्मा, வணக்க is not வணக்கம், a bare consonant is no word.
    expect(await search('"शर्म"')).toEqual([]);
    expect(await search('"வணக்க"')).toEqual([]);
    expect(await search('"म"')).toEqual([]);
    const [hit] = await api['transcripts.search']({ query: 'வணக்கம்', limit: 1 });
    expect(hit.snippet).toContain('[[வணக்கம்]]');
  });
});
