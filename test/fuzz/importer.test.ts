import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/main/core/errors';
import { workbook } from '../contacts/files';
import { createTestCore, tempDir } from '../support/core';
import { fuzzParameters, fuzzTimeoutMs } from './support';

// Random and mutated files at the importer (the worker that parses them and the transaction that writes them): it
// never crashes, a file it refuses leaves the store as it was, and the refusal is a user-facing error that says
// what was wrong. A file it accepts says how many rows it took and why it rejected the others.

const core = createTestCore();
const folder = tempDir('fuzz-import-');
afterAll(async () => {
  await core.cleanup();
  folder.cleanup();
});

const CSV = Buffer.from(
  'name,phone,order_id,status\nAsha,+14155550100,ORD1,\nRavi,+1 (415) 555-0101,ORD2,\n"Quoted, name",4155550102,ORD3,\n',
);
const XLSX = workbook({
  Sheet1: [
    ['Name', 'Phone', 'City'],
    ['Asha', '+14155550100', 'Pune'],
    ['Ravi', 4155550101, 'Delhi'],
  ],
});

const flipped = (seed: Buffer) =>
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
    const copy = Buffer.from(seed);
    for (const [at, byte] of flips) copy[at % copy.length] = byte;
    return copy;
  });

const file = fc.oneof(
  fc.record({ ext: fc.constantFrom('.csv', '.tsv'), bytes: flipped(CSV) }),
  fc.record({ ext: fc.constant('.csv'), bytes: fc.nat().map((cut) => CSV.subarray(0, cut % CSV.length)) }),
  fc.record({ ext: fc.constant('.xlsx'), bytes: flipped(XLSX) }),
  fc.record({ ext: fc.constant('.xlsx'), bytes: fc.nat().map((cut) => XLSX.subarray(0, cut % XLSX.length)) }),
  fc.record({
    ext: fc.constantFrom('.csv', '.xlsx', '.xls', '.tsv', '.ods'),
    bytes: fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b)),
  }),
  fc.record({
    ext: fc.constant('.csv'),
    bytes: fc
      .array(fc.array(fc.string({ maxLength: 30 }), { maxLength: 6 }), { maxLength: 20 })
      .map((rows) => Buffer.from(rows.map((r) => r.join(',')).join('\n'))),
  }),
);

const counts = () =>
  ['lists', 'contacts', 'imports'].map(
    (t) => (core.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n,
  );

describe('fuzzing the importer', () => {
  let n = 0;
  it(
    'accepts or refuses every random or mutated file with a named reason, and a refusal changes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(file, async ({ ext, bytes }) => {
          const path = join(folder.dir, `fuzz-${n++}${ext}`);
          writeFileSync(path, bytes);
          const before = counts();
          try {
            const result = await core.contacts.importFile(path, { listName: `Fuzz ${n}`, country: 'US' });
            expect(result.accepted + result.duplicates + result.rejected.length).toBeGreaterThanOrEqual(0);
            for (const r of result.rejected) expect(r.reason.length).toBeGreaterThan(3);
          } catch (err) {
            expect(err, String(err)).toBeInstanceOf(ApiError);
            expect((err as ApiError).message.length).toBeGreaterThan(10);
            const [lists, contacts] = counts();
            expect([lists, contacts]).toEqual(before.slice(0, 2));
          }
        }),
        fuzzParameters(40, 1704),
      );
    },
    fuzzTimeoutMs(40, 1500),
  );
});
