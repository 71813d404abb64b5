import { z } from 'zod';
import { ProviderName } from '../domain';
import { method } from './define';

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
};

export const appEvents = {
  /** A banner-worthy message for whoever is watching (errors name what failed, why and what to do). */
  notice: z.object({
    level: z.enum(['info', 'warning', 'error']),
    message: z.string(),
    at: z.number(),
  }),
};
