import { createCore } from '../../src/main/create-core';
import { nodePlatform } from '../../src/main/core/node-platform';
import { seedList } from './support';

// A real core on a data folder dialing through the built-in simulator, whose calls outlive this process in the data
// folder like a real provider's. The parent SIGKILLs this process at random moments and starts it again; the
// simulator's own record of its calls is what the parent counts provider calls by.

interface Plan {
  contacts: number;
  concurrency: number;
  maxAttempts: number;
  answerRate: number;
  lostAnswerRate: number;
  webhookPort: number;
}

const [dataDir, mode, planJson] = process.argv.slice(2);
const plan = JSON.parse(planJson) as Plan;

async function main(): Promise<void> {
  const core = createCore({
    dataDir,
    platform: nodePlatform(dataDir),
    host: 'cli',
    dialer: { staleAfterMs: 3_000, sweepEveryMs: 250, backoffBaseMs: 20, backoffMaxMs: 100 },
  });
  core.settings.set('webhookPort', plan.webhookPort);
  core.settings.set('simulator', {
    ...core.settings.get('simulator'),
    answerRate: plan.answerRate,
    busyRate: 0.15,
    voicemailRate: 0.05,
    failRate: 0.1,
    lostAnswerRate: plan.lostAnswerRate,
  });
  const inFlight = core.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM calls WHERE status <> 'ended'`).get()!
    .n;
  process.stdout.write(`IN_FLIGHT ${inFlight}\n`);
  await core.start();
  let campaignId = 1;
  if (mode === 'init') {
    const contacts = Array.from({ length: plan.contacts }, (_, i) => ({
      name: `C${i}`,
      phone: `+91981234${String(5000 + i)}`,
    }));
    const { listId } = seedList(core.db, 'crash', contacts, Date.now());
    const c = await core.api['campaigns.create']({
      name: 'crash',
      listIds: [listId],
      provider: 'simulator',
      voiceAgentId: null,
      settings: {
        ignoreWindow: true,
        concurrency: plan.concurrency,
        maxAttempts: plan.maxAttempts,
        retryDelaysMs: [50],
        simSpeed: 400,
      },
      startAt: null,
    });
    campaignId = c.id;
    await core.api['campaigns.start']({ id: c.id });
    process.stdout.write('STARTED\n');
  }
  let pausedSaid = false;
  const timer = setInterval(() => {
    const c = core.dialer.campaigns.get(campaignId);
    if (c.state === 'completed') {
      clearInterval(timer);
      process.stdout.write('DONE\n');
      void core.close().then(() => process.exit(0));
    } else if (c.state === 'paused' && !pausedSaid) {
      pausedSaid = true;
      process.stdout.write(`PAUSED ${c.stateReason ?? ''}\n`);
    }
  }, 50);
}

void main();
