import { type callsMethods } from '@shared/contract/calls';
import type { Handlers } from '@shared/contract/define';
import { CallsRepository } from '../store/repositories/calls';
import { ApiError } from '../errors';
import type { CoreServices } from '../services';

/**
 * An FTS5 query from what a person typed: every word must appear (prefix match on the last one), quotes keep
 * phrases, and FTS syntax characters are neutralised so any input is a valid query.
 */
export function ftsQuery(text: string): string | null {
  const terms: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const phrase = (m[1] ?? m[2] ?? '').replace(/["*^():{}[\]]/g, ' ').trim();
    if (phrase) terms.push(`"${phrase}"`);
  }
  if (terms.length === 0) return null;
  if (!text.trimEnd().endsWith('"')) terms[terms.length - 1] += '*';
  return terms.join(' ');
}

export function callsHandlers(core: CoreServices): Handlers<typeof callsMethods> {
  const repo = new CallsRepository(core.db);
  return {
    'calls.list': ({ campaignId, status, live, limit }) => repo.list({ campaignId, statuses: status, live, limit }),
    'calls.get': ({ id }) => {
      const call = repo.getCall(id);
      if (!call) throw new ApiError('not_found', `Call ${id} does not exist.`);
      return { call, transcript: repo.transcript(id), events: repo.events(id) };
    },
    'calls.hangup': async ({ id }) => {
      await core.dialer.hangup(id);
      const call = repo.getCall(id);
      if (!call) throw new ApiError('not_found', `Call ${id} does not exist.`);
      return call;
    },
    'review.list': (input) => core.review.list(input),
    'review.attach': ({ id, callId }) => core.review.attach(id, callId),
    'review.dismiss': ({ id }) => core.review.dismiss(id),
    'transcripts.search': ({ query, ...filters }) => {
      const match = ftsQuery(query);
      if (!match) return [];
      return repo.search({ match, ...filters });
    },
  };
}
