import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAMPAIGN_PRESETS } from '../../src/shared/domain';
import { BolnaFake, type BolnaOutcome } from '../fakes/bolna';
import type { Cell } from '../fakes/google-sheets';
import { freePort } from '../support/loopback';
import { waitUntil } from '../support/wait';
import { invoke, seedSheet, serviceAccountKey, SHEET_ID, SHEET_URL, startHarness, type Harness } from './harness';

// The call-tracker sheet drives the dialer: a half-worked sheet (rows in every state, times relative to the test
// clock, written in the sheet's own zone, Asia/Kolkata) is connected to a Sheet dialer campaign over Bolna; the
// sheet decides who is called and when, a row added mid-run is called, and `completed` typed by a person stops a
// retry that was due.

const AGENT = '123e4567-e89b-12d3-a456-426655440000';
const MIN = 60_000;
const IST = 5.5 * 60 * MIN;

let h: Harness;
let bolna: BolnaFake;
beforeEach(async () => {
  h = await startHarness();
  bolna = new BolnaFake('bn-sheet-key', [AGENT]);
  await bolna.start();
});
afterEach(async () => {
  await h.close();
  await bolna.close();
});

/** A time as the sheet shows it: YYYY-MM-DD HH:MM:SS in Asia/Kolkata. */
function sheetTime(at: number): string {
  return new Date(at + IST).toISOString().slice(0, 19).replace('T', ' ');
}

function tab(): Cell[][] {
  return h.fake.tab(SHEET_ID, 'Leads').rows;
}

function setStatus(row: number, status: string): void {
  tab()[row - 1][2] = status;
}

interface Dial {
  name: string;
  /** Minutes after the start of the run at which the attempt was placed (test clock). */
  at: number;
}

