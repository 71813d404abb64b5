import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/main/core/errors';
import { createTestCore, tempDir } from '../support/core';
import { waitUntil } from '../support/wait';

// A full disk, as SQLite sees it (SQLITE_FULL: the database may not grow by another page), while an import writes:
// the import fails with a message that says the disk is full and that nothing of it was saved, and everything
// stored before is still there and still readable and writable once space is back.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function fillDisk(db: ReturnType<typeof createTestCore>['db']): () => void {
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages + 2}`);
  return () => db.pragma('max_page_count = 4294967294');
}

describe('a full disk', () => {
  it('fails an import with a clear message and loses nothing already stored', async () => {
    const core = createTestCore();
    cleanups.push(() => core.cleanup());
    const folder = tempDir('disk-full-');
    cleanups.push(folder.cleanup);
    const small = join(folder.dir, 'first.csv');
    writeFileSync(small, 'name,phone\nAsha,+14155550100\nRavi,+14155550101\n');
    const first = await core.contacts.importFile(small, { listName: 'Before' });
    expect(first.accepted).toBe(2);

    const big = join(folder.dir, 'big.csv');
    const rows = Array.from(
      { length: 5000 },
      (_, i) => `Person ${i},+1415556${String(i).padStart(4, '0')},${'x'.repeat(80)}`,
    );
    writeFileSync(big, `name,phone,note\n${rows.join('\n')}\n`);
    const restore = fillDisk(core.db);
    const failed = await core.contacts.importFile(big, { listName: 'Too big' }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(ApiError);
    expect((failed as ApiError).message).toMatch(/disk is full|no space/i);
    expect((failed as ApiError).message).toMatch(/nothing was imported/i);

    const lists = await core.api['lists.list']({});
    expect(lists.map((l) => [l.name, l.contactCount])).toEqual([['Before', 2]]);
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');

    restore();
    const again = await core.contacts.importFile(big, { listName: 'After space' });
    expect(again.accepted).toBe(5000);
  });

  it('during a campaign: the dialer logs the full disk, keeps every call already stored, and goes on once space is back', async () => {
    const core = createTestCore();
    cleanups.push(() => core.cleanup());
    core.settings.set('simulator', {
      ...core.settings.get('simulator'),
      answerRate: 1,
      busyRate: 0,
      voicemailRate: 0,
      failRate: 0,
    });
    await core.start();
    const contacts = Array.from({ length: 30 }, (_, i) => ({
      name: `C${i}`,
      phone: `+1415557${String(i).padStart(4, '0')}`,
      variables: {},
    }));
    const { listId } = await core.api['contacts.add']({ listName: 'Campaign', contacts });
    const campaign = await core.api['campaigns.create']({
      name: 'Full disk',
      listIds: [listId],
      provider: 'simulator',
      voiceAgentId: null,
      settings: { ignoreWindow: true, concurrency: 3, simSpeed: 200 },
      startAt: null,
    });
    await core.api['campaigns.start']({ id: campaign.id });
    const endedCalls = () =>
      core.db
        .prepare<[], { id: number; result: string }>("SELECT id, result FROM calls WHERE status = 'ended' ORDER BY id")
        .all();
    await waitUntil(() => endedCalls().length >= 3, { timeoutMs: 20_000 });

    const restore = fillDisk(core.db);
    const logFile = join(core.dataDir, 'logs', 'console.log');
    await waitUntil(() => /database or disk is full/.test(readFileSync(logFile, 'utf8')), {
      timeoutMs: 20_000,
      what: 'the full disk in the log',
    });
    const before = endedCalls();
    restore();

    await waitUntil(() => core.dialer.campaigns.get(campaign.id).state === 'completed', { timeoutMs: 30_000 });
    const after = endedCalls();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const queued = core.db
      .prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM campaign_contacts WHERE campaign_id = ?')
      .get(campaign.id)!.n;
    expect(queued).toBe(30);
  });
});
