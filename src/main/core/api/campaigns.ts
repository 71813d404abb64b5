import { type campaignsMethods } from '@shared/contract/campaigns';
import type { Handlers } from '@shared/contract/define';
import type { CoreServices } from '../services';

export function campaignsHandlers(core: CoreServices): Handlers<typeof campaignsMethods> {
  const d = core.dialer;
  const campaigns = core.dialer.campaigns;
  const dnc = core.dnc;
  return {
    'campaigns.list': () => campaigns.list(),
    'campaigns.get': ({ id }) => campaigns.get(id),
    'campaigns.create': (input) => campaigns.create(input),
    'campaigns.update': ({ id, ...patch }) => campaigns.update(id, patch),
    'campaigns.start': ({ id }) => campaigns.start(id),
    'campaigns.pause': ({ id }) => campaigns.pause(id),
    'campaigns.resume': ({ id }) => campaigns.resume(id),
    'campaigns.cancel': ({ id }) => campaigns.cancel(id),
    'campaigns.rerun': ({ id }) => campaigns.rerun(id),
    'campaigns.callNow': (input) => campaigns.callNow(input),
    'campaigns.progress': ({ id }) => d.progress(id),
    'campaigns.writeBack': ({ id, path }) => ({ files: core.contacts.writeBackCampaign(campaigns.get(id), path) }),
    'campaigns.waiting': ({ id, limit, offset }) => d.waiting(id, limit, offset),
    'campaigns.log': ({ id, limit, beforeId }) => d.activityLog(id, limit, beforeId),
    'dnc.list': ({ limit }) => dnc.list(limit),
    'dnc.add': ({ phones, reason }) => ({
      added: dnc.add(phones, { source: 'manual', reason: reason ?? null }).numbers,
    }),
    'dnc.remove': ({ phone }) => ({ removed: dnc.remove([phone]).numbers > 0 }),
  };
}
