import type { ApiHandlers } from '@shared/contract';
import type { CoreServices } from '../services';
import { agentsHandlers } from './agents';
import { analyticsHandlers } from './analytics';
import { appHandlers } from './app';
import { callsHandlers } from './calls';
import { campaignsHandlers } from './campaigns';
import { contactsHandlers } from './contacts';
import { maintenanceHandlers } from './maintenance';
import { providersHandlers } from './providers';
import { sourcesHandlers } from './sources';
import { recordingsHandlers } from './recordings';

/**
 * The core's implementation of the contract, one file per capability (mirroring src/shared/contract). The
 * bindings validate input against the contract before calling these and validate output after.
 */
export function createApiHandlers(core: CoreServices): ApiHandlers {
  return {
    ...appHandlers(core),
    ...contactsHandlers(core),
    ...sourcesHandlers(core),
    ...campaignsHandlers(core),
    ...callsHandlers(core),
    ...providersHandlers(core),
    ...recordingsHandlers(core),
    ...analyticsHandlers(core),
    ...maintenanceHandlers(core),
    ...agentsHandlers(core),
  };
}
