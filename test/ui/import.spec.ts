import { readFileSync } from 'node:fs';
import * as XLSX from '@e965/xlsx';
import { expect, screenshot, test } from './host';

// A file import through the browser: drop a generated workbook on the window, map its columns, import,
// filter the grid, edit a cell, export, and read the exported file back.

function workbookBase64(): string {
  const rows = [
    ['Customer export, 25 Nov'],
    [],
    ['Customer Name', 'Mobile', 'Order ID', 'City'],
    ['Meera Pillai', 9876543210, 'COD-1', 'Kochi'],
    ['Ravi Kumar', '+91 98765-43211', 'COD-2', 'Pune'],
    ['Sunita Devi', '(0)98765 43212', 'COD-3', 'Patna'],
    ['Broken Number', 'call me', 'COD-4', 'Delhi'],
  ];
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'Orders');
  return (XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer).toString('base64');
}

test('drop a file, map, import, filter, edit, export and read the export back', async ({
  page,
  host,
  consoleProblems,
}) => {
  await page.goto(host.url);
  await expect(page.getByRole('button', { name: 'Run the simulator demo' })).toBeVisible();

  // A real drop: a File in a DataTransfer, dispatched on the window like the browser does.
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const file = new File([bytes], 'orders.xlsx', {
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    const dataTransfer = new DataTransfer();
    dataTransfer.items.add(file);
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer, bubbles: true, cancelable: true }));
    }
  }, workbookBase64());

  const dialog = page.getByRole('dialog', { name: 'Import orders.xlsx' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Header row')).toHaveValue('3');
  await expect(dialog.getByLabel('Map column A (Customer Name)')).toHaveValue('name');
  await expect(dialog.getByLabel('Map column B (Mobile)')).toHaveValue('phone');
  await dialog.getByLabel('Map column D (City)').selectOption('skip');
  await dialog.getByLabel('Imported list name').fill('Orders today');
  await screenshot(page, 'import-mapping');
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();

  const result = dialog.getByRole('status', { name: 'Import result' });
  await expect(result).toContainText('3 imported');
  await expect(result).toContainText('1 rejected');
  await expect(dialog.getByRole('table', { name: 'Rejected rows' })).toContainText('call me');
  await screenshot(page, 'import-result');
  await dialog.getByRole('button', { name: 'Done' }).click();

  const grid = page.getByRole('grid', { name: 'Contacts' });
  await expect(grid.getByRole('gridcell', { name: '+919876543210' })).toBeVisible();
  await expect(grid.getByRole('gridcell', { name: 'COD-2' })).toBeVisible();
  await expect(grid.getByRole('columnheader', { name: 'city' })).toHaveCount(0);

  await page.getByLabel('Search contacts').fill('Ravi');
  await expect(grid.getByRole('row')).toHaveCount(2);
  await expect(page.getByText('1 contacts')).toBeVisible();

  await grid.getByRole('gridcell', { name: 'Ravi Kumar' }).dblclick();
  const editor = page.getByLabel('Edit Name');
  await editor.fill('Ravi K. Sharma');
  await editor.press('Enter');
  await expect(grid.getByRole('gridcell', { name: 'Ravi K. Sharma' })).toBeVisible();

  // A bad phone is refused with a message naming the problem, and the old value stays.
  await grid.getByRole('gridcell', { name: '+919876543211' }).dblclick();
  await page.getByLabel('Edit Phone (E.164)').fill('12');
  await page.getByLabel('Edit Phone (E.164)').press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: /phone/i })).toBeVisible();
  await screenshot(page, 'contacts-edit-error');
  await page.getByLabel('Edit Phone (E.164)').press('Escape');
  await expect(grid.getByRole('gridcell', { name: '+919876543211' })).toBeVisible();

  await page.getByLabel('Search contacts').fill('');
  await expect(grid.getByRole('row')).toHaveCount(4);

  // Keyboard: click the first name, Shift+ArrowDown twice selects three rows, copy gives TSV with a header.
  await grid.getByRole('gridcell', { name: 'Meera Pillai' }).click();
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(page.getByText('3 contacts · 3 selected')).toBeVisible();
  const tsv = await grid.evaluate((el) => {
    const clipboardData = new DataTransfer();
    el.dispatchEvent(new ClipboardEvent('copy', { clipboardData, bubbles: true, cancelable: true }));
    return clipboardData.getData('text/plain');
  });
  const lines = tsv.split('\n');
  expect(lines).toHaveLength(4);
  expect(lines[0].split('\t').slice(0, 2)).toEqual(['Name', 'Phone (E.164)']);
  expect(lines[1].split('\t').slice(0, 2)).toEqual(['Meera Pillai', '+919876543210']);
  expect(lines[2]).toContain('Ravi K. Sharma');
  await screenshot(page, 'contacts-imported');
  await page.keyboard.press('Escape');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  const path = await file.path();
  const csv = readFileSync(path, 'utf8');
  expect(csv).toContain('Ravi K. Sharma');
  expect(csv).toContain('Meera Pillai');
  expect(csv).toContain('COD-3');
  expect(csv).not.toContain('Broken Number');
  expect(consoleProblems).toEqual([]);
});
