import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli';
import { createTestCore, tempDir } from '../support/core';
import { freePort } from '../support/loopback';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli([...args, '--data-dir', dataDir], {
    out: (t) => (out += t + '\n'),
    err: (t) => (err += t + '\n'),
  });
  return { code, out, err };
}

describe('CLI (its stable JSON shapes)', () => {
  it('imports a COD call list, runs a simulator campaign to the end, lists calls, exports and searches', async () => {
    const { dir, cleanup } = tempDir('console-cli-');
    cleanups.push(cleanup);
    const data = join(dir, 'data');
    const csv = join(dir, 'call_list.csv');
    writeFileSync(
      csv,
      'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time\n' +
        'John Doe,+15551234567,ORD123,,,\nJane Smith,+1 (555) 765-4321,ORD124,,,\nNo Number,12,ORD125,,,\n' +
        'John Again,+15551234567,ORD126,,,\n',
    );

    // Every simulated call is answered, so the transcript search below always has something to find.
    const setup = createTestCore({ dataDir: data });
    setup.settings.set('simulator', {
      ...setup.settings.get('simulator'),
      answerRate: 1,
      busyRate: 0,
      voicemailRate: 0,
      failRate: 0,
    });
    await setup.close();

    const imported = await cli(data, 'import', csv, '--list', 'COD', '--json');
    expect(imported.code).toBe(0);
    const importJson = JSON.parse(imported.out);
    expect(importJson).toMatchObject({ list_id: 1, accepted: 2, duplicates: 1 });
    expect(importJson.rejected).toEqual([
      expect.objectContaining({
        row: 4,
        column: 'recipient_phone_number',
        value: '12',
        reason: expect.stringMatching(/too short/),
      }),
    ]);

    const created = await cli(
      data,
      'campaign',
      'create',
      '--list',
      '1',
      '--provider',
      'simulator',
      '--sim-speed',
      '200',
      '--ignore-window',
      '--max-attempts',
      '2',
      '--retry-after',
      '100ms',
      '--json',
    );
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.out);
    expect(id).toBe(1);

    const run = await cli(data, 'campaign', 'start', String(id), '--wait', '--json');
    expect(run.code).toBe(0);
    const status = JSON.parse(run.out);
    expect(status.state).toBe('completed');
    expect(status.total).toBe(2);
    expect(status.by_contact_state).toEqual({ done: 2 });
    expect(status.by_status).toEqual({ ended: expect.any(Number) });

    const listed = JSON.parse((await cli(data, 'calls', 'list', '--campaign', String(id), '--json')).out);
    expect(listed.length).toBeGreaterThanOrEqual(2);
    for (const call of listed) {
      expect(Object.keys(call).sort()).toEqual(
        [
          'attempt',
          'contact_id',
          'ended_at',
          'id',
          'outcome',
          'phone',
          'provider_call_id',
          'result',
          'started_at',
          'status',
        ].sort(),
      );
      expect(call.status).toBe('ended');
      expect(['+15551234567', '+15557654321']).toContain(call.phone);
    }

    const out = join(dir, 'results.csv');
    const exported = await cli(data, 'export', '--campaign', String(id), '--format', 'csv', '--out', out, '--json');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.out).rows).toBe(2);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('+15551234567');
    expect(text).toContain('ORD124');

    // Outcomes back into the original file: status only ever holds a COD outcome or stays empty (these calls all
    // completed, which is a call result, not an outcome); every other cell keeps its bytes.
    const before = readFileSync(csv, 'utf8');
    const written = await cli(data, 'campaign', 'write-back', String(id), '--file', csv, '--json');
    expect(written.code).toBe(0);
    const writtenJson = JSON.parse(written.out);
    expect(writtenJson).toMatchObject({ id, files: [{ list_id: 1, file: csv }] });
    expect(writtenJson.files[0].updated + writtenJson.files[0].unchanged + writtenJson.files[0].unmatched).toBe(4);
    const after = readFileSync(csv, 'utf8').split('\n');
    before.split('\n').forEach((line, i) => {
      const cells = line.split(',');
      const now = after[i].split(',');
      expect([...now.slice(0, 3), ...now.slice(6)], `row ${i} outside the COD cells`).toEqual([
        ...cells.slice(0, 3),
        ...cells.slice(6),
      ]);
      if (i > 0 && line) expect(['', 'confirmed', 'cancelled', 'rescheduled', 'wrong_person']).toContain(now[3]);
    });
    const nowhere = await cli(data, 'campaign', 'write-back', String(id), '--file', join(dir, 'gone.csv'));
    expect(nowhere.code).toBe(1);
    expect(nowhere.err).toMatch(/Cannot read .*gone\.csv/);

    expect(listed.every((c: { result: string }) => c.result === 'completed')).toBe(true);
    const hits = JSON.parse((await cli(data, 'search', 'order', '--json')).out);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0].snippet).toMatch(/\[\[.+\]\]/);
  });

  it('explains mistakes instead of failing silently', async () => {
    const { dir, cleanup } = tempDir('console-cli-');
    cleanups.push(cleanup);
    const bad = await cli(dir, 'campaign', 'create', '--list', '1', '--window', '9-5');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--window must look like 09:00-20:00/);
    const missing = await cli(dir, 'import', join(dir, 'nope.xlsx'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.xlsx/);
    const unknown = await cli(dir, 'frobnicate');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/Unknown command "frobnicate"/);
  });

  it('prints the message and the fix of a user-facing error, and the stack trace only with --debug', async () => {
    const { dir, cleanup } = tempDir('console-cli-');
    cleanups.push(cleanup);
    const notABackup = join(dir, 'notes.db');
    writeFileSync(notABackup, 'just some text');
    const stackFrame = /^\s+at .+[(:]\d+/m;

    for (const args of [
      ['import', join(dir, 'nope.xlsx')],
      ['restore', notABackup],
      ['campaign', 'start', '99'],
    ]) {
      const plain = await cli(dir, ...args);
      expect(plain.code, args.join(' ')).toBe(1);
      expect(plain.err, args.join(' ')).not.toMatch(stackFrame);
      expect(plain.err, args.join(' ')).not.toMatch(/ApiError|^Error: Error/m);
      expect(plain.err.trim().length, args.join(' ')).toBeGreaterThan(10);

      const debug = await cli(dir, ...args, '--debug');
      expect(debug.code, args.join(' ')).toBe(1);
      expect(debug.err, args.join(' ')).toContain(plain.err.trim());
      expect(debug.err, args.join(' ')).toMatch(stackFrame);
    }
  });
});

describe('CLI --webhook-port', () => {
  it('stores the port for the runs that follow, and refuses one that is not a port', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const port = await freePort();
    expect((await cli(dir, 'calls', 'list', '--json', '--webhook-port', String(port))).code).toBe(0);
    const core = createTestCore({ dataDir: dir });
    try {
      await core.start();
      expect(core.webhooks.localUrl).toBe(`http://127.0.0.1:${port}`);
    } finally {
      await core.close();
    }
    const bad = await cli(dir, 'calls', 'list', '--webhook-port', '80000');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--webhook-port "80000" is not a port: give a whole number from 1 to 65535/);
  });
});
