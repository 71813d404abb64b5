import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { COUNTRY_ZONES_SOURCE } from './country-zones';
import { NANP_PREFIXES, NANP_ZONES } from './nanp-zones';

// The one place that decides where a contact is, in time. The dialer checks calling windows with it and every screen
// shows a contact's local time with it, so the two cannot disagree (docs/architecture.md, Time zones).

const validZones = new Map<string, boolean>();

/** True when the runtime knows this IANA zone name. */
export function isValidTimeZone(zone: string): boolean {
  let ok = validZones.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = zone.length > 0;
    } catch {
      ok = false;
    }
    validZones.set(zone, ok);
  }
  return ok;
}

let countryZones: ReadonlyMap<string, string[]> | null = null;
export function zonesForCountry(country: string): string[] | null {
  countryZones ??= new Map(
    COUNTRY_ZONES_SOURCE.split(',').map((entry) => {
      const [code, zones] = entry.split(':');
      return [code, zones.split('|').filter(isValidTimeZone)] as const;
    }),
  );
  const zones = countryZones.get(country.toUpperCase());
  return zones && zones.length ? zones : null;
}

let nanp: ReadonlyMap<string, string[]> | null = null;
/** Zones of a +1 number by its longest known prefix (area code, or area code + exchange in split area codes). */
export function zonesForNanpNumber(e164: string): string[] | null {
  if (!/^\+1\d{10}$/.test(e164)) return null;
  nanp ??= new Map(
    NANP_PREFIXES.split(',').map((entry) => {
      const [prefix, zones] = entry.split(':');
      return [
        prefix,
        zones
          .split('|')
          .map((i) => NANP_ZONES[parseInt(i, 36)])
          .filter(isValidTimeZone),
      ] as const;
    }),
  );
  const digits = e164.slice(2);
  for (let len = 6; len >= 3; len--) {
    const zones = nanp.get(digits.slice(0, len));
    if (zones && zones.length) return zones;
  }
  return null;
}

/** contact: the contact's own time-zone column; area_code: a North American area code; country: the number's country. */
export type ZoneSource = 'contact' | 'area_code' | 'country' | 'campaign';

export interface ResolvedZone {
  /** Every zone the contact may be in; a calling window must hold in all of them. */
  zones: string[];
  /** The zone to show the contact's local time in (the first of `zones`). */
  zone: string;
  source: ZoneSource;
}

/**
 * Where a contact is: their time-zone column wins; else a North American number's area code; else the number's
 * country; else the fallback (a campaign's default zone).
 */
export function resolveZone(contactTimezone: string | null, phone: string | null, fallback: string): ResolvedZone {
  const make = (zones: string[], source: ZoneSource): ResolvedZone => ({ zones, zone: zones[0], source });
  const own = contactTimezone?.trim();
  if (own && isValidTimeZone(own)) return make([own], 'contact');
  if (phone) {
    const byAreaCode = zonesForNanpNumber(phone);
    if (byAreaCode) return make(byAreaCode, 'area_code');
    const country = parsePhoneNumberFromString(phone)?.country;
    const byCountry = country ? zonesForCountry(country) : null;
    if (byCountry) return make(byCountry, 'country');
  }
  return make([isValidTimeZone(fallback) ? fallback : 'UTC'], 'campaign');
}

let allZones: string[] | null = null;
/** Every IANA zone the runtime knows, for pickers. */
export function allTimeZones(): string[] {
  if (!allZones) {
    const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
    const listed = intl.supportedValuesOf?.('timeZone') ?? [];
    // ICU lists some zones by their old names (Asia/Calcutta); the country and area-code tables hold the current ones.
    const current = [...COUNTRY_ZONES_SOURCE.matchAll(/[A-Z][A-Za-z_-]+\/[A-Za-z_/-]+/g)].map((m) => m[0]);
    allZones = [...new Set(['UTC', ...listed, ...current, ...NANP_ZONES])].filter(isValidTimeZone).sort();
  }
  return allZones;
}

/** A plain-words reason a typed zone is not usable, or null when it is. */
export function timeZoneProblem(typed: string): string | null {
  const zone = typed.trim();
  if (!zone) return 'Choose a time zone, e.g. Asia/Kolkata.';
  if (isValidTimeZone(zone)) return null;
  const near = allTimeZones().find((z) => z.toLowerCase().endsWith(`/${zone.toLowerCase().replace(/ /g, '_')}`));
  return near
    ? `"${zone}" is not a time zone name; did you mean ${near}?`
    : `"${zone}" is not a time zone name. Pick one from the list, written like Asia/Kolkata or America/New_York.`;
}
