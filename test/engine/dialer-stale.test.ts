import { afterEach, describe, expect, it } from 'vitest';
import type {
  NormalizedEvent,
  PlaceCallRequest,
  PlaceCallResult,
  ProviderCapabilities,
  VoiceProvider,
} from '../../src/main/core/providers/types';
import type { CallStatus } from '../../src/shared/domain';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { advanceUntil } from '../support/wait';
import { seedList } from './support';

// A call that never ends must not hold the campaign: a provider that keeps answering "ringing" (or a call that stays
// in progress) is hung up through the provider, ended as stale, counted, and the slot goes to the next contact.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A provider whose calls reach `status` and stay there, however often it is asked. */
class StuckProvider implements VoiceProvider {
  readonly name = 'retell' as const;
  readonly label = 'Stuck fake';
  readonly capabilities: ProviderCapabilities = {
    cancel: true,
    transfer: 'none',
    reconcile: true,
    liveTranscript: false,
    callLanguage: 'none',
  };
  readonly placed: PlaceCallRequest[] = [];
  readonly hungUp: string[] = [];
  constructor(
    private readonly status: CallStatus,
    private readonly deliver: (e: NormalizedEvent) => void,
  ) {}
  async placeCall(req: PlaceCallRequest): Promise<PlaceCallResult> {
    this.placed.push(req);
    const providerCallId = `stuck-${req.callId}`;
    queueMicrotask(() =>
      this.deliver({
        provider: 'retell',
        providerCallId,
        callId: req.callId,
        dedupeKey: `${providerCallId}:${this.status}`,
        kind: this.status,
        status: this.status,
      }),
    );
    return { providerCallId };
  }
  async cancelCall(providerCallId: string): Promise<void> {
    this.hungUp.push(providerCallId);
  }
  async getCall(providerCallId: string): Promise<Omit<NormalizedEvent, 'dedupeKey'>> {
    return { provider: 'retell', providerCallId, kind: 'get-call', status: this.status };
  }
  verifyWebhook(): void {}
  parseWebhook(): NormalizedEvent[] {
    return [];
  }
}

async function setup(status: CallStatus, settings: Record<string, unknown> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 4, 19, 6, 0, 0));
  const core = createTestCore({ clock });
  cleanups.push(() => core.cleanup());
  const provider = new StuckProvider(status, (e) => core.calls.applyEvent(e, null, JSON.stringify(e)));
  core.providers.use(provider);
  await core.start();
  const { listId } = seedList(core.db, 'L', [
    { name: 'A', phone: '+919812345601' },
    { name: 'B', phone: '+919812345602' },
  ]);
  const c = await core.api['campaigns.create']({
    name: 'C',
    listIds: [listId],
    provider: 'retell',
    voiceAgentId: null,
    settings: { ignoreWindow: true, maxAttempts: 1, concurrency: 1, ...settings },
    startAt: null,
  });
  await core.api['campaigns.start']({ id: c.id });
  const calls = () =>
    core.db
      .prepare<
        [],
        {
          id: number;
          status: string;
          result: string | null;
          stale: number;
          counts_as_attempt: number;
          error: string;
          started_at: number;
          answered_at: number | null;
          ended_at: number | null;
        }
      >(
        'SELECT id, status, result, stale, counts_as_attempt, error, started_at, answered_at, ended_at FROM calls ORDER BY id',
      )
      .all();
  const advance = (until: () => boolean, what: string) =>
    advanceUntil(clock, until, {
      stepMs: 60_000,
      maxMs: 3 * 3_600_000,
      settle: () => new Promise((resolve) => setTimeout(resolve, 5)).then(() => core.dialer.idle()),
      what,
    });
  return { clock, core, provider, calls, advance };
}

describe('calls that never end', () => {
  it('a call the provider keeps calling "ringing" is hung up after 15 minutes, ended as stale and counted; the next contact is dialled', async () => {
    const { provider, calls, advance } = await setup('ringing');
    await advance(() => provider.placed.length === 1 && calls()[0]?.status === 'ringing', 'the first call to ring');
    await advance(() => provider.placed.length === 2, 'the second contact to be dialled');
    // Ended by a sweep (one a minute) soon after 15 minutes of ringing.
    const rang = calls()[0].ended_at! - calls()[0].started_at;
    expect(rang).toBeGreaterThanOrEqual(15 * 60_000);
    expect(rang).toBeLessThanOrEqual(18 * 60_000);
    expect(provider.hungUp).toEqual([`stuck-${calls()[0].id}`]);
    expect(calls()[0]).toMatchObject({ status: 'ended', result: 'failed', stale: 1, counts_as_attempt: 1 });
    expect(calls()[0].error).toMatch(/ringing for 1[56] min without being answered/);
  });

  it('a call in progress longer than the campaign’s maximum call length is hung up and counted', async () => {
    const { provider, calls, advance } = await setup('in_progress', { maxCallMs: 20 * 60_000 });
    await advance(() => calls()[0]?.status === 'in_progress', 'the first call to be answered');
    // Not at the 15-minute rule for unanswered calls: an answered call may talk until its maximum.
    await advance(() => provider.placed.length === 2, 'the second contact to be dialled');
    const talked = calls()[0].ended_at! - calls()[0].answered_at!;
    expect(talked).toBeGreaterThanOrEqual(20 * 60_000);
    expect(talked).toBeLessThanOrEqual(23 * 60_000);
    expect(provider.hungUp).toEqual([`stuck-${calls()[0].id}`]);
    expect(calls()[0]).toMatchObject({ status: 'ended', result: 'failed', stale: 1, counts_as_attempt: 1 });
    expect(calls()[0].error).toMatch(/longer than the maximum call length \(20 min\)/);
  });
});
