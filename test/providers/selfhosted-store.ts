import { join } from 'node:path';
import { openDatabase } from '../../src/main/core/store/db';
import { SelfHostedAgentsRepository } from '../../src/main/core/store/repositories/selfhosted-agents';
import { tempDir } from '../support/core';

/** The provider keeps its per-call agents in a real store; each test attempt gets a call row to point at. */
export function selfHostedStore() {
  const dir = tempDir('console-selfhosted-');
  const db = openDatabase(join(dir.dir, 'console.db'));
  const addCall = db.prepare(
    "INSERT INTO calls (id, phone, idempotency_key, provider, status, created_at) VALUES (?, ?, ?, 'bolna_twilio', 'dialing', 0)",
  );
  return {
    db,
    callAgents: new SelfHostedAgentsRepository(db),
    addCall: (id: number, phone: string) => addCall.run(id, phone, `k${id}`),
    /** Call rows for these attempt ids (the per-call agents point at them). */
    addCalls: (...ids: number[]) =>
      ids.forEach((id) => addCall.run(id, `+1555000${String(id).padStart(4, '0')}`, `k${id}`)),
    endCall: (id: number) => db.prepare("UPDATE calls SET status = 'ended', result = 'completed' WHERE id = ?").run(id),
    close: () => {
      db.close();
      dir.cleanup();
    },
  };
}
