// Times as people read them, always with their zone: "09:00 IST", "Fri 09:00 EST". Exports use isoWithZone.

const MINUTE = 60_000;

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

// ICU names a zone by its letters only in locales where it is common (IST in en-IN, BST in en-GB, EST in en-US);
// elsewhere it says GMT+5:30. Try the locales whose abbreviations people expect before giving the offset.
const ABBREVIATION_LOCALES = ['en-US', 'en-IN', 'en-GB', 'en-AU'];

/** "IST", "EDT", "BST", or "GMT+4" when no locale has letters for the zone. */
export function zoneAbbreviation(zone: string, at: number): string {
  let fallback = '';
  for (const locale of ABBREVIATION_LOCALES) {
    const name =
      fmt(locale, { timeZone: zone, timeZoneName: 'short' })
        .formatToParts(at)
        .find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (name && !/^(GMT|UTC)[+-]/.test(name)) return name === 'GMT' && zone !== 'Europe/London' ? 'UTC' : name;
    fallback ||= name;
  }
  return fallback || zone;
}

/** The zone's offset from UTC at that instant, in minutes (330 for India). */
export function offsetMinutes(zone: string, at: number): number {
  const parts = fmt('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((wall - (at - (at % MINUTE))) / MINUTE);
}

/** "09:00 IST" (24-hour clock, the zone's own letters). */
export function timeInZone(at: number, zone: string): string {
  const hm = fmt('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return `${hm} ${zoneAbbreviation(zone, at)}`;
}

/** "Fri 4 Dec, 09:00 IST". */
export function dateTimeInZone(at: number, zone: string): string {
  const d = fmt('en-GB', {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return `${d} ${zoneAbbreviation(zone, at)}`;
}

/** "2026-12-04T09:00:00+05:30" */
export function isoWithOffset(at: number, zone: string): string {
  const off = offsetMinutes(zone, at);
  const local = new Date(at + off * MINUTE).toISOString().slice(0, 19);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** "2026-12-04T09:00:00+05:30 Asia/Kolkata": what exports write, readable by people and parsers alike. */
export function isoWithZone(at: number, zone: string): string {
  return `${isoWithOffset(at, zone)} ${zone}`;
}

/** "in 18 min", "in 2 h 5 min", "now". */
export function untilText(at: number, now: number): string {
  const min = Math.ceil((at - now) / MINUTE);
  if (min <= 0) return 'now';
  if (min < 60) return `in ${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `in ${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  return `in ${Math.round(h / 24)} days`;
}
