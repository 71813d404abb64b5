import { z } from 'zod';
import { Contact, ContactList, Variables } from '../domain';
import { method } from './define';

export const RejectedRow = z.object({
  row: z.number().int(),
  column: z.string(),
  value: z.string(),
  reason: z.string(),
});
export type RejectedRow = z.infer<typeof RejectedRow>;

export const NewContact = z.object({
  name: z.string().trim().max(200).default(''),
  phone: z.string().trim().min(1, 'phone is required'),
  timezone: z.string().optional(),
  email: z.string().optional(),
  variables: Variables.default({}),
});

export const contactsMethods = {
  'lists.list': method(z.object({}), z.array(ContactList)),
  'lists.create': method(z.object({ name: z.string().trim().min(1).max(200) }), ContactList),
  'contacts.add': method(
    z.object({
      listId: z.number().int().optional(),
      listName: z.string().trim().min(1).max(200).optional(),
      contacts: z.array(NewContact).min(1).max(10_000),
    }),
    z.object({
      listId: z.number().int(),
      accepted: z.number().int(),
      duplicates: z.number().int(),
      rejected: z.array(RejectedRow),
    }),
  ),
  'contacts.page': method(
    z.object({
      listId: z.number().int().optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(5000).default(200),
      search: z.string().optional(),
    }),
    z.object({ rows: z.array(Contact), total: z.number().int() }),
  ),
};

export const contactsEvents = {
  'lists.changed': z.object({ listId: z.number().int() }),
};
