import * as XLSX from '@e965/xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCore } from '../support/core';
import { readBack } from './files';

let core: ReturnType<typeof createTestCore>;
beforeAll(() => {
  core = createTestCore();
});
afterAll(async () => core.cleanup());

describe('export file and sheet names', () => {
  it('a list whose name Excel refuses as a sheet name ([ ], / and over 31 characters) still exports as XLSX', async () => {
    const name = 'Leads [May] north/south:  second   round of the renewals';
    const list = await core.api['contacts.add']({
      listName: name,
      contacts: [{ name: 'Asha', phone: '+919876500001', variables: {} }],
    });
    const file = await core.api['exports.create']({ scope: { listId: list.listId }, format: 'xlsx' });
    expect(file.fileName).toBe('Leads May north south second round of the renewals.xlsx');
    const bytes = Buffer.from(file.dataBase64, 'base64');
    expect(XLSX.read(bytes, { type: 'buffer' }).SheetNames).toEqual(['Leads May north south second ro']);
    expect(readBack(bytes)[1]).toContain('Asha');
  });
});
