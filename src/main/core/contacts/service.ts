import type { EventBus } from '../bus';
import type { Platform } from '../platform';
import type { SettingsService } from '../settings/settings';
import type { Db } from '../store/db';

/** Lists, contacts, imports, exports, write-back. OWNER: contacts work (issue 3). */
export class ContactsService {
  constructor(readonly deps: { db: Db; bus: EventBus; platform: Platform; settings: SettingsService }) {}
}
