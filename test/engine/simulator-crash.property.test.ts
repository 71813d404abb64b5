import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/core';

// Property: random campaigns on the built-in simulator (whose calls outlive the console in the data folder), random
// SIGKILLs of the out-of-process engine, and placements whose answer is lost (the call is placed, the console sees a
// timeout). Counted at the simulator's side: never two provider calls for one attempt, never more provider calls for
// a contact than its counted attempts, never more attempts than the cap, nothing stuck at the end.
// FUZZ_RUNS=N runs more cases (fixed seed, so a failure replays).

const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'sim-crash-child.ts');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.FUZZ_RUNS ?? 2);
const folders: (() => void)[] = [];
afterAll(() => folders.forEach((cleanup) => cleanup()));

interface Plan {
  contacts: number;
  concurrency: number;
  maxAttempts: number;
  answerRate: number;
  lostAnswerRate: number;
  webhookPort: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs the engine once; with killAfterMs, SIGKILLs it that long after it reports it is dialing. */
function run(
  dataDir: string,
  mode: 'init' | 'resume',
  plan: Plan,
  killAfterMs: number | null,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, mode, JSON.stringify(plan)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killer: NodeJS.Timeout | null = null;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (
        killAfterMs !== null &&
        !killer &&
        (out.includes('STARTED') || (mode === 'resume' && out.includes('IN_FLIGHT')))
      )
        killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      // A paused campaign would never finish: stop at once and let the assertion say why.
      if (out.includes('PAUSED')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (killer) clearTimeout(killer);
      resolve({ code, signal, out, err });
    });
  });
}

interface SimRecord {
  id: string;
  req: { callId: number; idempotencyKey: string };
}

/** Every call the simulator ever made, from its own durable record (the last line of each call wins). */
function providerCalls(dataDir: string): SimRecord[] {
  const byId = new Map<string, SimRecord>();
  for (const line of readFileSync(join(dataDir, 'simulator', 'calls.jsonl'), 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as SimRecord;
    byId.set(record.id, record);
  }
  return [...byId.values()];
}

async function checkCampaign(plan: Omit<Plan, 'webhookPort'>, kills: number[]): Promise<void> {
  const { dir, cleanup } = tempDir('console-simcrash-');
  folders.push(cleanup);
  const dataDir = join(dir, 'data');
  const full: Plan = { ...plan, webhookPort: await freePort() };
  let r = await run(dataDir, 'init', full, kills[0]);
  for (const kill of kills.slice(1)) {
    if (r.code === 0 || r.out.includes('PAUSED')) break;
    expect(r.signal, r.err).toBe('SIGKILL');
    r = await run(dataDir, 'resume', full, kill);
  }
  if (r.code !== 0 && !r.out.includes('PAUSED')) r = await run(dataDir, 'resume', full, null);
  expect(r.out, r.err).not.toContain('PAUSED');
  expect(r.code, r.err).toBe(0);

  const sim = providerCalls(dataDir);
  const db = new Database(join(dataDir, 'console.db'), { readonly: true });
  try {
    const rows = db
      .prepare<
        [],
        {
          id: number;
          contact_id: number;
          attempt: number;
          status: string;
          counts_as_attempt: number;
          idempotency_key: string;
        }
      >('SELECT id, contact_id, attempt, status, counts_as_attempt, idempotency_key FROM calls ORDER BY id')
      .all();
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(
      rows.filter((row) => row.status !== 'ended'),
      'calls left stuck',
    ).toEqual([]);
    // One provider call per attempt row, and it is the row that carries its key.
    const attemptIds = sim.map((s) => s.req.callId);
    expect(new Set(attemptIds).size, 'an attempt produced two provider calls').toBe(attemptIds.length);
    for (const s of sim) expect(byId.get(s.req.callId)?.idempotency_key).toBe(s.req.idempotencyKey);
    // Every provider call is a counted attempt: a call that rang is never "not counted".
    for (const s of sim) expect(byId.get(s.req.callId)?.counts_as_attempt, `call ${s.req.callId}`).toBe(1);
    const perContact = new Map<number, number>();
    for (const s of sim) {
      const contact = byId.get(s.req.callId)!.contact_id;
      perContact.set(contact, (perContact.get(contact) ?? 0) + 1);
    }
    for (const [contact, n] of perContact) {
      const counted = rows.filter((row) => row.contact_id === contact && row.counts_as_attempt === 1);
      expect(n, `contact ${contact}: provider calls vs attempts`).toBeLessThanOrEqual(counted.length);
      expect(counted.length, `contact ${contact}: attempts vs the cap`).toBeLessThanOrEqual(plan.maxAttempts);
      // Counted attempts are numbered 1..n, each number once.
      expect(counted.map((row) => row.attempt).sort((a, b) => a - b)).toEqual(counted.map((_, i) => i + 1));
    }
    expect(db.prepare('SELECT state FROM campaigns').get()).toEqual({ state: 'completed' });
    const notDone = db
      .prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM campaign_contacts WHERE state NOT IN ('done', 'excluded')`)
      .get()!.n;
    expect(notDone, 'contacts left waiting').toBe(0);
  } finally {
    db.close();
  }
}

describe('an attempt is counted once (simulator, SIGKILL, lost answers)', () => {
  it('holds over random campaigns', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          contacts: fc.integer({ min: 8, max: 24 }),
          concurrency: fc.integer({ min: 1, max: 6 }),
          maxAttempts: fc.integer({ min: 1, max: 3 }),
          answerRate: fc.double({ min: 0.1, max: 0.6, noNaN: true }),
          lostAnswerRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
        }),
        fc.array(fc.integer({ min: 50, max: 700 }), { minLength: 1, maxLength: 3 }),
        checkCampaign,
      ),
      { seed: 16, numRuns: RUNS, endOnFailure: true },
    );
  }, 240_000);
});
