import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/main/core/store/db';
import { MIGRATIONS } from '../../src/main/core/store/migrations';
import { ReviewRepository } from '../../src/main/core/store/repositories/review';
import { SelfHostedAgentsRepository } from '../../src/main/core/store/repositories/selfhosted-agents';
import { tempDir } from '../support/core';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

const VERSION = MIGRATIONS.find((m) => m.name === 'call_matching')!.version;

describe('migration call_matching: per-call agent tokens and the review list', () => {
  it('adds both tables to a file of the previous version, keeping its calls, with the rules they carry', () => {
    const { dir, cleanup } = tempDir('console-migrate-matching-');
    dirs.push(cleanup);
    const file = join(dir, 'console.db');
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < VERSION) });
    expect(schemaVersion(before)).toBe(VERSION - 1);
    const callId = Number(
      before
        .prepare(
          "INSERT INTO calls (phone, idempotency_key, provider, status, created_at) VALUES ('+15551234567', 'k1', 'bolna_twilio', 'ringing', 0)",
        )
        .run().lastInsertRowid,
    );
    before.close();

    const after = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= VERSION) });
    expect(schemaVersion(after)).toBe(VERSION);
    expect(after.prepare('SELECT phone FROM calls WHERE id = ?').get(callId)).toEqual({ phone: '+15551234567' });

    const agents = new SelfHostedAgentsRepository(after);
    agents.create('a'.repeat(32), callId, 1);
    expect(() => agents.create('a'.repeat(32), callId, 2)).toThrow(/UNIQUE/);
    expect(() => agents.create('b'.repeat(32), 999, 2)).toThrow(/FOREIGN KEY/);
    agents.setAgent('a'.repeat(32), 'agent-1');
    expect(agents.byToken('a'.repeat(32))).toEqual({ token: 'a'.repeat(32), callId, agentId: 'agent-1' });
    expect(agents.retirable(10)).toEqual([]); // the call is still live
    after.prepare("UPDATE calls SET status = 'ended', result = 'completed' WHERE id = ?").run(callId);
    expect(agents.retirable(10).map((r) => r.agentId)).toEqual(['agent-1']);

    const review = new ReviewRepository(after);
    const inboxId = Number(
      after
        .prepare(
          "INSERT INTO webhook_inbox (provider, received_at, method, path, headers_json, body) VALUES ('bolna_twilio', 1, 'POST', '/hooks/bolna_twilio', '{}', x'7b7d')",
        )
        .run().lastInsertRowid,
    );
    const item = { provider: 'bolna_twilio', inboxId, kind: 'extraction', reason: 'r', receivedAt: 1, raw: '{}' };
    const first = review.file({ ...item, eventJson: '{}' });
    expect(first.created).toBe(true);
    // The same delivery applied again (recovery) keeps its one item; another delivery gets its own.
    expect(review.file({ ...item, eventJson: '{}' })).toEqual({ id: first.id, created: false });
    expect(review.file({ ...item, inboxId: null, eventJson: '{}' }).created).toBe(true);
    expect(() => review.file({ ...item, inboxId: null, eventJson: 'not json' })).toThrow(/CHECK/);
    expect(review.countOpen()).toBe(2);
    expect(review.resolve(first.id, 'attached', callId, 5)).toBe(true);
    expect(review.resolve(first.id, 'dismissed', null, 6)).toBe(false);
    expect(() => after.prepare("UPDATE review_items SET state = 'maybe'").run()).toThrow(/CHECK/);
    // Deleting the call forgets its tokens (they can never match again) and unlinks its review items.
    after.prepare('DELETE FROM calls WHERE id = ?').run(callId);
    expect(agents.byToken('a'.repeat(32))).toBeUndefined();
    expect(review.get(first.id)?.callId).toBeNull();
    after.close();
  });
});
