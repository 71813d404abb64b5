import { expect, screenshot, test } from './host';

// A hand-off through the browser: a simulator campaign, a live call handed to an available agent from its
// tile, the tile moving through transferring to transferred, the banner and the hand-off card with the transcript so
// far, and the agent's disposition saved (the agent is available again afterwards).

const CONTACTS = [
  'Asha Rao, +1 201 555 0121',
  'Bilal Khan, +1 201 555 0122',
  'Chitra Iyer, +1 201 555 0123',
  'Dev Patel, +1 201 555 0124',
  'Esha Singh, +1 201 555 0125',
  'Farhan Ali, +1 201 555 0126',
];

test('transfer a live simulator call to an agent, read the hand-off card, record the disposition', async ({
  page,
  host,
  consoleProblems,
}) => {
  test.setTimeout(120_000);
  await page.goto(host.url);
  const nav = page.getByRole('navigation', { name: 'Views' });

  await page.getByLabel('New list name').fill('Hand-off list');
  await page.getByLabel('Contacts to add, one per line: name, phone').fill(CONTACTS.join('\n'));
  await page.getByRole('button', { name: 'Add contacts', exact: true }).click();
  await expect(page.getByRole('grid', { name: 'Contacts' }).getByRole('gridcell', { name: 'Asha Rao' })).toBeVisible();

  // The roster: one agent available, one away (never offered).
  await nav.getByRole('button', { name: 'Live' }).click();
  const panel = page.getByRole('region', { name: 'Human agents' });
  const addAgent = panel.getByRole('form', { name: 'Add an agent' });
  await addAgent.getByLabel('Agent name').fill('Away Ann');
  await addAgent.getByLabel('Phone or SIP').fill('+1 415 555 0101');
  await addAgent.getByRole('button', { name: 'Add agent' }).click();
  await panel.getByLabel('Status of Away Ann').selectOption('away');
  await addAgent.getByLabel('Agent name').fill('Meera Nair');
  await addAgent.getByLabel('Phone or SIP').fill('+1 415 555 0123');
  await addAgent.getByLabel('Skills or languages').fill('English, Hindi');
  await addAgent.getByRole('button', { name: 'Add agent' }).click();
  const roster = panel.getByRole('list', { name: 'Agent roster' });
  await expect(roster.getByRole('listitem').filter({ hasText: 'Meera Nair' })).toContainText('+14155550123');
  await expect(panel.getByLabel('Status of Away Ann')).toHaveValue('away');

  await nav.getByRole('button', { name: 'Campaigns' }).click();
  await page.getByLabel('Campaign name').fill('Hand-off run');
  await page.getByLabel('Ignore calling window').check();
  await page.getByLabel('Concurrency').fill('6');
  await page.getByLabel('Max attempts').fill('1');
  await page.getByLabel('Simulator speed').fill('1');
  await page.getByRole('button', { name: 'Create campaign' }).click();
  const detail = page.getByRole('region', { name: 'Campaign Hand-off run' });
  await detail.getByRole('button', { name: 'Start' }).click();

  await nav.getByRole('button', { name: 'Live' }).click();
  const tiles = page.getByRole('region', { name: 'Live calls' });
  // An answered call whose conversation has started offers Transfer on its tile (the simulator transfers by API).
  const talking = tiles
    .getByRole('article')
    .filter({ has: page.getByLabel('Latest transcript line') })
    .filter({ has: page.getByRole('button', { name: /^Transfer call \d+/ }) })
    .first();
  await expect(talking).toBeVisible({ timeout: 45_000 });
  const label = (await talking.getByRole('button', { name: /^Transfer call \d+/ }).getAttribute('aria-label')) ?? '';
  const [, callId, who] = /^Transfer call (\d+) \((.+)\)$/.exec(label) ?? [];
  // Pin this call's tile: the first talking tile may change meanwhile.
  const tile = tiles.getByRole('article', { name: `Call ${callId}: ${who}` });
  await expect(tile).toHaveAttribute('data-state', 'in_progress');
  await screenshot(page, 'handoff-tile-in-progress');
  await tile.getByRole('button', { name: label }).click();

  const dialog = page.getByRole('dialog', { name: `Transfer ${who}` });
  await expect(dialog.getByRole('radio', { name: /Away Ann/ })).toBeDisabled();
  await expect(dialog.getByRole('radio', { name: /Meera Nair/ })).toBeChecked();
  await screenshot(page, 'handoff-transfer-dialog');
  await dialog.getByRole('button', { name: 'Transfer now' }).click();

  await expect(tile).toHaveAttribute('data-state', 'transferring');
  await expect(roster.getByRole('listitem').filter({ hasText: 'Meera Nair' })).toContainText('Busy');
  const banner = page.getByRole('region', { name: 'Transfers' });
  await expect(banner).toContainText(`${who} → Meera Nair`);
  await screenshot(page, 'handoff-transferring-banner');
  await banner.getByRole('button', { name: 'Open hand-off card' }).click();

  const card = page.getByRole('dialog', { name: `Hand-off card: ${who}` });
  const spoken = card.getByRole('list', { name: 'Transcript so far' }).locator('li.turn');
  await expect(spoken.first()).toBeVisible();
  const firstLine = (await spoken.first().locator('.text').textContent()) ?? '';
  expect(firstLine.length).toBeGreaterThan(3);
  await expect(card.getByLabel('Customer')).toContainText(who);
  await expect(card.getByRole('button', { name: 'Save disposition' })).toBeDisabled();
  await screenshot(page, 'handoff-card');

  // The call ends as transferred: it leaves the tiles for the recent strip.
  const recent = page.getByRole('region', { name: 'Recently finished calls' });
  await expect(recent.getByRole('listitem').filter({ hasText: who }).first()).toHaveAttribute(
    'data-state',
    'transferred',
    { timeout: 30_000 },
  );
  await expect(card).toContainText('(Connected)');
  // The call is over for the console: Meera is in wrap-up until she saves the disposition.
  await expect(roster.getByRole('listitem').filter({ hasText: 'Meera Nair' })).toContainText('Wrap up');

  const form = card.getByRole('form', { name: 'Disposition' });
  await form.getByLabel('Disposition (an outcome, or type your own)').fill('sale_made');
  await form.getByLabel('Notes').fill('Upgraded to the annual plan; send the invoice by email.');
  await form.getByRole('button', { name: 'Save disposition' }).click();
  await expect(card.getByRole('status')).toContainText('Saved: Sale made');
  await expect(card).toContainText('(Ended)');
  await screenshot(page, 'handoff-disposition-saved');
  await card.getByRole('button', { name: 'Close hand-off card' }).click();

  await expect(roster.getByRole('listitem').filter({ hasText: 'Meera Nair' })).toContainText('Available');
  await expect(recent.getByRole('listitem').filter({ hasText: who }).first()).toContainText('Sale made');
  const handoffs = panel.getByRole('list', { name: 'Hand-offs' });
  await expect(handoffs.getByRole('listitem').first()).toHaveAttribute('data-status', 'ended');
  await screenshot(page, 'handoff-live-after');
  expect(consoleProblems).toEqual([]);
});
