import { i18next, uiLocale } from '../i18n';

// Times are shown in the user's local time zone (the browser's), dense and unambiguous; dates and numbers in the
// UI language's Indian locale (en-IN or hi-IN: 1,00,000).

const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<F extends Intl.DateTimeFormat | Intl.NumberFormat>(kind: string, make: (locale: string) => F): F {
  const key = `${kind}:${uiLocale()}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = make(uiLocale())));
  return f as F;
}
const timeFmt = () =>
  cached('time', (l) => new Intl.DateTimeFormat(l, { hour: '2-digit', minute: '2-digit', second: '2-digit' }));
const dateTimeFmt = () =>
  cached(
    'datetime',
    (l) =>
      new Intl.DateTimeFormat(l, {
        year: 'numeric',
        month: 'short',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      }),
  );

/** 100000 → "1,00,000" (Indian grouping, in the UI language's digits). */
export function formatNumber(n: number | null | undefined, options?: Intl.NumberFormatOptions): string {
  if (n == null || !Number.isFinite(n)) return '—';
  if (options) return new Intl.NumberFormat(uiLocale(), options).format(n);
  return cached('number', (l) => new Intl.NumberFormat(l)).format(n);
}

export function formatTime(ms: number | null | undefined): string {
  return ms == null ? '—' : timeFmt().format(ms);
}

export function formatDateTime(ms: number | null | undefined): string {
  return ms == null ? '—' : dateTimeFmt().format(ms);
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** The recipient's local time, for calling-hours context. */
export function formatInZone(ms: number, timeZone: string | null): string | null {
  if (!timeZone) return null;
  try {
    return new Intl.DateTimeFormat(uiLocale(), { hour: '2-digit', minute: '2-digit', timeZone }).format(ms);
  } catch {
    return null;
  }
}

/**
 * A key of the vocabulary (a view, a call status, an outcome: `no_answer`) as words, in the UI language: the
 * translation under `words.<key>`, else the key itself made readable ("No answer").
 */
export function humanize(key: string): string {
  const text = key.replace(/_/g, ' ');
  const english = text.charAt(0).toUpperCase() + text.slice(1);
  return i18next.t(`words.${key}`, { defaultValue: english });
}

export const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
