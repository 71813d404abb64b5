import { z } from 'zod';
import { Campaign, CampaignProgress, CampaignSettings, ProviderName } from '../domain';
import { method } from './define';

const Id = z.object({ id: z.number().int() });

export const campaignsMethods = {
  'campaigns.list': method(z.object({}), z.array(Campaign)),
  'campaigns.get': method(Id, Campaign),
  'campaigns.create': method(
    z.object({
      name: z.string().trim().min(1).max(200),
      listIds: z.array(z.number().int()).min(1),
      provider: ProviderName.default('simulator'),
      agentId: z.string().nullable().default(null),
      settings: CampaignSettings.partial().default({}),
      startAt: z.number().nullable().default(null),
    }),
    Campaign,
  ),
  'campaigns.start': method(Id, Campaign),
  'campaigns.pause': method(Id, Campaign),
  'campaigns.resume': method(Id, Campaign),
  'campaigns.cancel': method(Id, Campaign),
  'campaigns.progress': method(Id, CampaignProgress),
};

export const campaignsEvents = {
  'campaign.updated': Campaign,
  'campaign.progress': CampaignProgress,
};
