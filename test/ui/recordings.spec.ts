import { expect, screenshot, test } from './host';

// The recordings view against the real core: settings saved with the key shown only as a hint, a call record posted
// to the Zapier address listed in the view, its failure shown with the reason and a Retry button, a repeat counted.

test('recordings: settings, a posted call record, its error and Retry', async ({ page, host, consoleProblems }) => {
  await page.goto(host.url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Recordings' }).click();
  await expect(page.getByText('No recordings yet.')).toBeVisible();

  await page.getByText('Settings: Zapier address').click();
  await page.getByLabel('Support number').fill('09631084471');
  await page.getByLabel('Slack webhook URL').fill('https://hooks.slack.com/services/T000/B000/secretpart1234');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByLabel('Slack webhook URL')).toHaveAttribute('placeholder', /set \(…1234\)/);
  await expect(page.getByLabel('Slack webhook URL')).toHaveValue('');

  const hookUrl = (await page.getByLabel('Zapier hook URL').textContent()) ?? '';
  expect(hookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/zapier\/[A-Za-z0-9_-]+$/);
  const record = {
    call_id: 'CAUI0001',
    from_number: '+919876543210',
    to_number: '09631084471',
    duration: 42,
    recording_url: 'https://recordings.example.org/CAUI0001.mp3',
    agent_name: 'Prateek Raj',
    agent_slack_handle: '@prateek.raj',
    department: 'Customer Success',
  };
  for (let i = 0; i < 2; i++) {
    const res = await fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(record),
    });
    expect(res.status).toBe(200);
  }

  const table = page.getByRole('table', { name: 'Processed recordings' });
  const row = table.getByRole('row').filter({ hasText: 'CAUI0001' });
  await expect(row).toContainText('Failed');
  await expect(row).toContainText('The AssemblyAI API key is not set');
  await expect(row).toContainText('×2');
  await expect(page.getByLabel('Processed', { exact: true })).toHaveText('1');
  await expect(page.getByLabel('Duplicates skipped')).toHaveText('1');
  await screenshot(page, 'recordings-failed');

  await row.getByRole('button', { name: 'Retry recording CAUI0001' }).click();
  await expect(row).toContainText('Failed');
  await row.getByRole('button', { name: 'Open recording CAUI0001' }).click();
  await expect(page.getByRole('region', { name: 'Recording CAUI0001 detail' })).toContainText('Incoming');
  expect(consoleProblems).toEqual([]);
});
