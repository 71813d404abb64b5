import { campaignsMethods } from '../../../shared/contract/campaigns';
import type { Handlers } from '../../../shared/contract/define';
import type { Core } from '../index';

const notYet = (name: string) => () => {
  throw new Error(`${name} is not implemented yet`);
};

export function campaignsHandlers(_core: Core): Handlers<typeof campaignsMethods> {
  return Object.fromEntries(Object.keys(campaignsMethods).map((k) => [k, notYet(k)])) as unknown as Handlers<typeof campaignsMethods>;
}
