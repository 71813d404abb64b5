import type { Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket } from 'ws';
import { METHOD_NAMES } from '../../src/shared/contract';
import { startWebHost, type WebHost } from '../../src/main/web';
import { createTestCore, tempDir } from '../support/core';
import { openPageSocket, pageCall } from '../web/page-socket';
import { fuzzParameters, fuzzTimeoutMs } from './support';

// Random and mutated frames and messages at the WebSocket binding of a real web host and core: the process never
// dies (an uncaught error would fail this file), a refused request changes nothing in the store, and every refusal
// names what was wrong.

const core = createTestCore();
const site = tempDir('fuzz-renderer-');
let host: WebHost;
let url: URL;

/** Methods that leave the store or the data folder on purpose (backups, staged restores, files). */
const SKIPPED = /^maintenance\.|^exports\.|^demo\./;
const METHODS = METHOD_NAMES.filter((m) => !SKIPPED.test(m));

beforeAll(async () => {
  host = await startWebHost({ core, rendererDir: site.dir, port: 0 });
  url = new URL(host.url);
});
afterAll(async () => {
  await host.close();
  await core.cleanup();
  site.cleanup();
});

const changes = () => (core.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

function nextMessage(ws: WebSocket): Promise<Record<string, unknown> | { closed: number }> {
  return new Promise((resolve) => {
    // Event batches (from requests that changed something) are not answers.
    const onMessage = (data: unknown) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if ('events' in message) return;
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(message);
    };
    const onClose = (code: number) => {
      ws.off('message', onMessage);
      resolve({ closed: code });
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
  });
}

const request = fc.oneof(
  // A valid method with a random input.
  fc.record({ id: fc.integer(), method: fc.constantFrom(...METHODS), input: fc.anything() }),
  // Mutated envelopes: wrong types, missing fields, unknown methods.
  fc.record(
    {
      id: fc.oneof(fc.integer(), fc.string({ maxLength: 80 }), fc.anything()),
      method: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 40 }), fc.anything()),
      input: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

describe('fuzzing the WebSocket binding', () => {
  it(
    'answers every random or mutated message with a result or a named refusal, and refusals change nothing',
    async () => {
      const ws = await openPageSocket(url);
      try {
        await fc.assert(
          fc.asyncProperty(request, async (message) => {
            const before = changes();
            const text = JSON.stringify(message) ?? 'undefined';
            const answered = nextMessage(ws);
            ws.send(text);
            const answer = await answered;
            if ('closed' in answer) throw new Error(`the host closed the connection (${String(answer.closed)})`);
            type Failure = { code: string; message: string };
            const result = answer.result as { ok: boolean; error?: Failure } | undefined;
            if (result?.ok) return;
            const error = result ? result.error : (answer.error as Failure | undefined);
            expect(error?.code).toBeDefined();
            expect(error?.code).not.toBe('internal');
            expect(error?.message.length).toBeGreaterThan(8);
            expect(changes()).toBe(before);
          }),
          fuzzParameters(150, 1701),
        );
      } finally {
        ws.close();
      }
    },
    fuzzTimeoutMs(150, 200),
  );

  it(
    'closes a connection that sends random frame bytes, and the host keeps serving',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
          const ws = await openPageSocket(url);
          ws.on('error', () => undefined);
          const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
          (ws as unknown as { _socket: Socket })._socket.write(Buffer.from(bytes));
          // Whatever the bytes were, a well-formed request on a fresh connection still gets its answer.
          const probe = await openPageSocket(url);
          try {
            expect(await pageCall(probe, 'app.info', {})).toMatchObject({ ok: true });
          } finally {
            probe.close();
            ws.terminate();
            await closed;
          }
        }),
        fuzzParameters(40, 1702),
      );
    },
    fuzzTimeoutMs(40, 500),
  );
});
