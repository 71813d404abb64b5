import { readFileSync } from 'node:fs';
import { expect, screenshot, test } from './host';

// Analytics and logs through the browser: the simulator demo runs, the dashboard shows its figures with their
// definitions, and every figure exports as CSV and XLSX; the logs view lists what the dialer did.

test('open the analytics dashboard during a simulator campaign and export it', async ({
  page,
  host,
  consoleProblems,
}) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Run the simulator demo' }).click();
  // The demo opens the Live view once its campaign starts.
  await expect(page.getByRole('main', { name: 'Live' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Views' });
  await nav.getByRole('button', { name: 'Analytics' }).click();

  const dashboard = page.getByRole('region', { name: 'Analytics dashboard' });
  await dashboard.getByLabel('Campaign').selectOption({ label: 'Simulator demo: COD confirmation' });
  // Figures refresh as calls end; wait for a few conversations.
  await expect
    .poll(async () => Number(await dashboard.getByLabel('Conversations', { exact: true }).textContent()), {
      timeout: 60_000,
    })
    .toBeGreaterThanOrEqual(3);
  const success = dashboard.locator('[data-figure="successRate"]');
  await expect(success).toHaveAttribute('title', /completed or transferred ÷ ended attempts except cancelled/);
  await expect(dashboard.getByRole('figure', { name: 'Funnel' })).toBeVisible();
  await expect(dashboard.locator('[data-stage="loaded"]')).toContainText('Loaded: 20');
  await expect(
    dashboard.getByRole('figure', { name: 'Results' }).locator('.recharts-bar-rectangle').first(),
  ).toBeVisible();
  await screenshot(page, 'analytics-dashboard');

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    dashboard.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(csv.suggestedFilename()).toBe('Simulator demo COD confirmation analytics.csv');
  const text = readFileSync((await csv.path())!, 'utf8');
  expect(text.split('\r\n')[0]).toBe('\ufeffsection,figure,key,value,definition');
  expect(text).toMatch(/\r\nfunnel,contacts,loaded,20,Contacts in the campaign.s lists\.\r\n/);
  expect(text).toMatch(/\r\ntotals,placed,,\d+,/);

  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    dashboard.getByRole('button', { name: 'Export XLSX' }).click(),
  ]);
  expect(xlsx.suggestedFilename()).toBe('Simulator demo COD confirmation analytics.xlsx');
  expect(
    readFileSync((await xlsx.path())!)
      .subarray(0, 2)
      .toString('latin1'),
  ).toBe('PK');

  await nav.getByRole('button', { name: 'Logs' }).click();
  const logs = page.getByRole('table', { name: 'Log entries' });
  await expect(logs.getByRole('row').nth(1)).toBeVisible();
  await page.getByRole('region', { name: 'Logs' }).getByLabel('Level').selectOption('debug');
  await expect(
    page.getByRole('region', { name: 'Backup, restore and wipe' }).getByRole('button', { name: 'Wipe' }),
  ).toBeDisabled();
  await screenshot(page, 'logs-view');
  expect(consoleProblems).toEqual([]);
});
