import { type campaignsMethods } from '../../../shared/contract/campaigns';
import type { Handlers } from '../../../shared/contract/define';
import type { CoreServices } from '../index';

export function campaignsHandlers(core: CoreServices): Handlers<typeof campaignsMethods> {
  const d = core.dialer;
  const dnc = core.dnc;
  return {
    'campaigns.list': () => d.list(),
    'campaigns.get': ({ id }) => d.get(id),
    'campaigns.create': (input) => d.create(input),
    'campaigns.update': ({ id, ...patch }) => d.update(id, patch),
    'campaigns.start': ({ id }) => d.startCampaign(id),
    'campaigns.pause': ({ id }) => d.pause(id),
    'campaigns.resume': ({ id }) => d.resume(id),
    'campaigns.cancel': ({ id }) => d.cancel(id),
    'campaigns.rerun': ({ id }) => d.rerun(id),
    'campaigns.callNow': (input) => d.callNow(input),
    'campaigns.progress': ({ id }) => d.progress(id),
    'campaigns.waiting': ({ id, limit, offset }) => d.waiting(id, limit, offset),
    'campaigns.log': ({ id, limit, beforeId }) => d.activityLog(id, limit, beforeId),
    'dnc.list': ({ limit }) => dnc.list(limit),
    'dnc.add': ({ phones, reason }) => ({
      added: dnc.add(phones, { source: 'manual', reason: reason ?? null }).numbers,
    }),
    'dnc.remove': ({ phone }) => ({ removed: dnc.remove([phone]).numbers > 0 }),
  };
}
