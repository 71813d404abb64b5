import { appMethods } from '../../../shared/contract/app';
import type { Handlers } from '../../../shared/contract/define';
import type { Core } from '../index';

export function appHandlers(core: Core): Handlers<typeof appMethods> {
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
  };
}
