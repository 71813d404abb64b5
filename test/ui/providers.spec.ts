import { freePort } from '../support/loopback';
import { expect, screenshot, test } from './host';

// Settings → Providers and Tunnel. Nothing here reaches beyond 127.0.0.1: the Bolna base URL is pointed at a port that
// was just closed before any connection test, and the tunnel's "own public URL" is the local webhook server itself.

test('saves a Bolna key and agent, shows the key only as a hint, and names the field of a bad value', async ({
  page,
  host,
  consoleProblems,
}) => {
  const deadPort = await freePort();
  const key = 'bn-ui-test-secret-0000-9876';
  await page.goto(host.url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  const panel = page.getByRole('region', { name: 'Providers' });
  await expect(panel.getByRole('tab', { name: /Bolna/ }).first()).toHaveAttribute('aria-selected', 'true');
  const form = panel.getByRole('form', { name: 'Bolna settings' });
  await expect(panel.getByRole('list', { name: 'Still missing' })).toContainText('agent id');

  // A bad from-number: the error is attached to that field, and nothing is saved.
  await form.getByLabel('Bolna API key (bn-…)').fill(key);
  await form.getByLabel('Agent id').fill('agent-ui-1');
  await form.getByLabel('From-number').fill('98765');
  await form.getByLabel('API base URL').fill(`http://127.0.0.1:${deadPort}`);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByLabel('From-number')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('From-number')).toHaveAccessibleDescription(/E\.164/);
  await expect(form.getByLabel('Agent id')).not.toHaveAttribute('aria-invalid', 'true');
  await screenshot(page, 'settings-providers-field-error');

  // Fixed: saved; the key turns into a hint.
  await form.getByLabel('From-number').fill('+919876543210');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Bolna settings saved' }).first()).toBeVisible();
  await expect(form.getByRole('group', { name: 'Bolna API key (bn-…)' })).toContainText('key ending 9876');
  await expect(panel.getByText('nothing is missing')).toBeVisible();
  await expect(panel.getByRole('tab', { name: /Bolna.*ready/ }).first()).toBeVisible();

  // The connection test goes to the closed loopback port and says so clearly.
  await form.getByRole('button', { name: 'Test connection' }).click();
  const result = form.getByRole('status').filter({ hasText: /Failed:/ });
  await expect(result).toBeVisible();
  await expect(result).toContainText(/ms round trip/);
  await expect(result).toContainText(/ECONNREFUSED|refused|could not reach|unreachable/i);
  await expect(panel.getByRole('button', { name: /^Copy Agent webhook URL/ })).toBeVisible();
  await screenshot(page, 'settings-providers-bolna-saved');

  // After a reload the key is still only a hint; the value is nowhere on the page.
  await page.reload();
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  const again = page.getByRole('region', { name: 'Providers' }).getByRole('form', { name: 'Bolna settings' });
  await expect(again.getByRole('group', { name: 'Bolna API key (bn-…)' })).toContainText('key ending 9876');
  await expect(again.getByLabel('Agent id')).toHaveValue('agent-ui-1');
  await expect(again.getByLabel('From-number')).toHaveValue('+919876543210');
  expect(await page.content()).not.toContain(key);
  await expect(again.locator('input[type="password"]')).toHaveCount(0);

  // Replace offers an empty password input.
  await again.getByRole('button', { name: 'Replace Bolna API key (bn-…)' }).click();
  await expect(again.getByLabel('Bolna API key (bn-…)')).toHaveAttribute('type', 'password');
  await expect(again.getByLabel('Bolna API key (bn-…)')).toHaveValue('');

  // Self-hosted Bolna: its own fields and the create-agent form; broken JSON is refused before anything is sent.
  await page
    .getByRole('region', { name: 'Providers' })
    .getByRole('tab', { name: /self-hosted/ })
    .click();
  const selfHosted = page.getByRole('form', { name: 'Bolna (self-hosted) + Twilio settings' });
  await expect(selfHosted.getByLabel('Agent server URL')).toHaveValue('http://localhost:5001');
  await expect(selfHosted.getByLabel('Twilio Auth Token (verifies callbacks, updates calls)')).toHaveAttribute(
    'type',
    'password',
  );
  const create = page.getByRole('form', { name: 'Create an agent from its JSON definition' });
  await create.getByLabel('Agent definition (JSON)').fill('{ "agent_config": ');
  await create.getByRole('button', { name: 'Create agent' }).click();
  await expect(create.getByLabel('Agent definition (JSON)')).toHaveAccessibleDescription(/not valid JSON/);
  await screenshot(page, 'settings-providers-self-hosted');

  // Exotel: the region picks the API host; its two keys are separate password inputs.
  await page
    .getByRole('region', { name: 'Providers' })
    .getByRole('tab', { name: /Exotel/ })
    .click();
  const exotel = page.getByRole('form', { name: 'Exotel settings' });
  await expect(exotel.getByRole('combobox', { name: 'Region' })).toHaveValue('sg');
  await expect(exotel.getByLabel('Exotel API token')).toHaveAttribute('type', 'password');
  await screenshot(page, 'settings-providers-exotel');
  expect(consoleProblems).toEqual([]);
});

