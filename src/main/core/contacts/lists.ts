import type { ContactList } from '@shared/domain';
import type { EventBus } from '../bus';
import type { Clock } from '../platform';
import type { Db } from '../store/db';
import { ContactsRepository } from '../store/repositories/contacts';
import { ListsRepository } from '../store/repositories/lists';
import { ContactsError } from './errors';

/** Where contacts go: an existing list by id, or a list by name (reused when one has that name). */
export interface ListTarget {
  listId?: number;
  listName?: string;
}

/** Contact lists: create, rename, delete, and finding the list an import or a manual add goes into. */
export class ContactLists {
  private readonly lists: ListsRepository;
  private readonly contacts: ContactsRepository;

  constructor(private readonly deps: { db: Db; bus: EventBus; clock: Clock }) {
    this.lists = new ListsRepository(deps.db);
    this.contacts = new ContactsRepository(deps.db);
  }

  all(): ContactList[] {
    return this.lists.all();
  }

  /** Outcomes of campaigns on this list go into `path` when they complete (contacts/writeback.ts). */
  setWriteBackPath(id: number, path: string | null): void {
    this.lists.setWriteBackPath(id, path);
  }

  get(id: number): ContactList {
    const list = this.lists.get(id);
    if (!list) throw new ContactsError('not_found', `List ${id} does not exist.`);
    return list;
  }

  create(name: string): ContactList {
    return this.lists.get(this.lists.create(name, 'manual', null, this.deps.clock.now()))!;
  }

  rename(id: number, name: string): ContactList {
    if (!this.lists.rename(id, name)) throw new ContactsError('not_found', `List ${id} does not exist.`);
    return this.lists.get(id)!;
  }

  delete(id: number): { deleted: number } {
    this.get(id);
    const live = this.contacts.withLiveCalls(this.contacts.selectIds({ filter: { listId: id } }));
    if (live.length)
      throw new ContactsError(
        'conflict',
        `${live.length} contact(s) of this list are on a call right now. Wait for the calls to end, then delete the list.`,
      );
    const deleted = this.deps.db.transaction(() => this.lists.delete(id))();
    this.deps.bus.publish('lists.changed', { listId: id });
    return { deleted };
  }

  /**
   * The list `target` names, created when no list has that name (`fallbackName` when it names none). `created` tells
   * the writer that no contact can already be in it. Runs inside the caller's transaction.
   */
  resolve(
    target: ListTarget,
    fallbackName: string,
    sourceKind: 'manual' | 'file',
    sourceRef: string | null,
  ): { listId: number; created: boolean } {
    if (target.listId !== undefined) {
      if (!this.lists.get(target.listId))
        throw new ContactsError(
          'not_found',
          `List ${target.listId} does not exist. Pick another list or give a name for a new one.`,
        );
      return { listId: target.listId, created: false };
    }
    const name = target.listName?.trim() || fallbackName;
    const existing = this.lists.byName(name);
    if (existing) return { listId: existing.id, created: false };
    return { listId: this.lists.create(name, sourceKind, sourceRef, this.deps.clock.now()), created: true };
  }
}
