import { rmSync } from 'node:fs';
import { expect, freshDataDir, screenshot, test as base, type RunningHost } from './host';
import { FLOOR_CALLS, seedFloor } from './live-floor';
import { startHostProcess } from './web-host-process';

// The live board as a supervisor runs it, through the web host: 200 simulator calls live at once, the table mode
// filtered and sorted, agents and open hand-offs pinned at the top of a 1280×720 window, a campaign waiting for its
// calling window with the opening in its contacts' zone, and a hand-off that cannot be disposed early and leaves its
// agent in wrap-up, then ready. Screenshots in light and dark.

const test = base.extend<{ host: RunningHost }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern; none here
  host: async ({}, use) => {
    const dataDir = freshDataDir();
    await seedFloor(dataDir, { simSpeed: 0.25 });
    const hostProcess = await startHostProcess(dataDir);
    try {
      await use({ url: hostProcess.url, dataDir, output: hostProcess.output });
    } finally {
      await hostProcess.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
});

test.use({ viewport: { width: 1280, height: 720 } });

/** The hour two hours from now in India, as HH:00: a window that is closed now and opens then. */
function closedWindowInIndia(): { start: string; end: string } {
  const hour = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', hourCycle: 'h23' }).format(
      Date.now(),
    ),
  );
  const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  return { start: hh(hour + 2), end: hh(hour + 3) };
}

