import type { ContactFilter, ContactSelection, GridContact } from '@shared/contract/contacts';
import type { EventBus } from '../bus';
import type { DncChange, DncService } from '../dnc/service';
import type { Db } from '../store/db';
import { ContactsRepository, SortColumnError, toGridContact } from '../store/repositories/contacts';
import { ContactsError } from './errors';

export type GridPage = ContactFilter & {
  offset: number;
  limit: number;
  sort?: { column: string; direction: 'asc' | 'desc' };
};

/** The contacts grid: pages sorted and filtered in SQL, its columns, and the bulk actions on a selection. */
export class ContactGrid {
  private readonly contacts: ContactsRepository;

  constructor(private readonly deps: { db: Db; bus: EventBus; dnc: DncService }) {
    this.contacts = new ContactsRepository(deps.db);
  }

  page(input: GridPage): { rows: GridContact[]; total: number } {
    const { offset, limit, sort, ...filter } = input;
    try {
      const r = this.contacts.page(filter, sort, offset, limit);
      return { rows: r.rows.map(toGridContact), total: r.total };
    } catch (err) {
      if (err instanceof SortColumnError) throw new ContactsError('invalid_input', `sort.column: ${err.message}`);
      throw err;
    }
  }

  variableColumns(filter: { listId?: number; campaignId?: number }): string[] {
    return this.contacts.variableKeys(filter);
  }

  /** Deletes the selection, unless one of its contacts is on a call right now. Call history stays. */
  delete(selection: ContactSelection): { deleted: number } {
    const ids = this.contacts.selectIds(selection);
    const live = this.contacts.withLiveCalls(ids);
    if (live.length) {
      throw new ContactsError(
        'conflict',
        `${live.length} of the selected contacts are on a call right now (e.g. #${live[0]}). Wait for those calls to end, or leave them out of the selection.`,
      );
    }
    const lists = new Set(ids.map((id) => this.contacts.get(id)?.list_id).filter((x): x is number => x !== undefined));
    const deleted = this.deps.db.transaction(() => this.contacts.deleteIds(ids))();
    for (const listId of lists) this.deps.bus.publish('lists.changed', { listId });
    return { deleted };
  }

  /** Puts the selection's numbers on the do-not-call list (every contact with them, in any list, follows). */
  markDnc(selection: ContactSelection, reason: string | undefined): DncChange {
    return this.deps.dnc.add(this.phones(selection), { source: 'manual', reason: reason ?? null });
  }

  unmarkDnc(selection: ContactSelection): DncChange {
    return this.deps.dnc.remove(this.phones(selection));
  }

  private phones(selection: ContactSelection): string[] {
    return this.contacts.phonesOf(this.contacts.selectIds(selection));
  }
}
