import { contactsMethods } from '../../../shared/contract/contacts';
import type { Handlers } from '../../../shared/contract/define';
import type { Core } from '../index';

const notYet = (name: string) => () => {
  throw new Error(`${name} is not implemented yet`);
};

export function contactsHandlers(_core: Core): Handlers<typeof contactsMethods> {
  return Object.fromEntries(Object.keys(contactsMethods).map((k) => [k, notYet(k)])) as unknown as Handlers<typeof contactsMethods>;
}