test('tunnel: own public URL, live status, self-test round trip, field errors and stop', async ({
  page,
  host,
  consoleProblems,
}) => {
  await page.goto(host.url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  const panel = page.getByRole('region', { name: 'Tunnel' });
  const status = panel.getByRole('definition').first();
  await expect(status).toHaveText('Off');

  // The local webhook server stands in for "my own public URL": the self-test loops back over 127.0.0.1 only.
  const localUrl =
    (await page.getByRole('region', { name: 'Webhooks' }).getByRole('definition').first().textContent())?.trim() ?? '';
  expect(localUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
  const form = panel.getByRole('form', { name: 'Tunnel settings' });
  await form.getByRole('radio', { name: /My own public URL/ }).check();
  await form.getByRole('textbox', { name: 'Public URL', exact: true }).fill('not a url');
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(form.getByRole('textbox', { name: 'Public URL', exact: true })).toHaveAccessibleDescription(/http/);

  await form.getByRole('textbox', { name: 'Public URL', exact: true }).fill(localUrl);
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(status).toHaveText('Connected');
  await expect(panel.getByRole('button', { name: 'Copy Public URL' })).toBeVisible();
  await panel.getByRole('button', { name: 'Self-test' }).click();
  const result = panel.getByRole('status').filter({ hasText: /Reached|Failed/ });
  await expect(result).toContainText(`Reached this computer through ${localUrl}`);
  await expect(result).toContainText(/in \d+(\.\d+)? ms/);
  await expect(
    page.getByRole('region', { name: 'Providers' }).getByText('Through the tunnel’s public URL'),
  ).toBeVisible();
  await screenshot(page, 'settings-tunnel-custom-url');

  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(status).toHaveText('Off');

  // localtunnel on a custom server: a bad subdomain is named; a server that is not there shows as a problem.
  const deadPort = await freePort();
  await form.getByRole('radio', { name: 'localtunnel' }).check();
  await form.getByLabel('Tunnel server (optional)').fill(`http://127.0.0.1:${deadPort}`);
  await form.getByLabel('Subdomain (optional)').fill('No');
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(form.getByLabel('Subdomain (optional)')).toHaveAccessibleDescription(/4–63 lower-case letters/);
  await form.getByLabel('Subdomain (optional)').fill('my-console');
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(status).toHaveText(/Error|Reconnecting|Connecting/);
  await expect(panel.getByRole('definition').filter({ hasText: /could not|ECONNREFUSED|refused/i })).toBeVisible();
  await screenshot(page, 'settings-tunnel-localtunnel-down');
  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(status).toHaveText('Off');
  await expect(panel.getByRole('button', { name: 'Self-test' })).toBeDisabled();
  await expect(page.getByRole('region', { name: 'Providers' }).getByText(/These are local addresses/)).toBeVisible();
  expect(consoleProblems).toEqual([]);
});
