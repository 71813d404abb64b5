import { ApiError } from '../errors';
import { ImportWorkerError } from './import-session';

export type ContactsErrorCode = 'not_found' | 'conflict' | 'invalid_input' | 'unavailable';

/** An error the user can act on (see core/errors). */
export class ContactsError extends ApiError {
  constructor(code: ContactsErrorCode, message: string) {
    super(code, message);
    this.name = 'ContactsError';
  }
}

/** Any failure of an import or export step as the user-facing error (worker codes mapped, the rest unavailable). */
export function toContactsError(err: unknown): ContactsError {
  if (err instanceof ContactsError) return err;
  if (err instanceof ImportWorkerError) {
    switch (err.code) {
      case 'cancelled':
        return new ContactsError('conflict', err.message);
      case 'internal':
        return new ContactsError('unavailable', err.message);
      default:
        return new ContactsError('invalid_input', err.message);
    }
  }
  return new ContactsError('unavailable', err instanceof Error ? err.message : String(err));
}
