import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createCore } from '../../src/main/create-core';
import { nodePlatform } from '../../src/main/core/node-platform';
import type {
  NormalizedEvent,
  PlaceCallRequest,
  PlaceCallResult,
  ProviderCapabilities,
  VoiceProvider,
} from '../../src/main/core/providers/types';
import type { CallResult } from '../../src/shared/domain';
import { seedList } from './support';

// A real core on a data folder, dialing through a fake provider that outlives it: every call the provider accepts
// is appended to a file (its idempotency key first, synchronously), and after a restart the provider still knows
// those calls (getCall) and sends their webhooks again. The parent test SIGKILLs this process at random moments.

interface ProviderCall {
  key: string;
  callId: number;
  pcid: string;
  to: string;
  endsAt: number;
  result: CallResult;
}

const [dataDir, worldFile, mode, reconcile] = process.argv.slice(2);

class DurableFakeProvider implements VoiceProvider {
  readonly name = 'retell' as const;
  readonly label = 'Durable fake';
  readonly capabilities: ProviderCapabilities = {
    cancel: false,
    transfer: 'none',
    reconcile: reconcile !== 'noreconcile',
    liveTranscript: false,
    callLanguage: 'none',
  };
  readonly calls = new Map<string, ProviderCall>();
  constructor(private readonly deliver: (e: NormalizedEvent) => void) {
    if (existsSync(worldFile)) {
      for (const line of readFileSync(worldFile, 'utf8').split('\n')) {
        if (!line.startsWith('{')) continue; // a line cut by the kill was never acknowledged
        const call = JSON.parse(line) as ProviderCall;
        this.calls.set(call.pcid, call);
      }
    }
  }
  /** After our restart the provider still reports every call it has (duplicates are the receiver's problem). */
  resendAll(): void {
    for (const call of this.calls.values()) this.scheduleEnd(call);
  }
  private scheduleEnd(call: ProviderCall): void {
    setTimeout(() => this.deliver(this.endEvent(call)), Math.max(0, call.endsAt - Date.now()));
  }
  private endEvent(call: ProviderCall): NormalizedEvent {
    return {
      provider: 'retell',
      providerCallId: call.pcid,
      callId: call.callId,
      dedupeKey: `${call.pcid}:ended`,
      kind: 'call_ended',
      status: 'ended',
      result: call.result,
      conversation: call.result === 'completed',
    };
  }
  async placeCall(req: PlaceCallRequest): Promise<PlaceCallResult> {
    const roll = Math.random();
    const result: CallResult = roll < 0.4 ? 'completed' : roll < 0.7 ? 'no_answer' : roll < 0.85 ? 'busy' : 'failed';
    const call: ProviderCall = {
      key: req.idempotencyKey,
      callId: req.callId,
      pcid: `pc-${req.idempotencyKey}`,
      to: req.to,
      endsAt: Date.now() + 50 + Math.floor(Math.random() * 300),
      result,
    };
    appendFileSync(worldFile, JSON.stringify(call) + '\n');
    this.calls.set(call.pcid, call);
    setTimeout(
      () =>
        this.deliver({
          provider: 'retell',
          providerCallId: call.pcid,
          callId: call.callId,
          dedupeKey: `${call.pcid}:ringing`,
          kind: 'ringing',
          status: 'ringing',
        }),
      Math.floor(Math.random() * 40),
    );
    this.scheduleEnd(call);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 30)));
    return { providerCallId: call.pcid };
  }
  async cancelCall(): Promise<void> {}
  async getCall(pcid: string): Promise<Omit<NormalizedEvent, 'dedupeKey'> | null> {
    const call = this.calls.get(pcid);
    if (!call) return null;
    if (call.endsAt > Date.now())
      return { provider: 'retell', providerCallId: pcid, kind: 'get-call', status: 'ringing' };
    const { dedupeKey: _ignored, ...rest } = this.endEvent(call);
    return { ...rest, kind: 'get-call' };
  }
  verifyWebhook(): void {}
  parseWebhook(): NormalizedEvent[] {
    return [];
  }
}

async function main(): Promise<void> {
  const core = createCore({
    dataDir,
    platform: nodePlatform(dataDir),
    host: 'cli',
    dialer: { staleAfterMs: 1_500, sweepEveryMs: 300 },
  });
  const provider = new DurableFakeProvider((e) => {
    try {
      core.calls.applyEvent(e, null, JSON.stringify(e));
    } catch (err) {
      process.stderr.write(`apply failed: ${String(err)}\n`);
    }
  });
  core.providers.use(provider);
  const inFlight = core.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM calls WHERE status <> 'ended'`).get()!
    .n;
  process.stdout.write(`IN_FLIGHT ${inFlight}\n`);
  await core.start();
  provider.resendAll();
  let campaignId = 1;
  if (mode === 'init') {
    const contacts = Array.from({ length: 40 }, (_, i) => ({ name: `C${i}`, phone: `+91981234${String(5000 + i)}` }));
    const { listId } = seedList(core.db, 'crash', contacts, Date.now());
    const c = await core.api['campaigns.create']({
      name: 'crash',
      listIds: [listId],
      provider: 'retell',
      voiceAgentId: null,
      settings: { ignoreWindow: true, concurrency: 6, maxAttempts: 3, retryDelaysMs: [100] },
      startAt: null,
    });
    campaignId = c.id;
    await core.api['campaigns.start']({ id: c.id });
    process.stdout.write('STARTED\n');
  }
  const timer = setInterval(() => {
    const c = core.dialer.campaigns.get(campaignId);
    if (c.state === 'completed') {
      clearInterval(timer);
      process.stdout.write('DONE\n');
      void core.close().then(() => process.exit(0));
    }
  }, 50);
}

void main();
