import { generateKeyPairSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { FakeGoogle } from '../fakes/google-sheets';
import { expect, freshDataDir, screenshot, test } from './host';
import { startHostProcess } from './web-host-process';

// The call-tracker workflow in the browser: the campaign form's preset and mapping editors, and the sheet panel
// saying the sheet is behind while Google refuses writes (light and dark).

const SHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEF';

test('the campaign form edits the variable and outcome mappings and offers the Sheet dialer preset', async ({
  page,
  host,
  consoleProblems,
}) => {
  await page.goto(host.url);
  await page.getByLabel('New list name').fill('Call tracker');
  await page.getByLabel('Contacts to add, one per line: name, phone').fill('Asha Rao, +91 98765 43210');
  await page.getByRole('button', { name: 'Add contacts', exact: true }).click();
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Campaigns' }).click();

  const form = page.getByRole('form', { name: 'New campaign' });
  await form.getByRole('button', { name: 'Use the Sheet dialer preset' }).click();
  await expect(form.getByLabel('Concurrency')).toHaveValue('1');
  await expect(form.getByLabel('Retry after minutes')).toHaveValue('10');
  await expect(form.getByText('keeps watching the sheet for new rows')).toBeVisible();

  const variables = form.getByRole('group', { name: 'Variable mapping' });
  await variables.getByRole('button', { name: 'Add variable' }).click();
  await variables.getByLabel('Variable name 1').fill('customer_name');
  await variables.getByRole('button', { name: 'Add variable' }).click();
  await variables.getByLabel('Contact field 2').fill('email');
  await variables.getByLabel('Variable name 2').fill('customer_email');
  const outcomes = form.getByRole('group', { name: 'Outcome mapping' });
  await outcomes.getByRole('button', { name: 'Add outcome' }).click();
  await outcomes.getByLabel('Provider value 1').fill('not the right person');
  await outcomes.getByLabel('Outcome 1', { exact: true }).selectOption('wrong_number');
  await form.getByLabel('Campaign name').fill('Sheet dialer run');
  await form.scrollIntoViewIfNeeded();
  await screenshot(page, 'campaign-form-mappings-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'campaign-form-mappings-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await form.getByRole('button', { name: 'Create campaign' }).click();
  const detail = page.getByRole('region', { name: 'Campaign Sheet dialer run' });
  await expect(detail).toBeVisible();
  expect(consoleProblems).toEqual([]);
});

test('the sheet panel says how far behind the sheet is while Google refuses writes', async ({ page }) => {
  const google = new FakeGoogle();
  await google.start();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const email = 'dialer@callconsole-ui.iam.gserviceaccount.com';
  google.addServiceAccount(email, publicKey);
  google.addSpreadsheet({
    spreadsheetId: SHEET_ID,
    title: 'Customer calls',
    tabs: [
      {
        sheetId: 0,
        title: 'Leads',
        rows: [
          ['Name', 'Phone Number', 'Status', 'Latest Execution ID', 'Duration', 'Last Attempt Time', 'Notes'],
          // Left "initiated" an hour ago by a dialer that died: the console cleans it up, and Google refuses.
          ['Asha Rao', '+919876543210', 'initiated', 'exec-1', '', '2020-01-01 10:00:00', ''],
        ],
      },
    ],
  });
  google.failNext(429, 10_000, /values:batchUpdate$/);
  const dataDir = freshDataDir();
  const host = await startHostProcess(dataDir, [], {
    env: { CALLCONSOLE_GOOGLE_ROOT_URL: google.rootUrl, CALLCONSOLE_GOOGLE_TOKEN_URL: google.tokenUrl },
  });
  try {
    await page.goto(host.url);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const panel = page.getByRole('region', { name: 'Google Sheets' });
    await panel.getByLabel('Add a service-account key file').setInputFiles({
      name: 'key.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({ type: 'service_account', client_email: email, private_key: privateKey, project_id: 'ui' }),
      ),
    });
    const connect = panel.getByRole('form', { name: 'Connect a Google Sheet' });
    await connect.getByLabel('Sheet link').fill(`https://docs.google.com/spreadsheets/d/${SHEET_ID}/edit#gid=0`);
    await connect.getByRole('button', { name: 'Read the sheet' }).click();
    await connect.getByRole('button', { name: 'Connect' }).click();
    const behind = panel.getByRole('table', { name: 'Connected sheets' }).getByRole('status');
    await expect(behind).toContainText(/Sheet behind by \d+ s: 1 row update waiting for Google/);
    await expect(panel.getByRole('alert').filter({ hasText: '429' })).toBeVisible();
    await panel.getByRole('table', { name: 'Connected sheets' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'sheet-panel-behind-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'sheet-panel-behind-dark');

    // Quota back: the next try writes the row and the notice goes.
    google.clearFailures();
    await expect(behind).toHaveCount(0, { timeout: 40_000 });
    expect(google.tab(SHEET_ID, 'Leads').rows[1][2]).toBe('failed');
  } finally {
    await host.stop();
    await google.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
