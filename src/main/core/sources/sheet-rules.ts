import type { SheetRules } from '@shared/contract/sources';
import { localTime } from '../dialer/window';
import type { CellValue } from './google-sheets';

// Google Sheets as the truth (docs/architecture.md, Google Sheets as the truth): what a row's Status and Last Attempt
// Time say about calling it. Applied when the sheet is read and again by the dialer right before it dials the row.

/** A row marked initiating … answered this recently is someone's live call: it is left alone. */
export const ACTIVE_MS = 5 * 60_000;

const NEW = new Set(['', 'new', 'pending']);
const RETRYABLE = new Set(['failed', 'busy', 'no-answer', 'no answer', 'no_answer']);
const ACTIVE = new Set(['initiating', 'initiated', 'ringing', 'answered', 'in-progress', 'in progress']);

export type SheetVerdict =
  /** Empty or new: call now. */
  | { kind: 'call' }
  /** failed / busy / no-answer, or a stale active row: call again once the retry delay since the last attempt passed. */
  | { kind: 'retry'; at: number; stale: boolean }
  /** A live call (its own or another dialer's) younger than ACTIVE_MS: not dialled before `until`. */
  | { kind: 'active'; until: number }
  /** completed, a status the user made final, or one the console does not know: never called. */
  | { kind: 'final'; status: string };

export function normaliseStatus(status: string): string {
  return status.trim().toLowerCase();
}

/**
 * The verdict for one row. `retryDelayMs` is the campaign's delay for the next attempt; a row whose last attempt
 * time is unknown counts as attempted long ago.
 */
export function judgeRow(
  row: { status: string | null; attemptAt: number | null },
  rules: Pick<SheetRules, 'finalStatuses'>,
  retryDelayMs: number,
  now: number,
): SheetVerdict {
  const status = normaliseStatus(row.status ?? '');
  if (rules.finalStatuses.some((f) => normaliseStatus(f) === status)) return { kind: 'final', status };
  if (NEW.has(status)) return { kind: 'call' };
  const last = row.attemptAt ?? Number.NEGATIVE_INFINITY;
  if (RETRYABLE.has(status)) return { kind: 'retry', at: Math.max(now, last + retryDelayMs), stale: false };
  if (ACTIVE.has(status)) {
    if (now - last < ACTIVE_MS) return { kind: 'active', until: last + ACTIVE_MS };
    return { kind: 'retry', at: Math.max(now, last + retryDelayMs), stale: true };
  }
  return { kind: 'final', status };
}

/** Statuses that mean a call is (or was, if stale) in flight. */
export function isActiveStatus(status: string | null): boolean {
  return ACTIVE.has(normaliseStatus(status ?? ''));
}

const SHEET_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
/** Days from the spreadsheet epoch (1899-12-30) to 1970-01-01. */
const SERIAL_EPOCH_DAYS = 25_569;
const DAY_MS = 86_400_000;

/** The UTC instant of a wall-clock time in a zone (the zone's offset at that instant; DST gaps resolve forward). */
export function zonedToUtc(wallUtc: number, zone: string): number {
  let guess = wallUtc - localTime(zone, wallUtc).offsetMs;
  guess = wallUtc - localTime(zone, guess).offsetMs;
  return guess;
}

/**
 * A Last Attempt Time cell as an instant: `YYYY-MM-DD HH:MM[:SS]` in the spreadsheet's time zone, an ISO 8601 time
 * with its offset, or a date-time the sheet stores as a serial number. Null when empty or not a time.
 */
export function parseSheetTime(cell: CellValue | undefined, zone: string): number | null {
  if (cell === undefined || cell === '' || typeof cell === 'boolean') return null;
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell) || cell <= 0) return null;
    return zonedToUtc(Math.round((cell - SERIAL_EPOCH_DAYS) * DAY_MS), zone);
  }
  const text = cell.trim();
  const local = SHEET_LOCAL.exec(text);
  if (local) {
    const [y, mo, d, h, mi, s] = local.slice(1).map((v) => Number(v ?? 0));
    return zonedToUtc(Date.UTC(y, mo - 1, d, h, mi, s), zone);
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const at = Date.parse(text);
    return Number.isNaN(at) ? null : at;
  }
  return null;
}

/** The Last Attempt Time the console writes: sheet-local `YYYY-MM-DD HH:MM:SS`, or ISO 8601 with the zone's offset. */
export function formatSheetTime(at: number, zone: string, format: SheetRules['timeFormat']): string {
  const { offsetMs } = localTime(zone, at);
  const wall = new Date(Math.floor(at / 1000) * 1000 + offsetMs).toISOString().slice(0, 19);
  if (format === 'sheet_local') return wall.replace('T', ' ');
  const sign = offsetMs >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMs) / 60_000;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${wall}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
