import { type contactsMethods } from '@shared/contract/contacts';
import type { Handlers } from '@shared/contract/define';
import { ContactsError, type ExportedFile } from '../contacts/service';
import type { CoreServices } from '../services';

const toWire = (f: ExportedFile) => ({
  fileName: f.fileName,
  mimeType: f.mimeType,
  dataBase64: f.bytes.toString('base64'),
  rows: f.rows,
});

/**
 * The async handlers give in-process callers (demo, tests) a rejected promise rather than a throw when the service
 * refuses; dispatch turns the error into the contract's error body.
 */
export function contactsHandlers(core: CoreServices): Handlers<typeof contactsMethods> {
  const c = core.contacts;
  return {
    'lists.list': () => c.listLists(),
    'lists.create': ({ name }) => c.createList(name),
    'lists.rename': async ({ id, name }) => c.renameList(id, name),
    'lists.delete': async ({ id }) => c.deleteList(id),
    'contacts.add': async (input) => c.addContacts(input),
    'contacts.page': async (input) => c.page(input),
    'contacts.columns': (input) => ({ variables: c.variableColumns(input) }),
    'contacts.update': async (input) => c.updateContact(input),
    'contacts.delete': async (selection) => c.deleteContacts(selection),
    'contacts.markDnc': async ({ selection, reason }) => c.markDnc(selection, reason),
    'contacts.unmarkDnc': async ({ selection }) => c.unmarkDnc(selection),
    'imports.preview': async ({ fileName, dataBase64, country }) => {
      // Checked before decoding so an oversized upload is refused without allocating it.
      if ((dataBase64.length * 3) / 4 > c.maxImportBytes + 4) {
        throw new ContactsError(
          'invalid_input',
          `${fileName} is about ${((dataBase64.length * 3) / 4 / 1048576).toFixed(1)} MB; the import limit is ${(c.maxImportBytes / 1048576).toFixed(0)} MB. Split the file into smaller ones.`,
        );
      }
      return c.previewImport(fileName, Buffer.from(dataBase64, 'base64'), { country });
    },
    'imports.inspect': async ({ token, ...opts }) => c.inspectImport(token, opts),
    'imports.commit': async ({ token, ...opts }) => c.commitImport(token, opts),
    'imports.cancel': ({ token }) => c.cancelImport(token),
    'imports.list': ({ listId, limit }) => c.listImports(listId, limit),
    'imports.get': async ({ id }) => c.getImport(id),
    'imports.exportRejected': async ({ id, format }) => toWire(await c.exportRejected(id, format)),
    'exports.create': async ({ scope, format }) => toWire(await c.exportContacts(scope, format)),
    'exports.writeBackCsv': async (input) => c.writeBackCsv(input),
  };
}
