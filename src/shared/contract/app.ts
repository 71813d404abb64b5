import { z } from 'zod';
import { ProviderName } from '../domain';
import { method } from './define';

/** The main views, in menu order (Ctrl/Cmd+1..5). */
export const AppView = z.enum([
  'contacts',
  'campaigns',
  'live',
  'transcripts',
  'settings',
  'recordings',
  'analytics',
  'logs',
  'review',
]);
export type AppView = z.infer<typeof AppView>;

export const appMethods = {
  'app.info': method(
    z.object({}),
    z.object({
      version: z.string(),
      dataDir: z.string(),
      host: z.enum(['electron', 'web', 'cli']),
      webhookBaseUrl: z.string().nullable(),
      publicUrl: z.string().nullable(),
      providers: z.array(z.object({ name: ProviderName, configured: z.boolean(), label: z.string() })),
      defaultCountry: z.string(),
    }),
  ),
  /** First-run demo: a list of 20 simulator contacts and a fast simulator campaign over it. */
  'demo.setup': method(
    z.object({
      /** Start the campaign at once. */
      start: z.boolean().default(true),
      /** Do nothing when lists already exist (the web host's --demo flag). */
      onlyIfEmpty: z.boolean().default(false),
    }),
    z.object({ created: z.boolean(), listId: z.number().int().nullable(), campaignId: z.number().int().nullable() }),
  ),
};

export const appEvents = {
  /** A banner-worthy message for whoever is watching (errors name what failed, why and what to do). */
  notice: z.object({
    level: z.enum(['info', 'warning', 'error']),
    message: z.string(),
    at: z.number(),
  }),
  /** The desktop menu (Ctrl/Cmd+1..5) asks the renderer to show a view; the web host never sends it. */
  'app.navigate': z.object({ view: AppView }),
};
