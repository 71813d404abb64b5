import { expect, screenshot, test } from './host';

// A first campaign through the browser: a fresh data folder, contacts typed in, a simulator campaign at high
// speed, tiles that reach their final states, and a finished call's transcript.

const CONTACTS = [
  'Asha Rao, +1 201 555 0111',
  'Bilal Khan, +1 201 555 0112',
  'Chitra Iyer, +1 201 555 0113',
  'Dev Patel, +1 201 555 0114',
  'Esha Singh, +1 201 555 0115',
  'Farhan Ali, +1 201 555 0116',
];

test('add contacts, run a simulator campaign, watch the tiles finish, open a transcript', async ({
  page,
  host,
  consoleProblems,
}) => {
  await page.goto(host.url);
  const nav = page.getByRole('navigation', { name: 'Views' });

  await page.getByLabel('New list name').fill('UI test list');
  await page.getByLabel('Contacts to add, one per line: name, phone').fill(CONTACTS.join('\n'));
  await page.getByRole('button', { name: 'Add contacts', exact: true }).click();
  const grid = page.getByRole('grid', { name: 'Contacts' });
  await expect(grid.getByRole('gridcell', { name: 'Asha Rao' })).toBeVisible();
  await expect(grid.getByRole('gridcell', { name: '+12015550116' })).toBeVisible();
  await screenshot(page, 'contacts-grid');

  await nav.getByRole('button', { name: 'Campaigns' }).click();
  await page.getByLabel('Campaign name').fill('UI sim run');
  await page.getByLabel('Ignore calling window').check();
  await page.getByLabel('Concurrency').fill('3');
  await page.getByLabel('Max attempts').fill('2');
  await page.getByLabel('Retry after minutes').fill('0.01');
  await page.getByLabel('Simulator speed').fill('60');
  await screenshot(page, 'campaigns-create');
  await page.getByRole('button', { name: 'Create campaign' }).click();
  const detail = page.getByRole('region', { name: 'Campaign UI sim run' });
  await expect(detail).toBeVisible();
  await detail.getByRole('button', { name: 'Start' }).click();

  await nav.getByRole('button', { name: 'Live' }).click();
  // Tiles appear while calls are live…
  await expect(page.getByRole('region', { name: 'Live calls' }).getByRole('article').first()).toBeVisible();
  await screenshot(page, 'live-running');
  // …and every call ends: nothing live, and each contact has a finished call in the strip.
  const recent = page.getByRole('region', { name: 'Recently finished calls' });
  await expect(page.getByLabel('Calls live now')).toHaveText('0', { timeout: 60_000 });
  await expect(recent.getByRole('listitem')).not.toHaveCount(0);
  await screenshot(page, 'live-finished');

  await nav.getByRole('button', { name: 'Campaigns' }).click();
  await expect(detail.getByText('Completed', { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  await expect(detail.getByRole('progressbar', { name: 'Contacts done' })).toHaveAttribute(
    'aria-valuenow',
    String(CONTACTS.length),
  );
  await screenshot(page, 'campaigns-completed');

  // Open a completed call's transcript from the Transcripts view.
  await nav.getByRole('button', { name: 'Transcripts' }).click();
  const finished = page.getByRole('table', { name: 'Finished calls' });
  const completedRow = finished
    .getByRole('row')
    .filter({ has: page.locator('[data-state="completed"]') })
    .first();
  await completedRow.getByRole('button').click();
  const transcript = page.getByRole('list', { name: 'Transcript' });
  await expect(transcript.getByRole('listitem').first()).toBeVisible();
  await expect(transcript.getByRole('listitem')).not.toHaveCount(0);
  await expect(page.getByLabel('Summary')).not.toBeEmpty();
  await screenshot(page, 'transcripts-detail');

  // Full-text search finds words from that transcript and highlights them.
  const firstTurn = (await transcript.getByRole('listitem').first().locator('.text').textContent()) ?? '';
  const word = firstTurn.split(/\W+/).find((w) => w.length >= 5) ?? 'order';
  await page.getByLabel('Search transcripts and summaries').fill(word);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const results = page.getByRole('list', { name: 'Search results' });
  await expect(results.locator('mark').first()).toBeVisible();
  await screenshot(page, 'transcripts-search');
  expect(consoleProblems).toEqual([]);
});
