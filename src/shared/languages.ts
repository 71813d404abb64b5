// Call languages: what a contact is called in. Stored as a BCP 47 tag (hi-IN); each voice provider is given it in
// its own form (docs/providers.md, Call language). The list is the languages the console names and maps from
// spreadsheets; any other well-formed tag (fr-FR) is kept as typed, canonicalised.

export interface KnownLanguage {
  /** BCP 47 tag, as stored. */
  tag: string;
  english: string;
  /** The language's name in its own script, as a speaker would type it in a sheet. */
  native: string;
  /** Bolna's plain code (Odia is `od`, not the ISO `or`). */
  bolna: string;
  /** Other names seen in spreadsheets. */
  aliases?: string[];
}

export const KNOWN_LANGUAGES: readonly KnownLanguage[] = [
  { tag: 'en-IN', english: 'English', native: 'English', bolna: 'en' },
  { tag: 'hi-IN', english: 'Hindi', native: 'हिन्दी', bolna: 'hi', aliases: ['हिंदी', 'hinglish'] },
  { tag: 'bn-IN', english: 'Bengali', native: 'বাংলা', bolna: 'bn', aliases: ['bangla'] },
  { tag: 'ta-IN', english: 'Tamil', native: 'தமிழ்', bolna: 'ta' },
  { tag: 'te-IN', english: 'Telugu', native: 'తెలుగు', bolna: 'te' },
  { tag: 'mr-IN', english: 'Marathi', native: 'मराठी', bolna: 'mr' },
  { tag: 'gu-IN', english: 'Gujarati', native: 'ગુજરાતી', bolna: 'gu' },
  { tag: 'kn-IN', english: 'Kannada', native: 'ಕನ್ನಡ', bolna: 'kn' },
  { tag: 'ml-IN', english: 'Malayalam', native: 'മലയാളം', bolna: 'ml' },
  { tag: 'pa-IN', english: 'Punjabi', native: 'ਪੰਜਾਬੀ', bolna: 'pa', aliases: ['panjabi'] },
  { tag: 'or-IN', english: 'Odia', native: 'ଓଡ଼ିଆ', bolna: 'od', aliases: ['oriya', 'od'] },
  { tag: 'ur-IN', english: 'Urdu', native: 'اردو', bolna: 'ur' },
  { tag: 'as-IN', english: 'Assamese', native: 'অসমীয়া', bolna: 'as' },
];

const byKey = new Map<string, KnownLanguage>();
for (const l of KNOWN_LANGUAGES) {
  for (const key of [l.tag, l.tag.split('-')[0], l.english, l.native, ...(l.aliases ?? [])])
    byKey.set(key.normalize('NFC').toLowerCase(), l);
}

/**
 * The BCP 47 tag for what a person typed: a tag (hi-IN, HI, ta), a language's English or own name (Tamil, தமிழ்),
 * or Bolna's code (od). A bare known code gets its Indian region (hi → hi-IN). Null when it is not a language.
 */
export function languageTag(input: string): string | null {
  const text = input.normalize('NFC').trim();
  if (!text) return null;
  const known = byKey.get(text.toLowerCase()) ?? byKey.get(text.toLowerCase().replace(/_/g, '-'));
  if (known) return known.tag;
  const dashed = text.replace(/_/g, '-');
  // Only tags with a language subtag of 2–3 letters: Intl accepts "x-private" or "root", which name no language.
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(dashed)) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(dashed);
    return canonical ?? null;
  } catch {
    return null;
  }
}

export function knownLanguage(tag: string | null | undefined): KnownLanguage | null {
  return tag ? (byKey.get(tag.toLowerCase()) ?? byKey.get(tag.split('-')[0].toLowerCase()) ?? null) : null;
}

/** "Hindi (हिन्दी)" for a tag the console knows, else the tag itself. */
export function languageLabel(tag: string): string {
  const known = knownLanguage(tag);
  if (!known) return tag;
  return known.native === known.english ? known.english : `${known.english} (${known.native})`;
}

/** The primary language subtag: what "speaks the same language" compares (hi-IN and hi match). */
export function primaryLanguage(tag: string): string {
  const primary = tag.split('-')[0].toLowerCase();
  // od is Bolna's spelling of or (Odia); a roster may use either.
  return primary === 'od' ? 'or' : primary;
}
