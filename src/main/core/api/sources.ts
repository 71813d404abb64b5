import type { Handlers } from '../../../shared/contract/define';
import { sourcesMethods } from '../../../shared/contract/sources';
import type { CoreServices } from '../index';
import { SheetsApiError, SheetsInputError } from '../sources/google-sheets';
import { ApiError } from './index';

/** Google errors become API errors the renderer can show as they are (they name what failed and what to do). */
async function guard<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SheetsInputError) throw new ApiError('invalid_input', err.message);
    if (err instanceof SheetsApiError) {
      throw new ApiError(
        err.status === 403
          ? 'forbidden'
          : err.status === 404
            ? 'not_found'
            : err.transient
              ? 'unavailable'
              : 'invalid_input',
        err.message,
      );
    }
    throw err;
  }
}

export function sourcesHandlers(core: CoreServices): Handlers<typeof sourcesMethods> {
  const s = core.sources;
  return {
    'sources.google.addServiceAccount': ({ content }) => guard(() => s.addServiceAccount(content)),
    'sources.google.oauthStart': ({ clientJson }) => guard(() => s.oauthStart(clientJson)),
    'sources.google.oauthStatus': ({ flowId }) => guard(() => s.oauthStatus(flowId)),
    'sources.google.credentials': () => s.credentials(),
    'sources.sheets.inspect': ({ url, credentialId, gid }) => guard(() => s.inspect(url, credentialId, gid)),
    // Parsed again so in-process callers (CLI, demo, tests) get the contract's defaults too.
    'sources.sheets.connect': (input) =>
      guard(() => s.connect(sourcesMethods['sources.sheets.connect'].input.parse(input))),
    'sources.sheets.list': () => s.list(),
    'sources.sheets.get': ({ id }) => guard(() => s.get(id)),
    'sources.sheets.sync': ({ id }) => guard(() => s.sync(id)),
    'sources.sheets.flush': ({ id }) => guard(() => s.flush(id)),
    'sources.sheets.setPaused': ({ id, paused }) => guard(() => s.setPaused(id, paused)),
    'sources.sheets.disconnect': ({ id }) =>
      guard(async () => {
        await s.disconnect(id);
        return { ok: true as const };
      }),
  };
}
