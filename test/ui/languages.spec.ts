import { expect, screenshot, test } from './host';

// The UI in Hindi: the picker switches every translated string (and the vocabulary), the simulator demo calls some
// customers in Hindi, and their transcripts render in Devanagari with the bundled fonts. Screenshots in light and
// dark for a look at glyphs and untranslated text.

test('switch the UI to Hindi, run the demo, open a Hindi transcript', async ({ page, host, consoleProblems }) => {
  await page.goto(host.url);
  await page.getByLabel('Language').selectOption('hi');
  const nav = page.getByRole('navigation', { name: 'दृश्य' });
  await expect(nav.getByRole('button', { name: 'संपर्क', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('html')).toHaveAttribute('lang', 'hi');

  await page.getByRole('button', { name: 'Run the simulator demo' }).click();
  await nav.getByRole('button', { name: 'लाइव' }).click();
  await expect(page.getByLabel('Calls live now')).toHaveText('0', { timeout: 90_000 });

  await nav.getByRole('button', { name: 'ट्रांसक्रिप्ट' }).click();
  // Search for a Hindi phrase of the simulator's greeting and open that call.
  await page.getByRole('searchbox').fill('"मेरी बात"');
  await page.getByRole('searchbox').press('Enter');
  const hit = page.locator('.hits li').first();
  await expect(hit).toBeVisible({ timeout: 30_000 });
  await hit.getByRole('button').first().click();
  const transcript = page.getByRole('list', { name: 'Transcript' });
  await expect(transcript.getByRole('listitem').first()).toContainText('नमस्ते');
  // The bundled Devanagari face is what renders it.
  expect(await page.evaluate(() => document.fonts.check('16px "Noto Sans Devanagari"', 'नमस्ते'))).toBe(true);
  await screenshot(page, 'hindi-transcript-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'hindi-transcript-dark');

  // Back to English: the default the other specs use.
  await page.getByLabel('भाषा').selectOption('en');
  await expect(page.getByRole('navigation', { name: 'Views' })).toBeVisible();
  expect(consoleProblems).toEqual([]);
});
