import { join } from 'node:path';
import { type analyticsMethods, type AnalyticsQuery } from '@shared/contract/analytics';
import type { Handlers } from '@shared/contract/define';
import { AnalyticsService, dashboardTable } from '../analytics/dashboard';
import { encodeTable } from '../analytics/export';
import { LogsReader } from '../analytics/logs';
import type { CoreServices } from '../services';
import { ApiError } from '../errors';

export function analyticsHandlers(core: CoreServices): Handlers<typeof analyticsMethods> {
  const analytics = new AnalyticsService(core.db);
  const logs = new LogsReader(core.db, join(core.dataDir, 'logs'), (names) =>
    names.flatMap((n) => {
      try {
        const v = core.secrets.get(n);
        return v ? [v] : [];
      } catch {
        // A secret this machine cannot decrypt cannot be in this machine's logs either.
        return [];
      }
    }),
  );
  const dashboard = (query: AnalyticsQuery) => {
    const d = analytics.dashboard(query);
    if (query.campaignId !== null && d.campaignName === null)
      throw new ApiError('not_found', `Campaign ${query.campaignId} does not exist.`);
    return d;
  };
  return {
    'analytics.dashboard': (query) => dashboard(query),
    'analytics.export': async ({ query, format }) => {
      const d = dashboard(query);
      const file = await encodeTable(dashboardTable(d), `${d.campaignName ?? 'All campaigns'} analytics`, format);
      return {
        fileName: file.fileName,
        mimeType: file.mimeType,
        dataBase64: file.bytes.toString('base64'),
        rows: file.rows,
      };
    },
    'logs.list': (q) => logs.list(q),
  };
}