describe('a Sheet dialer campaign on the call-tracker sheet', () => {
  it('calls exactly the rows the sheet says, when it says, picks up a new row, and stops a retry marked completed', async () => {
    const t0 = h.clock.now();
    seedSheet(h.fake, [
      ['Asha new', '+919876543210', 'new'],
      ['Bala failed long ago', '+919876543211', 'failed', 'exec-old-1', '', sheetTime(t0 - 60 * MIN), 'busy line'],
      ['Chitra completed', '+919876543212', 'completed', 'exec-old-2', 41, sheetTime(t0 - 30 * MIN)],
      ['Dev initiated 2 min ago', '+919876543213', 'initiated', 'exec-old-3', '', sheetTime(t0 - 2 * MIN)],
      ['Esha blank', '+919876543214'],
      ['Farid no-answer', '+919876543215', 'no-answer', 'exec-old-4', '', sheetTime(t0 - 3 * MIN)],
    ]);
    h.core.settings.set('webhookPort', await freePort());
    await invoke(h.core, 'providers.update', {
      provider: 'bolna',
      settings: { baseUrl: bolna.baseUrl, voiceAgentId: AGENT, fromNumber: '+918035739222' },
      keys: { apiKey: 'bn-sheet-key' },
    });
    const credential = await invoke(h.core, 'sources.google.addServiceAccount', { content: serviceAccountKey().json });
    const { connection } = await invoke(h.core, 'sources.sheets.connect', {
      url: SHEET_URL,
      credentialId: credential.id,
      defaultCountry: 'IN',
      pollIntervalMs: 30_000,
    });
    expect(connection.timeZone).toBe('Asia/Kolkata');
    const campaign = await invoke(h.core, 'campaigns.create', {
      name: 'Sheet dialer',
      listIds: [connection.listId],
      provider: 'bolna',
      voiceAgentId: null,
      settings: { ...CAMPAIGN_PRESETS.sheet_dialer.settings, ignoreWindow: true },
      startAt: null,
    });
    expect(campaign.settings).toMatchObject({
      concurrency: 1,
      pacingMs: 5_000,
      retryDelaysMs: [10 * MIN],
      watchSources: true,
    });
    await h.core.start();
    await invoke(h.core, 'campaigns.start', { id: campaign.id });

    // Each placed call is answered by Bolna's webhooks at once: Bala is busy again, everyone else talks.
    const dials: Dial[] = [];
    const handled = new Set<string>();
    const outcome = (name: string): BolnaOutcome =>
      name.startsWith('Bala')
        ? { status: 'busy' }
        : { status: 'completed', conversationS: 30, transcript: 'assistant: Hello\nuser: Hi\n', summary: 'Talked.' };
    const answerNewCalls = async () => {
      for (const [id, ex] of bolna.executions) {
        if (handled.has(id)) continue;
        handled.add(id);
        const name = String(ex.userData.name ?? ex.to);
        // When the attempt was written, just before the provider request (the clock moves in 1 s steps).
        const placedAt = h.core.db
          .prepare<[string], { created_at: number }>('SELECT created_at FROM calls WHERE provider_call_id = ?')
          .get(id)!.created_at;
        dials.push({ name, at: (placedAt - t0) / MIN });
        const o = outcome(name);
        for (const status of o.status === 'completed' ? ['initiated', 'ringing', 'in-progress'] : ['initiated'])
          await bolna.push(id, status);
        await bolna.push(id, o.status, o);
      }
      await waitUntil(() => h.core.webhooks.health().applying === 0, { what: 'webhooks applied' });
    };
    const runUntil = async (minutes: number, at?: { minute: number; act: () => void }[]) => {
      while (h.clock.now() - t0 < minutes * MIN) {
        for (const step of at ?? []) if (Math.abs((h.clock.now() - t0) / MIN - step.minute) < 1e-9) step.act();
        await h.advance(1_000);
        await h.core.dialer.idle();
        await answerNewCalls();
      }
    };

    await runUntil(12, [
      // A person marks Farid completed while his retry (due at +7 min) waits.
      { minute: 1, act: () => setStatus(7, 'completed') },
      // A row added mid-run.
      { minute: 2, act: () => tab().push(['Gita added mid-run', '+919876543216']) },
    ]);

    const names = dials.map((d) => d.name.split(' ')[0]);
    // Right away, one at a time, 5 s apart: the new, the long-failed and the blank row.
    expect([...names.slice(0, 3)].sort()).toEqual(['Asha', 'Bala', 'Esha']);
    expect(dials[0].at).toBeLessThan(5 / 60);
    expect(dials[1].at - dials[0].at).toBeGreaterThanOrEqual(5 / 60);
    expect(dials[2].at - dials[1].at).toBeGreaterThanOrEqual(5 / 60);
    // The row added at +2 min, at the next read of the sheet (every 30 s).
    const gita = dials.find((d) => d.name.startsWith('Gita'))!;
    expect(gita.at).toBeGreaterThanOrEqual(2);
    expect(gita.at).toBeLessThanOrEqual(2.6);
    // Dev was someone's live call 2 minutes old: left alone, then stale, cleaned up and retried 10 min after it.
    const dev = dials.find((d) => d.name.startsWith('Dev'))!;
    expect(dev.at).toBeGreaterThanOrEqual(8);
    expect(dev.at).toBeLessThan(8.6);
    // Bala's busy retry comes 10 minutes after his call; Chitra (completed) and Farid (marked completed) never.
    const bala = dials.filter((d) => d.name.startsWith('Bala'));
    expect(bala).toHaveLength(2);
    expect(bala[1].at - bala[0].at).toBeGreaterThanOrEqual(10);
    expect(names.filter((n) => n === 'Chitra' || n === 'Farid')).toEqual([]);
    expect([...names].sort()).toEqual(['Asha', 'Bala', 'Bala', 'Dev', 'Esha', 'Gita']);

    // The sheet shows each row's result in the layout's formats.
    await h.advance(5_000);
    const row = (name: string) => tab().find((r) => String(r[0]).startsWith(name))!;
    expect(row('Asha').slice(2, 5)).toEqual(['completed', expect.stringMatching(/^[0-9a-f-]{36}$/), 30]);
    expect(row('Asha')[5]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(row('Chitra')[2]).toBe('completed');
    expect(row('Farid')[2]).toBe('completed');
    expect(row('Bala')[2]).toBe('busy');

    // The logs show each status change of a call, with its time, filtered by that call.
    const ashaCall = h.core.db
      .prepare<[string], { id: number }>('SELECT id FROM calls WHERE phone = ? ORDER BY id LIMIT 1')
      .get('+919876543210')!.id;
    const { entries } = await invoke(h.core, 'logs.list', { callId: ashaCall, sources: ['db'] });
    const lines = entries.reverse().filter((e) => e.scope === 'calls');
    expect(lines.every((e) => e.callId === ashaCall && e.at >= t0)).toBe(true);
    expect(lines.map((e) => e.message.replace(/^Call \d+ to \+919876543210: /, ''))).toEqual([
      'attempt 1 placed with bolna (dialing)',
      'dialing → initiated',
      'initiated → ringing',
      'ringing → in_progress',
      'in_progress → ended (completed)',
    ]);

    // Bala's third and last attempt at +20 min; then nothing is left to call, and the campaign watches the sheet
    // instead of completing.
    await runUntil(32);
    expect(dials.filter((d) => d.name.startsWith('Bala'))).toHaveLength(3);
    const progress = await invoke(h.core, 'campaigns.progress', { id: campaign.id });
    expect(progress).toMatchObject({ state: 'running', watching: true });

    // A row added while watching is called at the next read; the campaign then watches again.
    tab().push(['Hari added while watching', '+919876543217']);
    await runUntil(33);
    expect(dials.at(-1)?.name).toBe('Hari added while watching');
    expect(await invoke(h.core, 'campaigns.progress', { id: campaign.id })).toMatchObject({
      state: 'running',
      watching: true,
    });
  });
});
