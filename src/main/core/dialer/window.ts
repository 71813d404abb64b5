import type { CampaignSettings } from '@shared/domain';

// The calling window in a recipient's local time: days of week, holidays, HH:MM start/end (an end before the start
// means the window runs past midnight). All arithmetic is on UTC instants plus the zone's offset at that instant.

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type WindowRules = Pick<CampaignSettings, 'window' | 'days' | 'holidays'>;

interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  weekday: number;
  minuteOfDay: number;
  /** Local wall clock minus UTC, in ms. */
  offsetMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function localTime(zone: string, at: number): LocalTime {
  const parts = formatter(zone).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const y = get('year');
  const mo = get('month');
  const d = get('day');
  const h = get('hour');
  const mi = get('minute');
  const s = get('second');
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const offsetMs = Math.round((wall - (at - (at % 1000))) / MINUTE) * MINUTE;
  return {
    date: `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    weekday: new Date(Date.UTC(y, mo - 1, d)).getUTCDay(),
    minuteOfDay: h * 60 + mi,
    offsetMs,
  };
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function dayAllowed(rules: WindowRules, date: string, weekday: number): boolean {
  return rules.days.includes(weekday) && !rules.holidays.includes(date);
}

export function inWindow(rules: WindowRules, zone: string, at: number): boolean {
  const lt = localTime(zone, at);
  const start = minutes(rules.window.start);
  const end = minutes(rules.window.end);
  if (start === end) return dayAllowed(rules, lt.date, lt.weekday);
  if (start < end) return lt.minuteOfDay >= start && lt.minuteOfDay < end && dayAllowed(rules, lt.date, lt.weekday);
  // Overnight window: the evening part belongs to today, the early-morning part to the day it started (yesterday).
  if (lt.minuteOfDay >= start) return dayAllowed(rules, lt.date, lt.weekday);
  if (lt.minuteOfDay < end) {
    const y = localTime(zone, at - DAY);
    return dayAllowed(rules, y.date, y.weekday);
  }
  return false;
}

/** The UTC instant at which local wall-clock `minuteOfDay` happens on the local day `dayOffset` days after `at`'s. */
function instantOfLocal(zone: string, at: number, dayOffset: number, minuteOfDay: number): number {
  const lt = localTime(zone, at);
  const [y, m, d] = lt.date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d + dayOffset) + minuteOfDay * MINUTE;
  // Two passes settle the offset across a DST change.
  let guess = wall - lt.offsetMs;
  guess = wall - localTime(zone, guess).offsetMs;
  return wall - localTime(zone, guess).offsetMs;
}

/** The first instant ≥ at inside the window in one zone, or null when none within 15 days (e.g. no days allowed). */
function nextOpenIn(rules: WindowRules, zone: string, at: number): number | null {
  if (inWindow(rules, zone, at)) return at;
  const start = minutes(rules.window.start);
  for (let day = 0; day <= 15; day++) {
    const t = instantOfLocal(zone, at, day, start);
    if (t >= at && inWindow(rules, zone, t)) return t;
  }
  return null;
}

/** The first instant ≥ at inside the window in every zone (null when the zones never share an open moment soon). */
export function nextOpen(rules: WindowRules, zones: string[], at: number): number | null {
  let t = at;
  for (let round = 0; round < 40; round++) {
    let moved = false;
    for (const zone of zones) {
      const next = nextOpenIn(rules, zone, t);
      if (next === null) return null;
      if (next !== t) {
        t = next;
        moved = true;
      }
    }
    if (!moved) return t;
  }
  return null;
}
