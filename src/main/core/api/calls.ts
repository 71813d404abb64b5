import { callsMethods } from '../../../shared/contract/calls';
import type { Handlers } from '../../../shared/contract/define';
import type { Core } from '../index';

const notYet = (name: string) => () => {
  throw new Error(`${name} is not implemented yet`);
};

export function callsHandlers(_core: Core): Handlers<typeof callsMethods> {
  return Object.fromEntries(Object.keys(callsMethods).map((k) => [k, notYet(k)])) as unknown as Handlers<typeof callsMethods>;
}
