import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_NAMES } from '../../src/shared/domain';
import { createTestCore } from '../support/core';
import { send } from '../webhooks/http';
import { fuzzParameters, fuzzTimeoutMs } from './support';

// Random and mutated requests at every route of the webhook listener (the one the tunnel exposes): bodies, headers,
// methods and paths. The listener never answers 5xx or dies, a refusal stores nothing, and every refusal says why.

const core = createTestCore();
let base: string;
let secret: string;

beforeAll(async () => {
  await core.start();
  base = core.webhooks.localUrl!;
  secret = core.secrets.webhookSecret();
});
afterAll(() => core.cleanup());

const HOOKS = [...PROVIDER_NAMES, 'zapier', 'assemblyai', 'monitor'];
const fixtureDir = join(import.meta.dirname, '..', 'fixtures');
const FIXTURES = ['providers', 'recordings'].flatMap((dir) =>
  readdirSync(join(fixtureDir, dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => readFileSync(join(fixtureDir, dir, f))),
);

function stored(): number {
  const n = (table: string) => (core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return n('webhook_inbox') + n('calls') + n('call_events') + n('recording_jobs');
}

const printable = (maxLength: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${maxLength}}$`));

/** A real fixture with bytes flipped, cut short, or grown; or random bytes; or random JSON. */
const body = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...FIXTURES),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    )
    .map(([fixture, flips]) => {
      const copy = Buffer.from(fixture);
      for (const [at, byte] of flips) copy[at % copy.length] = byte;
      return copy;
    }),
  fc.tuple(fc.constantFrom(...FIXTURES), fc.nat()).map(([fixture, cut]) => fixture.subarray(0, cut % fixture.length)),
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
);

const path = fc.oneof(
  fc.constantFrom(...HOOKS).map((hook) => `/hooks/${hook}/${secret}`),
  fc.tuple(fc.constantFrom(...HOOKS), printable(40)).map(([hook, s]) => `/hooks/${hook}/${encodeURIComponent(s)}`),
  fc
    .tuple(printable(20), printable(40))
    .map(([hook, s]) => `/hooks/${encodeURIComponent(hook)}/${secret}${s ? `/${encodeURIComponent(s)}` : ''}`),
  fc.tuple(fc.constantFrom(...HOOKS), printable(30)).map(([hook, q]) => `/hooks/${hook}/${secret}?${encodeURI(q)}`),
  fc.constantFrom('/', '/health', '/stats', '/hooks', '/hooks/', '/hooks/%', '/hooks/%zz/x', '//hooks/simulator/x'),
  printable(60).map((p) => `/${encodeURI(p)}`),
);

const headers = fc.record(
  {
    'content-type': fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'text/plain',
      ),
      printable(60),
    ),
    'x-retell-signature': printable(80),
    'x-twilio-signature': printable(40),
    'x-simulator-signature': printable(80),
    'content-encoding': fc.constantFrom('gzip', 'identity', 'br'),
  },
  { requiredKeys: [] },
);

describe('fuzzing the webhook routes', () => {
  it(
    'answers every random or mutated request without a 5xx, stores nothing it refuses, and says why',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'HEAD'),
          path,
          headers,
          body,
          async (method, target, sent, payload) => {
            const before = stored();
            const reply = await send(base, {
              method,
              path: target,
              headers: sent,
              body: method === 'GET' || method === 'HEAD' ? undefined : payload,
            });
            expect(reply.status, `${method} ${target}`).toBeLessThan(500);
            if (reply.status >= 400) {
              expect(stored(), `${method} ${target} → ${reply.status}`).toBe(before);
              if (method !== 'HEAD')
                expect(reply.body.trim().length, `${method} ${target} → ${reply.status}`).toBeGreaterThan(2);
            }
          },
        ),
        fuzzParameters(250, 1703),
      );
      // Still serving.
      expect((await send(base, { method: 'GET', path: `/hooks/monitor/${secret}/health` })).status).toBe(200);
    },
    fuzzTimeoutMs(250, 100),
  );
});