test('a floor of 200 live calls: table mode, pinned agents and hand-offs, the calling window, the hand-off loop', async ({
  page,
  host,
  consoleProblems,
}) => {
  test.setTimeout(240_000);
  await page.goto(host.url);
  const nav = page.getByRole('navigation', { name: 'Views' });

  // A campaign of Indian numbers whose window is closed now: it says when it opens, in the contacts' zone.
  await nav.getByRole('button', { name: 'Campaigns' }).click();
  const campaignList = page.getByRole('complementary', { name: 'Campaigns' });
  await campaignList.getByRole('button', { name: 'New campaign…' }).click();
  const window = closedWindowInIndia();
  const form = page.getByRole('form', { name: 'New campaign' });
  await form.getByLabel('Campaign name').fill('India window');
  await form.getByLabel('Campaign list').selectOption({ label: 'India morning (2)' });
  await form.getByLabel('Calling window start').fill(window.start);
  await form.getByLabel('Calling window end').fill(window.end);
  await form.getByRole('button', { name: 'Create campaign' }).click();
  const windowDetail = page.getByRole('region', { name: 'Campaign India window' });
  await windowDetail.getByRole('button', { name: 'Start' }).click();
  const notice = windowDetail.getByRole('status', { name: 'India window: waiting for the calling window' });
  await expect(notice).toContainText(`waiting for the calling window — opens ${window.start} IST (in `, {
    timeout: 30_000,
  });
  await screenshot(page, 'campaign-waiting-for-window');

  await campaignList.getByRole('button', { name: 'Floor 200', exact: true }).click();
  await page.getByRole('region', { name: 'Campaign Floor 200' }).getByRole('button', { name: 'Start' }).click();

  await nav.getByRole('button', { name: 'Live' }).click();
  await expect(page.getByLabel('Calls live now')).toHaveText(String(FLOOR_CALLS), { timeout: 60_000 });
  await expect(page.getByRole('status', { name: 'India window: waiting for the calling window' })).toContainText(
    `opens ${window.start} IST`,
  );

  // Agents and open hand-offs are pinned at the top, visible without scrolling at 1280×720.
  const strip = page.getByRole('region', { name: 'Agents and open hand-offs' });
  await expect(strip.getByRole('listitem', { name: 'Meera Nair: Available' })).toBeInViewport();
  await expect(strip.getByRole('list', { name: 'Open hand-offs' })).toBeAttached();
  await expect(strip.getByRole('heading', { name: /Open hand-offs/ })).toBeInViewport();

  // Table mode: one line per live call, filtered by state and sorted.
  const toolbar = page.getByRole('toolbar', { name: 'Live board view' });
  await toolbar.getByRole('button', { name: 'Table' }).click();
  const table = page.getByRole('table', { name: 'Live calls table' });
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(FLOOR_CALLS);
  await expect(rows.first().locator('td').nth(2)).toHaveText(/^\d\d:\d\d [A-Z]{3}$/);
  await screenshot(page, 'live-table-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'live-table-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await expect(rows.filter({ has: page.locator('[data-state="in_progress"]') }).first()).toBeVisible({
    timeout: 90_000,
  });
  await toolbar.getByLabel('Filter by state').selectOption('in_progress');
  await expect(rows.first()).toHaveAttribute('data-state', 'in_progress');
  const states = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-state')));
  expect(states.length).toBeGreaterThan(0);
  expect(new Set(states)).toEqual(new Set(['in_progress']));
  await toolbar.getByLabel('Filter by state').selectOption('');
  await expect(rows).toHaveCount(FLOOR_CALLS);
  await toolbar.getByLabel('Filter by time in state').selectOption('5 min or more');
  await expect(rows).toHaveCount(0);
  await toolbar.getByLabel('Filter by time in state').selectOption('any time');
  await expect(rows).toHaveCount(FLOOR_CALLS);

  await table.getByRole('button', { name: 'Contact' }).click();
  await expect(table.getByRole('columnheader', { name: 'Contact' })).toHaveAttribute('aria-sort', 'ascending');
  const ascending = await rows.evaluateAll((trs) =>
    trs.slice(0, 20).map((tr) => tr.querySelector('td')?.textContent ?? ''),
  );
  expect(ascending).toEqual([...ascending].sort());
  expect(ascending[0]).toBe('Caller 000');
  await table.getByRole('button', { name: 'Contact' }).click();
  await expect(rows.first().locator('td').first()).toHaveText(`Caller ${FLOOR_CALLS - 1}`);

  // Scoped to one campaign: the India campaign has no live calls.
  await toolbar.getByRole('button', { name: 'India window' }).click();
  await expect(page.getByLabel('Calls live now')).toHaveText('0');
  await toolbar.getByRole('button', { name: 'All' }).click();
  await expect(page.getByLabel('Calls live now')).toHaveText(String(FLOOR_CALLS));

  // Tiles stay as the other mode, with each contact's local time and zone.
  await toolbar.getByRole('button', { name: 'Tiles' }).click();
  const tile = page.getByRole('region', { name: 'Live calls' }).getByRole('article').first();
  await expect(tile).toContainText(/Their time \d\d:\d\d [A-Z]{3}/);
  await screenshot(page, 'live-tiles-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'live-tiles-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // A hand-off: the disposition waits for the agent's leg; after the call Meera is in wrap-up, then ready.
  await toolbar.getByRole('button', { name: 'Table' }).click();
  const talking = rows.filter({ has: page.getByRole('button', { name: /^Transfer call \d+/ }) }).first();
  const label = (await talking.getByRole('button', { name: /^Transfer call \d+/ }).getAttribute('aria-label')) ?? '';
  const [, callId, who] = /^Transfer call (\d+) \((.+)\)$/.exec(label) ?? [];
  await table.getByRole('button', { name: label }).click();
  const dialog = page.getByRole('dialog', { name: `Transfer ${who}` });
  await dialog.getByRole('radio', { name: /Meera Nair/ }).check();
  await dialog.getByRole('button', { name: 'Transfer now' }).click();
  await expect(strip.getByRole('listitem', { name: 'Meera Nair: Busy' })).toBeVisible();
  await strip.getByRole('button', { name: new RegExp(`^Open hand-off card \\d+ \\(${who}\\)`) }).click();
  const card = page.getByRole('dialog', { name: `Hand-off card: ${who}` });
  await expect(card.getByLabel('Their local time')).toContainText(/\d\d:\d\d [A-Z]{3} \(America\//);
  const save = card.getByRole('button', { name: 'Save disposition' });
  await expect(card.getByLabel('Hand-off status')).toContainText('Ringing Meera Nair');
  await expect(save).toBeDisabled();
  await screenshot(page, 'handoff-card-ringing-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'handoff-card-ringing-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await expect(strip.getByRole('listitem', { name: 'Meera Nair: Wrap up' })).toBeVisible({ timeout: 90_000 });
  await expect(card.getByLabel('Hand-off status')).toContainText('in wrap-up');
  await card.getByLabel('Disposition (an outcome, or type your own)').fill('confirmed');
  await save.click();
  await expect(card).toContainText('Saved: Confirmed');
  await card.getByRole('button', { name: 'Close hand-off card' }).click();
  await expect(strip.getByRole('listitem', { name: 'Meera Nair: Available' })).toBeVisible();
  await expect(table.getByRole('row', { name: `Call ${callId}: ${who}` })).toHaveCount(0);
  const recent = page.getByRole('region', { name: 'Recently finished calls' });
  await expect(recent.getByRole('listitem').filter({ hasText: who }).first()).toContainText('Floor 200');
  expect(consoleProblems).toEqual([]);
});
