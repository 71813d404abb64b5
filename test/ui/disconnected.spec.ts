import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { freshDataDir, screenshot } from './host';
import { startHostProcess, type HostProcess } from './web-host-process';

// The web host stops and comes back on the same data folder: the open page shows that it is disconnected, keeps
// what it showed (a sort clicked meanwhile does not blank the grid), refuses actions, and reconnects by itself to
// the same URL.

test('a restarted web host: a clear disconnected state, then the page reconnects by itself', async ({ page }) => {
  const dataDir = freshDataDir();
  let host: HostProcess = await startHostProcess(dataDir, ['--demo'], { rememberPort: true });
  try {
    await page.goto(host.url);
    const count = page.getByText(/^\d+ contacts/);
    await expect(count).toHaveText('20 contacts');
    const main = page.getByRole('main');
    const sortByName = page.getByRole('button', { name: 'Sort by Name' });

    await host.stop();
    const banner = page.getByRole('alert').filter({ hasText: 'Disconnected from the console' });
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('reconnecting');
    await expect(main).toHaveAttribute('inert', '');
    await expect(main).toHaveAttribute('aria-disabled', 'true');
    // Inert: the click reaches nothing, and the grid keeps its rows and count.
    await sortByName.click({ force: true });
    await expect(count).toHaveText('20 contacts');
    await expect(page.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'none');
    await expect(page.getByRole('gridcell').first()).toBeVisible();
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'disconnected-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'disconnected-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    const url = host.url;
    host = await startHostProcess(dataDir, [], { rememberPort: true });
    expect(host.url).toBe(url);
    await expect(banner).toBeHidden({ timeout: 20_000 });
    await expect(main).not.toHaveAttribute('inert');
    await sortByName.click();
    await expect(page.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'ascending');
    await expect(count).toHaveText('20 contacts');
  } finally {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
