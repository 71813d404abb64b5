import type { Handlers } from '@shared/contract/define';
import { sourcesMethods } from '@shared/contract/sources';
import type { CoreServices } from '../services';

/**
 * Google's failures arrive as SheetsApiError / SheetsInputError, user-facing errors that name what failed and what
 * to do; the async handlers give in-process callers a rejected promise rather than a throw.
 */
export function sourcesHandlers(core: CoreServices): Handlers<typeof sourcesMethods> {
  const s = core.sources;
  return {
    'sources.google.addServiceAccount': async ({ content }) => s.addServiceAccount(content),
    'sources.google.oauthStart': async ({ clientJson }) => s.oauthStart(clientJson),
    'sources.google.oauthStatus': async ({ flowId }) => s.oauthStatus(flowId),
    'sources.google.credentials': () => s.credentials(),
    'sources.sheets.inspect': async ({ url, credentialId, gid }) => s.inspect(url, credentialId, gid),
    // Parsed again so in-process callers (CLI, demo, tests) get the contract's defaults too.
    'sources.sheets.connect': async (input) => s.connect(sourcesMethods['sources.sheets.connect'].input.parse(input)),
    'sources.sheets.list': () => s.list(),
    'sources.sheets.get': async ({ id }) => s.get(id),
    'sources.sheets.sync': async ({ id }) => s.sync(id),
    'sources.sheets.flush': async ({ id }) => s.flush(id),
    'sources.sheets.setPaused': async ({ id, paused }) => s.setPaused(id, paused),
    'sources.sheets.disconnect': async ({ id }) => {
      await s.disconnect(id);
      return { ok: true as const };
    },
  };
}
