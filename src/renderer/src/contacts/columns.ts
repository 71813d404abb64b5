import type { Contact } from '../../../shared/domain';
import { formatDateTime } from '../shell/format';

export interface Column {
  key: string;
  label: string;
  width: number;
  value(contact: Contact): string;
  /** Which field an inline edit changes, when the column can be edited. */
  edit?: { field: 'name' | 'phone' } | { variable: string };
}

export const BASE_COLUMNS: Column[] = [
  { key: 'name', label: 'Name', width: 180, value: (c) => c.name, edit: { field: 'name' } },
  { key: 'phone', label: 'Phone (E.164)', width: 150, value: (c) => c.phone ?? '', edit: { field: 'phone' } },
  { key: 'phoneRaw', label: 'Phone as typed', width: 140, value: (c) => c.phoneRaw },
  {
    key: 'callable',
    label: 'Callable',
    width: 180,
    value: (c) => (c.callable ? 'Yes' : `No: ${c.notCallableReason ?? 'not callable'}`),
  },
  { key: 'email', label: 'Email', width: 180, value: (c) => c.email ?? '' },
  { key: 'timezone', label: 'Time zone', width: 130, value: (c) => c.timezone ?? '' },
  { key: 'sourceRow', label: 'Source row', width: 90, value: (c) => (c.sourceRow == null ? '' : String(c.sourceRow)) },
  { key: 'updatedAt', label: 'Updated', width: 150, value: (c) => formatDateTime(c.updatedAt) },
];

export function variableColumn(name: string): Column {
  return { key: `var:${name}`, label: name, width: 130, value: (c) => c.variables[name] ?? '', edit: { variable: name } };
}

/** Tabs and newlines inside a value would break the TSV; spreadsheets expect them quoted. */
export function tsvCell(value: string): string {
  return /[\t\n\r"]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
