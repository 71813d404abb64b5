import type { Handlers } from '@shared/contract/define';
import { type recordingsMethods } from '@shared/contract/recordings';
import type { CoreServices } from '../services';
import { ApiError } from '../errors';

export function recordingsHandlers(core: CoreServices): Handlers<typeof recordingsMethods> {
  return {
    'recordings.list': ({ state, limit }) => core.recordings.list(state, limit),
    'recordings.get': ({ id }) => {
      const found = core.recordings.get(id);
      if (!found) throw new ApiError('not_found', `Recording job ${id} does not exist.`);
      return found;
    },
    'recordings.retry': ({ id }) => {
      const job = core.recordings.retry(id);
      if (job) return job;
      const existing = core.recordings.get(id);
      if (!existing) throw new ApiError('not_found', `Recording job ${id} does not exist.`);
      throw new ApiError('conflict', `Recording job ${id} is ${existing.job.state}; only failed jobs can be retried.`);
    },
    'recordings.stats': () => core.recordings.stats(),
    'recordings.settings.get': () => core.recordings.settingsView(),
    'recordings.settings.set': (input) => {
      const pair = [input.exotelApiKey, input.exotelApiToken];
      if (pair.filter((v) => v !== undefined).length === 1) {
        throw new ApiError('invalid_input', 'Give the Exotel API key and token together (or clear both).');
      }
      return core.recordings.updateSettings(input);
    },
  };
}
