import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { freshDataDir, screenshot } from './host';
import { startHostProcess } from './web-host-process';

// The review list against the real core: provider events that named no call with certainty (here, self-hosted
// Bolna extractions without a known call token) are listed with their raw JSON; a person attaches one to the call it
// belongs to, which gives that call its outcome, and dismisses the other.

/** What the core files when an extraction arrives without a call token (seeded into the store of a stopped host). */
function seed(dataDir: string): number {
  const db = new Database(join(dataDir, 'console.db'));
  try {
    const callId = Number(
      db
        .prepare(
          `INSERT INTO calls (phone, idempotency_key, provider, provider_call_id, status, result, conversation, created_at, ended_at, duration_s)
           VALUES ('+919876500009', 'ui-review-1', 'bolna_twilio', 'CA0123456789abcdef0123456789abcdef', 'ended', 'completed', 1, ?, ?, 30)`,
        )
        .run(Date.now() - 120_000, Date.now() - 60_000).lastInsertRowid,
    );
    const file = db.prepare(
      `INSERT INTO review_items (provider, kind, reason, received_at, raw, event_json) VALUES ('bolna_twilio', 'extraction', ?, ?, ?, ?)`,
    );
    const event = (extracted: Record<string, unknown>) =>
      JSON.stringify({
        provider: 'bolna_twilio',
        providerCallId: null,
        callId: null,
        dedupeKey: 'extraction:unmatched:x',
        kind: 'extraction',
        extracted,
        outcomeHint: String(extracted.status),
      });
    const rescheduled = { status: 'rescheduled', reschedule_date: '2025-09-13', reschedule_time: '14:30' };
    file.run(
      'its URL carries no call token (it came from an agent the console did not create for one call)',
      Date.now() - 30_000,
      JSON.stringify(rescheduled),
      event(rescheduled),
    );
    file.run(
      'its URL carries a call token (…9f3a) that belongs to no call placed by this console',
      Date.now() - 10_000,
      JSON.stringify({ status: 'confirmed' }),
      event({ status: 'confirmed' }),
    );
    return callId;
  } finally {
    db.close();
  }
}

test('review list: raw JSON, attach to a call, dismiss', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    if (/favicon\.ico/.test(msg.text()) || /favicon\.ico/.test(msg.location().url)) return;
    problems.push(`${msg.type()}: ${msg.text()}`);
  });
  const dataDir = freshDataDir();
  let host = await startHostProcess(dataDir);
  try {
    await host.stop(); // the store exists now, with every migration applied
    const callId = seed(dataDir);
    host = await startHostProcess(dataDir);
    await page.goto(host.url);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Review' }).click();
    const list = page.getByRole('complementary', { name: 'Events to review' });
    await expect(list.getByRole('heading')).toHaveText('To review (2)');
    // Newest first: the made-up token one is selected.
    const detail = page.getByRole('region', { name: /Review item/ });
    await expect(detail).toContainText('belongs to no call placed by this console');
    await list
      .getByRole('button', { name: /extraction/ })
      .nth(1)
      .click();
    await expect(detail).toContainText('no call token');
    const raw = page.getByLabel('Raw body');
    await expect(raw).toContainText('"reschedule_date": "2025-09-13"');
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'review-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'review-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByLabel('Call to attach to').selectOption(String(callId));
    await page.getByRole('button', { name: 'Attach to call' }).click();
    await expect(list.getByRole('heading')).toHaveText('To review (1)');
    await expect(page.getByRole('status').filter({ hasText: `Attached to call ${callId}` })).toBeVisible();

    await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
    await expect(list.getByRole('heading')).toHaveText('To review (0)');
    await expect(page.getByText('Nothing to review: every provider event found its call.')).toBeVisible();

    // The attached answer is now that call's outcome, with its reschedule fields.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Transcripts' }).click();
    await host.stop();
    const db = new Database(join(dataDir, 'console.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT outcome, extracted_json FROM calls WHERE id = ?').get(callId)).toEqual({
        outcome: 'rescheduled',
        extracted_json: JSON.stringify({
          status: 'rescheduled',
          reschedule_date: '2025-09-13',
          reschedule_time: '14:30',
        }),
      });
      expect(db.prepare('SELECT state, call_id AS callId FROM review_items ORDER BY id').all()).toEqual([
        { state: 'attached', callId },
        { state: 'dismissed', callId: null },
      ]);
    } finally {
      db.close();
    }
    expect(problems).toEqual([]);
  } finally {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
