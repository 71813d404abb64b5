import { createCore } from '../../src/main/create-core';
import { nodePlatform } from '../../src/main/core/node-platform';
import { contract } from '../../src/shared/contract';

// A supervisor's floor seeded through the core before the web host starts: 200 North American contacts in a draft
// simulator campaign slow enough that all 200 calls are live at once, two human agents, and a list of Indian
// numbers for a campaign whose calling window is closed. Shared by the live board spec and its benchmark.

export const FLOOR_CALLS = 200;
const AREA_CODES = ['212', '305', '312', '415', '615', '713', '850', '915'];

export interface Floor {
  floorCampaignId: number;
  windowListId: number;
}

export async function seedFloor(dataDir: string, options: { simSpeed: number }): Promise<Floor> {
  const core = createCore({ dataDir, platform: nodePlatform(dataDir), host: 'cli' });
  try {
    // Every call answered: the board holds 200 live calls instead of losing the busy and unanswered ones at once.
    core.settings.set('simulator', {
      ...core.settings.get('simulator'),
      answerRate: 1,
      busyRate: 0,
      voicemailRate: 0,
      failRate: 0,
    });
    const add = (input: unknown) => core.api['contacts.add'](contract['contacts.add'].input.parse(input));
    const floor = await add({
      listName: 'Floor 200',
      contacts: Array.from({ length: FLOOR_CALLS }, (_, i) => ({
        name: `Caller ${String(i).padStart(3, '0')}`,
        phone: `+1${AREA_CODES[i % AREA_CODES.length]}555${String(1000 + i).padStart(4, '0')}`,
      })),
    });
    const india = await add({
      listName: 'India morning',
      contacts: [
        { name: 'Asha Rao', phone: '+919810000001' },
        { name: 'Bilal Khan', phone: '+919810000002' },
      ],
    });
    const campaign = await core.api['campaigns.create'](
      contract['campaigns.create'].input.parse({
        name: 'Floor 200',
        listIds: [floor.listId],
        provider: 'simulator',
        settings: { ignoreWindow: true, concurrency: FLOOR_CALLS, maxAttempts: 1, simSpeed: options.simSpeed },
      }),
    );
    for (const agent of [
      { name: 'Meera Nair', phone: '+14155550123', skills: ['English'] },
      { name: 'Ravi Menon', phone: '+14155550124', skills: ['Hindi'] },
    ])
      await core.api['agents.create'](contract['agents.create'].input.parse(agent));
    return { floorCampaignId: campaign.id, windowListId: india.listId };
  } finally {
    await core.close();
  }
}
