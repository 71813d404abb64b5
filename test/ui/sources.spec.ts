import { generateKeyPairSync } from 'node:crypto';
import { expect, screenshot, test } from './host';

// The Google Sheets panel in Settings: a key file goes in through the file picker and only its account comes back.

test('adds a service-account key file and offers to connect a sheet', async ({ page, host, consoleProblems }) => {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const email = 'dialer@callconsole-ui.iam.gserviceaccount.com';
  const key = JSON.stringify({
    type: 'service_account',
    client_email: email,
    private_key: privateKey,
    project_id: 'ui',
  });

  await page.goto(host.url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  const panel = page.getByRole('region', { name: 'Google Sheets' });
  await expect(panel.getByText('Add a service-account key or sign in with Google first.')).toBeVisible();

  await panel.getByLabel('Add a service-account key file').setInputFiles({
    name: 'bad.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"type":"authorized_user"}'),
  });
  await expect(page.getByRole('alert').filter({ hasText: 'not a service-account key file' })).toBeVisible();

  await panel
    .getByLabel('Add a service-account key file')
    .setInputFiles({ name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(key) });
  await expect(panel.getByRole('list', { name: 'Google accounts' })).toContainText(email);
  await expect(page.getByRole('status').filter({ hasText: `Share the sheet with ${email}` })).toBeVisible();
  await expect(panel.getByRole('form', { name: 'Connect a Google Sheet' }).getByLabel('Sheet link')).toBeVisible();
  await expect(panel.getByRole('combobox', { name: 'Google account' })).toContainText(email);
  await expect(page.locator('body')).not.toContainText('PRIVATE KEY');
  await screenshot(page, 'settings-google-sheets');
  expect(consoleProblems).toEqual([]);
});
