import { expect, screenshot, test } from './host';

test('first run shows the empty state with the simulator demo beside provider set-up', async ({
  page,
  host,
  consoleProblems,
}) => {
  await page.goto(host.url);
  await expect(page.getByRole('button', { name: 'Run the simulator demo' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Set up a provider' })).toBeVisible();
  await screenshot(page, 'contacts-first-run');
  for (const view of ['Campaigns', 'Live', 'Transcripts', 'Settings']) {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: view }).click();
    await screenshot(page, `${view.toLowerCase()}-empty`);
  }
  await page.keyboard.press('Alt+1');
  await expect(
    page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Contacts', exact: true }),
  ).toHaveAttribute('aria-current', 'page');
  expect(consoleProblems).toEqual([]);
});
