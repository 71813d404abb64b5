import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/core';

// Kills a real core (SIGKILL) at random moments of a campaign, restarts it, and checks that no attempt ever
// produced two provider calls, nothing is left stuck, and every contact ends where the rules say.

const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'crash-child.ts');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { dir, cleanup } = tempDir('console-crash-');
afterAll(() => cleanup());

function run(
  mode: 'init' | 'resume',
  killAfterMs: number | null,
  noReconcile = false,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CHILD,
        join(dir, 'data'),
        join(dir, 'provider-calls.jsonl'),
        mode,
        noReconcile ? 'noreconcile' : 'reconcile',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    let killer: NodeJS.Timeout | null = null;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      // Time the kill from the moment the campaign is running, so it lands in the middle of dialing.
      if (
        killAfterMs !== null &&
        !killer &&
        (out.includes('STARTED') || (mode === 'resume' && out.includes('IN_FLIGHT')))
      ) {
        killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (killer) clearTimeout(killer);
      resolve({ code, signal, out, err });
    });
  });
}

describe('crash safety', () => {
  it('SIGKILL at random points never yields two provider calls for one attempt, and the campaign still ends right', async () => {
    const first = await run('init', 150 + Math.floor(Math.random() * 300));
    expect(first.signal, first.err).toBe('SIGKILL');
    let inFlightAtRestart = 0;
    for (let i = 0; i < 2; i++) {
      // Every other restart the provider cannot be asked about calls (no reconcile): only its webhooks resolve them.
      const r = await run('resume', Math.floor(Math.random() * 600), i % 2 === 1);
      inFlightAtRestart += Number(/IN_FLIGHT (\d+)/.exec(r.out)?.[1] ?? 0);
      if (r.code === 0) break; // finished before the kill landed
      expect(r.signal, r.err).toBe('SIGKILL');
    }
    const last = await run('resume', null);
    inFlightAtRestart += Number(/IN_FLIGHT (\d+)/.exec(last.out)?.[1] ?? 0);
    expect(inFlightAtRestart, 'the kills should land while calls are in flight').toBeGreaterThan(0);
    expect(last.code, last.err).toBe(0);
    expect(last.out).toContain('DONE');

    const placed = readFileSync(join(dir, 'provider-calls.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { key: string; callId: number; result: string });
    const keys = placed.map((p) => p.key);
    expect(new Set(keys).size, 'an idempotency key reached the provider twice').toBe(keys.length);
    const callIds = placed.map((p) => p.callId);
    expect(new Set(callIds).size, 'an attempt row produced two provider calls').toBe(callIds.length);

    const db = new Database(join(dir, 'data', 'console.db'), { readonly: true });
    try {
      const calls = db
        .prepare<
          [],
          {
            id: number;
            contact_id: number;
            idempotency_key: string;
            status: string;
            result: string | null;
            conversation: number;
            counts_as_attempt: number;
            stale: number;
          }
        >(
          'SELECT id, contact_id, idempotency_key, status, result, conversation, counts_as_attempt, stale FROM calls ORDER BY id',
        )
        .all();
      expect(
        calls.filter((c) => c.status !== 'ended'),
        'calls left stuck',
      ).toEqual([]);
      // Every provider call belongs to the attempt row that carries its key.
      const byKey = new Map(calls.map((c) => [c.idempotency_key, c]));
      for (const p of placed) expect(byKey.get(p.key)?.id).toBe(p.callId);
      // The stored result is the provider's, unless the console had ended the call as stale first (failed).
      for (const p of placed) {
        const c = byKey.get(p.key)!;
        expect(c.result, `call ${c.id}`).toBe(c.stale ? 'failed' : p.result);
      }
      expect(db.prepare(`SELECT state FROM campaigns`).get()).toEqual({ state: 'completed' });
      const contacts = db
        .prepare<[], { contact_id: number; state: string; attempts: number }>(
          'SELECT contact_id, state, attempts FROM campaign_contacts',
        )
        .all();
      expect(contacts).toHaveLength(40);
      for (const cc of contacts) {
        const mine = calls.filter((c) => c.contact_id === cc.contact_id && c.counts_as_attempt === 1);
        expect(cc.state).toBe('done');
        expect(mine.length, `contact ${cc.contact_id} attempts`).toBeLessThanOrEqual(3);
        const talked = mine.findIndex((c) => c.conversation === 1);
        if (talked >= 0) expect(talked, `contact ${cc.contact_id} called after a conversation`).toBe(mine.length - 1);
        else {
          const lastCall = mine[mine.length - 1];
          const retryable = ['failed', 'busy', 'no_answer'].includes(lastCall.result ?? '');
          expect(mine.length === 3 || !retryable, `contact ${cc.contact_id} gave up early`).toBe(true);
        }
      }
    } finally {
      db.close();
    }
  }, 120_000);
});
