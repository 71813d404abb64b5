import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dispatch } from '../../src/main/bindings/dispatch';
import type { ApiInput, ApiOutput, MethodName } from '../../src/shared/contract';
import { AssemblyAiFake } from '../fakes/assemblyai';
import { ExotelRecordingFake } from '../fakes/exotel-recording';
import { SlackFake } from '../fakes/slack';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { advanceUntil } from '../support/wait';

// A real core on a temp folder with the three outside services faked on loopback, and a manual clock the tests move
// to let retries and polls fall due.

export type TestCore = ReturnType<typeof createTestCore>;

export const SUPPORT_NUMBER = '09631084471';
export const AAI_KEY = 'aai-test-key-0000-1234';

export function seedRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const file = fileURLToPath(new URL('../fixtures/recordings/zapier-call-record.json', import.meta.url));
  return { ...(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>), ...overrides };
}

/** A contract call through the same dispatch the IPC and WebSocket bindings use (input and output validated). */
export async function call<K extends MethodName>(core: TestCore, method: K, input: ApiInput<K>): Promise<ApiOutput<K>> {
  const result = await dispatch(core.api, method, input, core.platform.logger);
  if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`);
  return result.value as ApiOutput<K>;
}

export class Harness {
  readonly clock = new ManualClock(Date.UTC(2025, 9, 9, 18, 0, 0));
  readonly exotel = new ExotelRecordingFake('exo-key', 'exo-token-5678');
  readonly ai = new AssemblyAiFake(AAI_KEY);
  readonly slack = new SlackFake();
  private readonly cores: TestCore[] = [];

  async start(): Promise<void> {
    await Promise.all([this.exotel.start(), this.ai.start(), this.slack.start()]);
  }

  /** A core whose recordings worker runs (the webhook server is not needed for the queue itself). */
  async core(dataDir?: string, configure = true): Promise<TestCore> {
    const core = createTestCore({ clock: this.clock, dataDir });
    this.cores.push(core);
    if (configure) {
      await call(core, 'recordings.settings.set', {
        supportNumber: SUPPORT_NUMBER,
        assemblyaiBaseUrl: this.ai.baseUrl,
        exotelAuthHosts: ['127.0.0.1'],
        slackWebhookUrl: this.slack.webhookUrl,
        assemblyaiKey: AAI_KEY,
        exotelApiKey: 'exo-key',
        exotelApiToken: 'exo-token-5678',
      });
    }
    core.recordings.start();
    return core;
  }

  /** Lets the worker run, moving the clock on between rounds, until `done` holds. */
  async until(core: TestCore, done: () => boolean, stepMs = 30_000): Promise<void> {
    await advanceUntil(this.clock, done, {
      stepMs,
      settle: () => core.recordings.idle(),
      what: `the recordings queue to reach ${done.toString()}`,
    });
  }

  state(core: TestCore, externalId: string): string | undefined {
    return core.recordings.list(undefined, 100).find((j) => j.externalId === externalId)?.state;
  }

  /** Closes a core, optionally keeping its data folder for the next one. */
  async closeCore(core: TestCore, keepData: boolean): Promise<void> {
    this.cores.splice(this.cores.indexOf(core), 1);
    if (keepData) await core.close();
    else await core.cleanup();
  }

  /** Fakes first: closing them ends any request a core still waits on, so the cores can stop at once. */
  async stop(): Promise<void> {
    await Promise.all([this.exotel.close(), this.ai.close(), this.slack.close()]);
    for (const core of this.cores.splice(0)) await core.cleanup();
  }
}
