import type { Core } from '../../src/main/create-core';
import type { Call } from '../../src/shared/domain';
import { ManualClock } from '../support/clock';
import { createTestCore, tempDir } from '../support/core';
import { freePort } from '../support/loopback';
import { waitUntil } from '../support/wait';

// A real core (real SQLite file, real webhook server on a fixed loopback port) that can be restarted on the same
// data folder, for the per-provider campaign tests against the fakes.

export class CoreHarness {
  core!: Core & { cleanup(): Promise<void> };
  readonly clock = new ManualClock(Date.UTC(2026, 4, 19, 6, 0, 0));
  private readonly dir = tempDir();
  private port = 0;

  async start(): Promise<Core> {
    if (!this.port) this.port = await freePort();
    this.core = createTestCore({
      clock: this.clock,
      dataDir: this.dir.dir,
      providers: { timeoutMs: 3000, findDelayMs: 10 },
    });
    // The same port after a restart keeps callback URLs already handed to providers valid.
    this.core.settings.set('webhookPort', this.port);
    await this.core.start();
    return this.core;
  }

  /** Closes the core as a quit would and opens a new one on the same data folder. */
  async restart(): Promise<Core> {
    await this.core.close();
    return this.start();
  }

  async close(): Promise<void> {
    await this.core.close().catch(() => undefined);
    this.dir.cleanup();
  }

  /** Waits until acknowledged webhooks have been applied (they are applied just after the answer). */
  async settle(): Promise<void> {
    await waitUntil(() => this.core.webhooks.health().applying === 0, {
      what: 'the acknowledged webhooks to be applied',
    });
    await new Promise((r) => setImmediate(r));
  }

  async calls(): Promise<Call[]> {
    await this.settle();
    return (await this.core.api['calls.list']({ limit: 100 })).sort((a, b) => a.id - b.id);
  }

  async callTo(phone: string): Promise<Call> {
    const call = (await this.calls()).find((c) => c.phone === phone);
    if (!call) throw new Error(`no call to ${phone}`);
    return call;
  }

  async detail(phone: string) {
    return this.core.api['calls.get']({ id: (await this.callTo(phone)).id });
  }

  seedAgents(agents: { name: string; phone: string; status: 'available' | 'busy' | 'away' }[]): void {
    const add = this.core.db.prepare(
      'INSERT INTO agents (name, phone, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    agents.forEach((a, i) => add.run(a.name, a.phone, a.status, i, i));
  }
}
