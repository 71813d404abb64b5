import { type agentsMethods } from '@shared/contract/agents';
import type { Handlers } from '@shared/contract/define';
import type { CoreServices } from '../services';
import { ApiError } from '../errors';

export function agentsHandlers(core: CoreServices): Handlers<typeof agentsMethods> {
  const { roster, transfers } = core.agents;
  return {
    'agents.list': () => roster.list(),
    'agents.create': (input) => roster.create(input),
    'agents.update': ({ id, ...input }) => roster.update(id, input),
    'agents.setStatus': ({ id, status }) => roster.setStatus(id, status),
    'agents.delete': ({ id }) => ({ deleted: roster.delete(id) }),
    'transfers.request': ({ callId, humanAgentId }) => transfers.request(callId, humanAgentId),
    'transfers.list': (q) => transfers.repo.list(q),
    'transfers.handoff': ({ id }) => transfers.handoff(id),
    'transfers.dispose': ({ id, disposition, notes }) => transfers.disposeOf(id, disposition, notes),
    'transfers.counts': (q) => {
      if (q.fromDay && Number.isNaN(new Date(`${q.fromDay}T00:00:00`).getTime())) {
        throw new ApiError('invalid_input', `fromDay "${q.fromDay}" is not a date (YYYY-MM-DD).`);
      }
      return transfers.counts(q);
    },
  };
}
