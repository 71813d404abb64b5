import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import hi from './locales/hi.json';

// The UI's languages: one JSON file per language in locales/ (keys as in en.json, which is complete). Adding a
// language is adding its file here and to UI_LANGUAGES. English is the default; the choice is kept in this browser
// profile (it is a preference of the person at the screen, not of the console's data).

export const UI_LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'hi', label: 'हिन्दी' },
] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number]['code'];

const STORAGE_KEY = 'callconsole.uiLanguage';

function storedLanguage(): UiLanguage {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    return UI_LANGUAGES.some((l) => l.code === saved) ? (saved as UiLanguage) : 'en';
  } catch {
    return 'en';
  }
}

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, hi: { translation: hi } },
  lng: storedLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = i18next.language;
if (i18next.language === 'hi') void devanagariReady();

/**
 * Loads the Hindi UI's font faces before its text is shown: text laid out while its face was still missing could
 * stay drawn as empty boxes after the face arrived.
 */
function devanagariReady(): Promise<unknown> {
  if (!('fonts' in document)) return Promise.resolve();
  return Promise.all(
    ['400', '600'].map((weight) => document.fonts.load(`${weight} 13px "Noto Sans Devanagari"`, 'अ')),
  ).catch(() => undefined);
}

export function setUiLanguage(code: UiLanguage): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Private windows may refuse storage; the choice then lasts until reload.
  }
  void (code === 'hi' ? devanagariReady() : Promise.resolve()).then(() => {
    document.documentElement.lang = code;
    void i18next.changeLanguage(code);
  });
}

/** The locale dates and numbers are formatted in: Indian English or Hindi (1,00,000 grouping in both). */
export function uiLocale(): string {
  return `${i18next.language === 'hi' ? 'hi' : 'en'}-IN`;
}

export { i18next };
