import { type contactsMethods } from '../../../shared/contract/contacts';
import type { Handlers } from '../../../shared/contract/define';
import { ContactsError, type ExportedFile } from '../contacts/service';
import type { CoreServices } from '../index';
import { ApiError } from './index';

/** Turns the service's user-facing errors into the bindings' ApiError (same code, same message). */
async function guard<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ContactsError) throw new ApiError(err.code, err.message);
    throw err;
  }
}

const toWire = (f: ExportedFile) => ({
  fileName: f.fileName,
  mimeType: f.mimeType,
  dataBase64: f.bytes.toString('base64'),
  rows: f.rows,
});

export function contactsHandlers(core: CoreServices): Handlers<typeof contactsMethods> {
  const c = core.contacts;
  return {
    'lists.list': () => c.listLists(),
    'lists.create': ({ name }) => c.createList(name),
    'lists.rename': ({ id, name }) => guard(() => c.renameList(id, name)),
    'lists.delete': ({ id }) => guard(() => c.deleteList(id)),
    'contacts.add': (input) => guard(() => c.addContacts(input)),
    'contacts.page': (input) => guard(() => c.page(input)),
    'contacts.columns': (input) => ({ variables: c.variableColumns(input) }),
    'contacts.update': (input) => guard(() => c.updateContact(input)),
    'contacts.delete': (selection) => guard(() => c.deleteContacts(selection)),
    'contacts.markDnc': ({ selection, reason }) => guard(() => c.markDnc(selection, reason)),
    'contacts.unmarkDnc': ({ selection }) => guard(() => c.unmarkDnc(selection)),
    'imports.preview': ({ fileName, dataBase64, country }) =>
      guard(() => {
        // Checked before decoding so an oversized upload is refused without allocating it.
        if ((dataBase64.length * 3) / 4 > c.maxImportBytes + 4) {
          throw new ContactsError(
            'invalid_input',
            `${fileName} is about ${((dataBase64.length * 3) / 4 / 1048576).toFixed(1)} MB; the import limit is ${(c.maxImportBytes / 1048576).toFixed(0)} MB. Split the file into smaller ones.`,
          );
        }
        return c.previewImport(fileName, Buffer.from(dataBase64, 'base64'), { country });
      }),
    'imports.inspect': ({ token, ...opts }) => guard(() => c.inspectImport(token, opts)),
    'imports.commit': ({ token, ...opts }) => guard(() => c.commitImport(token, opts)),
    'imports.cancel': ({ token }) => c.cancelImport(token),
    'imports.list': ({ listId, limit }) => c.listImports(listId, limit),
    'imports.get': ({ id }) => guard(() => c.getImport(id)),
    'imports.exportRejected': ({ id, format }) => guard(async () => toWire(await c.exportRejected(id, format))),
    'exports.create': ({ scope, format }) => guard(async () => toWire(await c.exportContacts(scope, format))),
    'exports.writeBackCsv': (input) => guard(() => c.writeBackCsv(input)),
  };
}
