import type { ReactNode } from 'react';
import type { GridContact } from '@shared/contract/contacts';
import { StateBadge } from '../calls/status';
import { formatDateTime, formatDuration, humanize } from '../shell/format';

export interface Column {
  key: string;
  label: string;
  width: number;
  /** Plain text: what is shown, copied as TSV and edited. */
  value(contact: GridContact): string;
  /** Richer cell content (colour badges); defaults to the text. */
  render?(contact: GridContact): ReactNode;
  /** The contacts.page sort key, when the column can be sorted. */
  sort?: string;
  /** Which field an inline edit changes, when the column can be edited. */
  edit?: { field: 'name' | 'phone' | 'email' } | { variable: string };
}

/** An ended call is shown by its result, a live one by its status; never-called contacts say so. */
export function lastState(c: GridContact): string {
  return c.lastStatus === 'ended' ? (c.lastResult ?? 'ended') : (c.lastStatus ?? 'not_called');
}

export const BASE_COLUMNS: Column[] = [
  { key: 'name', label: 'Name', width: 170, sort: 'name', value: (c) => c.name, edit: { field: 'name' } },
  {
    key: 'phone',
    label: 'Phone (E.164)',
    width: 140,
    sort: 'phone',
    value: (c) => c.phone ?? '',
    edit: { field: 'phone' },
  },
  { key: 'phoneRaw', label: 'Phone as typed', width: 130, sort: 'phoneRaw', value: (c) => c.phoneRaw },
  {
    key: 'callable',
    label: 'Callable',
    width: 150,
    sort: 'callable',
    value: (c) => (c.callable ? 'Yes' : `No: ${c.notCallableReason ?? 'not callable'}`),
  },
  {
    key: 'lastStatus',
    label: 'Last call',
    width: 120,
    sort: 'lastStatus',
    value: (c) => humanize(lastState(c)),
    render: (c) => (c.lastStatus ? <StateBadge state={lastState(c)} /> : <span className="muted">Not called</span>),
  },
  {
    key: 'outcome',
    label: 'Outcome',
    width: 130,
    sort: 'outcome',
    value: (c) => (c.outcome ? humanize(c.outcome) : ''),
  },
  { key: 'attempts', label: 'Attempts', width: 74, sort: 'attempts', value: (c) => String(c.attempts) },
  {
    key: 'durationS',
    label: 'Duration',
    width: 74,
    sort: 'durationS',
    value: (c) => (c.durationS == null ? '' : formatDuration(c.durationS)),
  },
  {
    key: 'lastCallAt',
    label: 'Last call at',
    width: 140,
    sort: 'lastCallAt',
    value: (c) => (c.lastCallAt ? formatDateTime(c.lastCallAt) : ''),
  },
  { key: 'email', label: 'Email', width: 170, sort: 'email', value: (c) => c.email ?? '', edit: { field: 'email' } },
  { key: 'timezone', label: 'Time zone', width: 120, sort: 'timezone', value: (c) => c.timezone ?? '' },
  { key: 'summary', label: 'Summary', width: 260, value: (c) => c.summary ?? '' },
  {
    key: 'sourceRow',
    label: 'Source row',
    width: 84,
    sort: 'sourceRow',
    value: (c) => (c.sourceRow == null ? '' : String(c.sourceRow)),
  },
  { key: 'updatedAt', label: 'Updated', width: 140, sort: 'updatedAt', value: (c) => formatDateTime(c.updatedAt) },
];

export function variableColumn(name: string): Column {
  return {
    key: `var:${name}`,
    label: name,
    width: 120,
    sort: `var:${name}`,
    value: (c) => c.variables[name] ?? '',
    edit: { variable: name },
  };
}

/** Tabs and newlines inside a value would break the TSV; spreadsheets expect them quoted. */
export function tsvCell(value: string): string {
  return /[\t\n\r"]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
