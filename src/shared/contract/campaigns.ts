import { z } from 'zod';
import { Campaign, CampaignProgress, CampaignSettings, ProviderName, WaitReason } from '../domain';
import { method } from './define';

const Id = z.object({ id: z.number().int() });

const s = CampaignSettings.shape;
/** Only the settings being changed (no defaults filled in, so absent fields keep their current values). */
export const CampaignSettingsPatch = z.object({
  window: s.window.unwrap().optional(),
  days: s.days.unwrap().optional(),
  holidays: s.holidays.unwrap().optional(),
  defaultTimezone: s.defaultTimezone.unwrap().optional(),
  defaultLanguage: s.defaultLanguage.unwrap().optional(),
  ignoreWindow: s.ignoreWindow.unwrap().optional(),
  concurrency: s.concurrency.unwrap().optional(),
  pacingMs: s.pacingMs.unwrap().optional(),
  maxAttempts: s.maxAttempts.unwrap().optional(),
  retryDelaysMs: s.retryDelaysMs.unwrap().optional(),
  retryOn: s.retryOn.unwrap().optional(),
  priority: s.priority.unwrap().optional(),
  variableMapping: s.variableMapping.unwrap().optional(),
  outcomeMapping: s.outcomeMapping.unwrap().optional(),
  wrapUpMs: s.wrapUpMs.unwrap().optional(),
  dispositionRequired: s.dispositionRequired.unwrap().optional(),
  simSpeed: s.simSpeed.unwrap().optional(),
});
export type CampaignSettingsPatch = z.infer<typeof CampaignSettingsPatch>;

export const WaitingContact = z.object({
  contactId: z.number().int(),
  name: z.string(),
  phone: z.string().nullable(),
  timezone: z.string().nullable(),
  attempts: z.number().int(),
  /** When the dialer will next consider the contact; at or before now = waiting for a free line. */
  nextAt: z.number().nullable(),
  waitReason: WaitReason.nullable(),
  lastResult: z.string().nullable(),
});
export type WaitingContact = z.infer<typeof WaitingContact>;

export const ActivityEntry = z.object({
  id: z.number().int(),
  at: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  scope: z.string(),
  campaignId: z.number().int().nullable(),
  callId: z.number().int().nullable(),
  message: z.string(),
});

const Phone = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'phone must be in E.164 form, e.g. +919812345678');

export const campaignsMethods = {
  'campaigns.list': method(z.object({}), z.array(Campaign)),
  'campaigns.get': method(Id, Campaign),
  'campaigns.create': method(
    z.object({
      name: z.string().trim().min(1).max(200),
      listIds: z.array(z.number().int()).min(1),
      provider: ProviderName.default('simulator'),
      voiceAgentId: z.string().nullable().default(null),
      settings: CampaignSettings.partial().default({}),
      startAt: z.number().nullable().default(null),
    }),
    Campaign,
  ),
  /** Draft, scheduled or paused campaigns only. */
  'campaigns.update': method(
    z.object({
      id: z.number().int(),
      name: z.string().trim().min(1).max(200).optional(),
      voiceAgentId: z.string().nullable().optional(),
      settings: CampaignSettingsPatch.optional(),
      startAt: z.number().nullable().optional(),
    }),
    Campaign,
  ),
  'campaigns.start': method(Id, Campaign),
  'campaigns.pause': method(Id, Campaign),
  'campaigns.resume': method(Id, Campaign),
  'campaigns.cancel': method(Id, Campaign),
  /** Completed, cancelled or paused: calls again every contact not reached, with fresh attempts. */
  'campaigns.rerun': method(Id, Campaign),
  /**
   * Single call, a selection, or a whole list, now, through the same engine: into an existing campaign (ahead of
   * its queue) or a new running one holding only these contacts. Calling window, DNC and the other rules still apply.
   */
  'campaigns.callNow': method(
    z.object({
      contactIds: z.array(z.number().int()).min(1).max(100_000),
      campaignId: z.number().int().optional(),
      name: z.string().trim().min(1).max(200).optional(),
      provider: ProviderName.default('simulator'),
      voiceAgentId: z.string().nullable().default(null),
      settings: CampaignSettings.partial().default({}),
    }),
    z.object({ campaign: Campaign, queued: z.number().int() }),
  ),
  'campaigns.progress': method(Id, CampaignProgress),
  /**
   * COD write-back of a campaign: each of its lists' original call_list.csv gets its outcomes (status confirmed /
   * cancelled / rescheduled / wrong_person, reschedule_date and reschedule_time), matched by phone, in place.
   * `path` names the file when the console does not know it (a list imported from an uploaded copy); it is only
   * allowed for a campaign of one list.
   */
  'campaigns.writeBack': method(
    z.object({ id: z.number().int(), path: z.string().trim().min(1).optional() }),
    z.object({
      files: z.array(
        z.object({
          listId: z.number().int(),
          path: z.string(),
          updated: z.number().int(),
          unchanged: z.number().int(),
          unmatched: z.number().int(),
        }),
      ),
    }),
  ),
  /** Contacts still to be called, soonest first, with when and why they wait. */
  'campaigns.waiting': method(
    z.object({
      id: z.number().int(),
      limit: z.number().int().min(1).max(5000).default(200),
      offset: z.number().int().min(0).default(0),
    }),
    z.array(WaitingContact),
  ),
  /** What the dialer did for this campaign, newest first. */
  'campaigns.log': method(
    z.object({
      id: z.number().int(),
      limit: z.number().int().min(1).max(5000).default(200),
      beforeId: z.number().int().optional(),
    }),
    z.array(ActivityEntry),
  ),
  'dnc.list': method(
    z.object({ limit: z.number().int().min(1).max(100_000).default(1000) }),
    z.array(z.object({ phone: z.string(), source: z.string(), reason: z.string().nullable(), createdAt: z.number() })),
  ),
  'dnc.add': method(
    z.object({ phones: z.array(Phone).min(1).max(100_000), reason: z.string().max(500).optional() }),
    z.object({ added: z.number().int() }),
  ),
  'dnc.remove': method(z.object({ phone: Phone }), z.object({ removed: z.boolean() })),
};

export const campaignsEvents = {
  'campaign.updated': Campaign,
  'campaign.progress': CampaignProgress,
};
