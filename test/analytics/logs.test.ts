import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/bindings/dispatch';
import { createFileLogger } from '../../src/main/core/node-platform';
import { ActivityRepository } from '../../src/main/core/store/repositories/activity';
import type { LogEntry } from '../../src/shared/contract/analytics';
import { createTestCore } from '../support/core';

let core: ReturnType<typeof createTestCore>;
let secret: string;

beforeAll(() => {
  core = createTestCore();
  secret = core.secrets.webhookSecret();
  core.secrets.set('bolna.apiKey', 'bn-live-key-0123456789');
  const activity = new ActivityRepository(core.db);
  const at = Date.UTC(2026, 4, 19, 9, 0, 0);
  activity.add({ at, level: 'info', scope: 'dialer', campaignId: 1, callId: 10, message: 'dialled +12015550101' });
  activity.add({
    at: at + 1,
    level: 'warn',
    scope: 'dialer',
    campaignId: 1,
    callId: 11,
    message: 'provider busy, backing off',
  });
  activity.add({
    at: at + 2,
    level: 'error',
    scope: 'dialer',
    campaignId: 2,
    callId: 12,
    message: `refused: key bn-live-key-0123456789 rejected`,
  });
  activity.add({ at: at + 3, level: 'debug', scope: 'dialer', campaignId: 1, callId: null, message: 'tick' });
  // The rotating files, written by the real logger (one rotated file and the current one).
  const dir = join(core.dataDir, 'logs');
  const logger = createFileLogger({ dir, maxBytes: 400, keep: 3 });
  logger.log('info', 'tunnel', 'tunnel open at https://abc.loca.lt');
  logger.log('warn', 'webhooks', `rejected POST /hooks/bolna/${secret} from 1.2.3.4`);
  logger.log('error', 'sources', 'sheet read failed', { campaignId: 1, authorization: 'Bearer abcdefghijkl' });
  for (let i = 0; i < 5; i++) logger.log('info', 'tunnel', `heartbeat ${i}`);
  // The dialer writes the same event to activity_log and to the file: it is shown once.
  activity.add({ at: Date.now(), level: 'info', scope: 'dialer', campaignId: 3, callId: null, message: 'Started' });
  logger.log('info', 'dialer', 'Started', { campaignId: 3, callId: null });
  appendFileSync(join(dir, 'console.log'), 'not json at all\n');
});

afterAll(async () => {
  await core?.cleanup();
});

async function list(input: Record<string, unknown>): Promise<{ entries: LogEntry[]; scopes: string[] }> {
  const r = await dispatch(core.api, 'logs.list', input, core.platform.logger);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as { entries: LogEntry[]; scopes: string[] };
}

describe('logs view', () => {
  it('merges activity_log and the rotated log files, newest first, info and above by default', async () => {
    const { entries, scopes } = await list({});
    expect(scopes).toEqual(expect.arrayContaining(['dialer', 'tunnel', 'webhooks', 'sources']));
    expect(entries.some((e) => e.message === 'tick')).toBe(false);
    expect(entries.filter((e) => e.source === 'db').map((e) => e.message)).toHaveLength(4);
    // Rotation happened (400-byte files), and lines from the rotated file are still shown.
    expect(entries.some((e) => e.message.startsWith('tunnel open at'))).toBe(true);
    expect(entries.filter((e) => e.message.startsWith('heartbeat'))).toHaveLength(5);
    for (let i = 1; i < entries.length; i++) expect(entries[i - 1].at).toBeGreaterThanOrEqual(entries[i].at);
  });

  it('shows an event logged to both activity_log and the file once, without repeating its ids in the text', async () => {
    const { entries } = await list({ campaignId: 3 });
    expect(entries).toEqual([expect.objectContaining({ source: 'db', message: 'Started', campaignId: 3 })]);
  });

  it('filters by level, campaign and scope', async () => {
    const errors = await list({ minLevel: 'error' });
    expect(errors.entries.map((e) => e.level)).toEqual(['error', 'error']);
    const c1 = await list({ minLevel: 'debug', campaignId: 1 });
    expect(c1.entries).toHaveLength(4);
    expect(c1.entries.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        'dialled +12015550101',
        'provider busy, backing off',
        'tick',
        expect.stringContaining('sheet read failed'),
      ]),
    );
    const tunnel = await list({ scope: 'tunnel', sources: ['file'] });
    expect(tunnel.entries.every((e) => e.scope === 'tunnel' && e.source === 'file')).toBe(true);
    expect(tunnel.entries).toHaveLength(6);
  });

  it('never shows a secret', async () => {
    const { entries } = await list({ minLevel: 'debug' });
    const all = JSON.stringify(entries);
    expect(all).not.toContain(secret);
    expect(all).not.toContain('bn-live-key-0123456789');
    expect(all).not.toContain('abcdefghijkl');
    expect(all).toContain('/hooks/bolna/[redacted]');
    expect(entries.find((e) => e.level === 'error' && e.source === 'db')?.message).toBe(
      'refused: key [redacted] rejected',
    );
  });
});
