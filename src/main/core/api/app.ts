import { type appMethods } from '@shared/contract/app';
import type { Handlers } from '@shared/contract/define';
import { CampaignSettings } from '@shared/domain';
import type { CoreServices } from '../services';
import { campaignsHandlers } from './campaigns';
import { contactsHandlers } from './contacts';

/** Fictional numbers (the 555-01xx block is reserved for fiction); the simulator never dials anything real. */
const DEMO_NAMES = [
  'Aarav Sharma',
  'Priya Nair',
  'Rohan Mehta',
  'Ananya Iyer',
  'Vikram Singh',
  'Meera Pillai',
  'Kabir Khan',
  'Sara Thomas',
  'Arjun Reddy',
  'Diya Patel',
  'Ishaan Gupta',
  'Nisha Rao',
  'Dev Malhotra',
  'Tara Joshi',
  'Neil Fernandes',
  'Zoya Ali',
  'Kiran Das',
  'Leela Menon',
  'Omar Sheikh',
  'Ritu Verma',
];
const DEMO_LANGUAGES: (string | null)[] = [null, 'hi-IN', null, 'ta-IN', 'bn-IN'];
const DEMO_ITEMS = ['a blue kurta', 'wireless earbuds', 'a cookware set', 'running shoes', 'a desk lamp'];

export function appHandlers(core: CoreServices): Handlers<typeof appMethods> {
  const contacts = contactsHandlers(core);
  const campaigns = campaignsHandlers(core);
  return {
    'app.info': () => ({
      version: core.options.version ?? '0.0.0',
      dataDir: core.dataDir,
      host: core.options.host,
      webhookBaseUrl: core.webhooks.localUrl,
      publicUrl: core.webhooks.publicUrl,
      providers: core.providers.list(),
      defaultCountry: core.settings.get('defaultCountry'),
    }),
    // Built from the public API so the demo exercises exactly what a user's own list and campaign would.
    'demo.setup': async ({ start, onlyIfEmpty }) => {
      if (onlyIfEmpty && (await contacts['lists.list']({})).length > 0) {
        return { created: false, listId: null, campaignId: null };
      }
      const added = await contacts['contacts.add']({
        listName: 'Simulator demo',
        contacts: DEMO_NAMES.map((name, i) => ({
          name,
          phone: `+1 201 555 01${String(i + 10).padStart(2, '0')}`,
          variables: { order_id: `COD-${1001 + i}`, item: DEMO_ITEMS[i % DEMO_ITEMS.length] },
          // Some customers are called in Hindi, Tamil or Bengali, so the demo shows calls in Indian languages too.
          ...(DEMO_LANGUAGES[i % DEMO_LANGUAGES.length]
            ? { language: DEMO_LANGUAGES[i % DEMO_LANGUAGES.length]! }
            : {}),
        })),
      });
      const campaign = await campaigns['campaigns.create']({
        name: 'Simulator demo: COD confirmation',
        listIds: [added.listId],
        provider: 'simulator',
        voiceAgentId: null,
        startAt: null,
        settings: CampaignSettings.partial().parse({
          ignoreWindow: true,
          concurrency: 5,
          maxAttempts: 2,
          retryDelaysMs: [3_000],
          simSpeed: 20,
        }),
      });
      if (start) await campaigns['campaigns.start']({ id: campaign.id });
      return { created: true, listId: added.listId, campaignId: campaign.id };
    },
  };
}
